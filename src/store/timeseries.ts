import { sql } from "kysely";
import type { Timeseries, TimeseriesBucket } from "../contract/index.js";
import { rfc3339 } from "../time/instant.js";
import type { Db } from "./db.js";
import { HOUR_MS } from "./rollups.js";

/**
 * Sales per bucket over the window, oldest first, every bucket present (zeros included). Buckets are
 * aligned to multiples of the bucket size so that consecutive refreshes line up.
 */
export async function getTimeseries(
  db: Db,
  opts: { now: number; windowMs: number; bucketMs: number; merchantId?: string | undefined },
): Promise<Timeseries> {
  const { bucketMs } = opts;
  const count = Math.ceil(opts.windowMs / bucketMs);
  const lastStart = Math.floor(opts.now / bucketMs) * bucketMs;
  const first = lastStart - (count - 1) * bucketMs;
  const source = bucketMs % HOUR_MS === 0 ? "hourly" : "sales";
  const rows = await bucketRows(db, source, first, lastStart + bucketMs, bucketMs, opts.merchantId);
  const buckets: TimeseriesBucket[] = Array.from({ length: count }, (_, i) => ({
    start: rfc3339(first + i * bucketMs),
    transactions: 0,
    volume_sats: 0,
  }));
  for (const r of rows) {
    const b = buckets[Number(r.idx)];
    if (b) {
      b.transactions = Number(r.n);
      b.volume_sats = Number(r.volume);
    }
  }
  return { window_seconds: opts.windowMs / 1000, bucket_seconds: bucketMs / 1000, buckets };
}

type BucketRow = { idx: number; n: number; volume: number };

/** Raw sales for any bucket size, or the hourly rollup rows when buckets are whole hours. */
const SOURCES = {
  sales: { table: sql`transactions`, at: sql`sale_date`, n: sql`count(*)`, volume: sql`sum(amount_sats)` },
  hourly: {
    table: sql`sales_by_hour`,
    at: sql`hour`,
    n: sql`sum(transactions)`,
    volume: sql`sum(volume_sats)`,
  },
};

async function bucketRows(
  db: Db,
  source: keyof typeof SOURCES,
  from: number,
  to: number,
  bucketMs: number,
  merchantId: string | undefined,
): Promise<BucketRow[]> {
  const { table, at, n, volume } = SOURCES[source];
  const merchant = merchantId === undefined ? sql`` : sql`and merchant_id = ${merchantId}`;
  // Bound numbers may arrive as REAL; the cast keeps one integer bucket index per group.
  const result = await sql<BucketRow>`
    select cast((${at} - ${from}) / ${bucketMs} as integer) as idx, ${n} as n, ${volume} as volume
    from ${table} where ${at} >= ${from} and ${at} < ${to} ${merchant}
    group by idx`.execute(db);
  return result.rows;
}
