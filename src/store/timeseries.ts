import { sql } from "kysely";
import type { Db } from "./db.js";
import { HOUR_MS } from "./rollups.js";
import { rfc3339 } from "./shapes.js";

export interface TimeseriesBucket {
  start: string;
  transactions: number;
  volume_sats: number;
}

export interface Timeseries {
  window_seconds: number;
  bucket_seconds: number;
  buckets: TimeseriesBucket[];
}

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
  const rows =
    bucketMs % HOUR_MS === 0
      ? await fromHourlyRollup(db, first, lastStart + bucketMs, bucketMs, opts.merchantId)
      : await fromSales(db, first, lastStart + bucketMs, bucketMs, opts.merchantId);
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

async function fromSales(
  db: Db,
  from: number,
  to: number,
  bucketMs: number,
  merchantId: string | undefined,
): Promise<BucketRow[]> {
  let query = db
    .selectFrom("transactions")
    .select((eb) => [
      // Bound numbers may arrive as REAL; the cast keeps one integer bucket index per group.
      sql<number>`cast((sale_date - ${from}) / ${bucketMs} as integer)`.as("idx"),
      eb.fn.countAll<number>().as("n"),
      eb.fn.sum<number>("amount_sats").as("volume"),
    ])
    .where("sale_date", ">=", from)
    .where("sale_date", "<", to)
    .groupBy("idx");
  if (merchantId !== undefined) query = query.where("merchant_id", "=", merchantId);
  return query.execute();
}

/** Buckets of whole hours (aligned, since `from` is a multiple of the bucket) add up hourly rollup rows. */
async function fromHourlyRollup(
  db: Db,
  from: number,
  to: number,
  bucketMs: number,
  merchantId: string | undefined,
): Promise<BucketRow[]> {
  let query = db
    .selectFrom("sales_by_hour")
    .select((eb) => [
      sql<number>`cast((hour - ${from}) / ${bucketMs} as integer)`.as("idx"),
      eb.fn.sum<number>("transactions").as("n"),
      eb.fn.sum<number>("volume_sats").as("volume"),
    ])
    .where("hour", ">=", from)
    .where("hour", "<", to)
    .groupBy("idx");
  if (merchantId !== undefined) query = query.where("merchant_id", "=", merchantId);
  return query.execute();
}
