import { type RawBuilder, sql } from "kysely";
import type { Timeseries, TimeseriesBucket } from "../contract/index.js";
import { rfc3339 } from "../time/instant.js";
import { HOUR_MS, MINUTE_MS } from "./buckets.js";
import type { Db } from "./db.js";
import { ALWAYS, ofSource, ofSourceMerchants, type Source } from "./source-filter.js";

/**
 * Sales per bucket over the window, oldest first, every bucket present (zeros included). Buckets are
 * aligned to multiples of the bucket size so that consecutive refreshes line up.
 */
export async function getTimeseries(
  db: Db,
  opts: {
    now: number;
    windowMs: number;
    bucketMs: number;
    merchantId?: string | undefined;
    source?: Source;
  },
): Promise<Timeseries> {
  const { bucketMs } = opts;
  const only: Only = { merchantId: opts.merchantId, source: opts.source };
  const count = Math.ceil(opts.windowMs / bucketMs);
  const lastStart = Math.floor(opts.now / bucketMs) * bucketMs;
  const first = lastStart - (count - 1) * bucketMs;
  const to = lastStart + bucketMs;
  const rows =
    bucketMs % HOUR_MS === 0
      ? await bucketRows(db, "hourly", first, to, bucketMs, only)
      : bucketMs % MINUTE_MS === 0
        ? await minuteBucketRows(db, first, to, bucketMs, only)
        : await bucketRows(db, "sales", first, to, bucketMs, only);
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
/** Which sales count: one merchant's and/or one source's (undefined: all). */
type Only = { merchantId: string | undefined; source: Source };

/** Raw sales for any bucket size, or the hourly or minute rollup rows when buckets are made of them. */
const TABLES = {
  sales: { table: sql`transactions`, at: sql`sale_date`, n: sql`count(*)`, volume: sql`sum(amount_sats)` },
  hourly: {
    table: sql`sales_by_hour`,
    at: sql`hour`,
    n: sql`sum(transactions)`,
    volume: sql`sum(volume_sats)`,
  },
  minutes: {
    table: sql`sales_by_minute`,
    at: sql`minute`,
    n: sql`sum(transactions)`,
    volume: sql`sum(volume_sats)`,
  },
};

async function bucketRows(
  db: Db,
  kind: keyof typeof TABLES,
  from: number,
  to: number,
  bucketMs: number,
  only: Only,
): Promise<BucketRow[]> {
  const result = await bucketQuery(kind, from, to, bucketMs, only, ALWAYS).execute(db);
  return result.rows;
}

/**
 * Buckets of whole minutes from the minute rollups while they hold every sale of the window (recent
 * windows: an event's 60-minute chart), else from the raw sales. At 1M sales within the last hour, the
 * default 60m/1m chart counted them all on every refresh (1.5 s a request in the full benchmark).
 * Which half answers is decided inside the one query, as in windows.ts.
 */
async function minuteBucketRows(
  db: Db,
  from: number,
  to: number,
  bucketMs: number,
  only: Only,
): Promise<BucketRow[]> {
  const covered = sql`(select complete_from from minute_rollup_coverage) <= ${from}`;
  const minutes = bucketQuery("minutes", from, to, bucketMs, only, covered);
  const raw = bucketQuery("sales", from, to, bucketMs, only, sql`not ${covered}`);
  const result = await sql<BucketRow>`${minutes} union all ${raw}`.execute(db);
  return result.rows;
}

function bucketQuery(
  kind: keyof typeof TABLES,
  from: number,
  to: number,
  bucketMs: number,
  only: Only,
  when: RawBuilder<unknown>,
) {
  const { table, at, n, volume } = TABLES[kind];
  const merchant = only.merchantId === undefined ? sql`` : sql`and merchant_id = ${only.merchantId}`;
  // Raw sales carry their source (index source, sale_date); rollup rows are the source's merchants'.
  const ofItsSource = kind === "sales" ? ofSource(only.source) : ofSourceMerchants(only.source);
  // Bound numbers may arrive as REAL; the cast keeps one integer bucket index per group.
  return sql<BucketRow>`
    select cast((${at} - ${from}) / ${bucketMs} as integer) as idx, ${n} as n, ${volume} as volume
    from ${table} where ${at} >= ${from} and ${at} < ${to} ${merchant} and ${ofItsSource} and ${when}
    group by idx`;
}
