import { type SqlBool, sql } from "kysely";
import { HOUR_MS, MINUTE_MS, nextBoundary } from "./buckets.js";

/**
 * How the sales of a window starting at `sinceMs` are added up without scanning more than a minute of
 * raw sales: raw sales from `sinceMs` until `rawUntil`, minute rows from `minutesFrom` to `hoursFrom`
 * when the minute rollups cover them (recent windows), hour rows from `hoursFrom` on. Otherwise raw
 * sales run until `hoursFrom`. Whether minutes are covered is decided inside each query that uses it,
 * as one snapshot: a poll committing between two queries may have dropped old minutes meanwhile.
 *
 * Why minutes: measured with bench/product-window.ts (1M sales all in the last hour, 1,000 merchants ×
 * 20 products, 5½ minutes past the hour; a shared 2-core machine at load ~15, so only the ratios in one
 * run mean much). With hours only, 1h read 55 minutes of raw sales: products 10.7 s (19.1 s by the raw
 * count before any rollup), merchants 20.3 s; 5m 822 ms and 253 ms; summary's 5m rate 144 ms; 24h, whose
 * partial hour is empty, 77 ms and 19 ms. With minutes: 1h products 488 ms (raw count 26.8 s in that
 * run), merchants 209 ms; 5m 382 ms (raw 5.1 s) and 164 ms; 5m rate 12.7 ms; 24h 43 ms and 7 ms. Not
 * flat yet (1h adds up to 59 minute rows per product sold), but no longer proportional to the sales.
 */
export function windowSplit(sinceMs: number) {
  const hoursFrom = nextBoundary(sinceMs, HOUR_MS);
  const minutesFrom = nextBoundary(sinceMs, MINUTE_MS);
  const minutesCovered = sql<SqlBool>`(select complete_from from minute_rollup_coverage) <= ${minutesFrom}`;
  // Cast: PostgreSQL types a CASE of bare parameters as text, which it will not compare with bigint.
  // SQLite still bounds the sale_date index by it (the expression reads no column).
  const rawUntil = sql<number>`(case when ${minutesCovered} then cast(${minutesFrom} as bigint) else cast(${hoursFrom} as bigint) end)`;
  return { hoursFrom, minutesFrom, minutesCovered, rawUntil };
}
