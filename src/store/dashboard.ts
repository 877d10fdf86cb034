import { sql } from "kysely";
import type { Db } from "./db.js";
import { nextHourBoundary } from "./rollups.js";
import {
  type MerchantStanding,
  type ProductStanding,
  round2,
  type Summary,
  type TickerRow,
  toTickerRow,
} from "./shapes.js";

export type Metric = "transactions" | "volume";

/** Leaderboards sort by the chosen metric, then by the other one (before the id) to break ties. */
function rankingColumns(metric: Metric) {
  return metric === "volume"
    ? (["volume_sats", "transactions"] as const)
    : (["transactions", "volume_sats"] as const);
}

/** Totals come from the running totals (O(merchants)); only the rate looks at sales, through sale_date. */
export async function getSummary(db: Db, opts: { now: number; rateWindowMs: number }): Promise<Summary> {
  const merchants = await db
    .selectFrom("merchants")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      eb.fn.coalesce(eb.fn.sum<number>("enabled"), eb.lit(0)).as("active"),
      eb.fn.coalesce(eb.fn.sum<number>("total_transactions"), eb.lit(0)).as("transactions"),
      eb.fn.coalesce(eb.fn.sum<number>("total_volume_sats"), eb.lit(0)).as("volume"),
    ])
    .executeTakeFirstOrThrow();
  const products = await db
    .selectFrom("products")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("active", "=", 1)
    .where("deleted", "=", 0)
    .executeTakeFirstOrThrow();
  const recent = await salesTotalSince(db, opts.now - opts.rateWindowMs);
  const fiat = await db
    .selectFrom("fiat_totals")
    .select((eb) => ["currency", eb.fn.sum<number>("amount").as("amount")])
    .groupBy("currency")
    .orderBy("currency")
    .execute();

  const transactions = Number(merchants.transactions);
  const volume = Number(merchants.volume);
  const minutes = opts.rateWindowMs / 60_000;
  return {
    total_transactions: transactions,
    total_volume_sats: volume,
    average_transaction_size: transactions === 0 ? 0 : round2(volume / transactions),
    active_merchants: Number(merchants.active),
    total_merchants: Number(merchants.total),
    unique_products: Number(products.n),
    transactions_per_minute: round2(recent.transactions / minutes),
    volume_per_minute: round2(recent.volumeSats / minutes),
    fiat_volume: fiat.map((f) => ({ currency: f.currency, amount: round2(Number(f.amount)) })),
  };
}

/**
 * Sales dated at or after `sinceMs`, without scanning more than an hour of raw sales: the leading partial
 * hour is counted from the sales themselves, every later hour from the hourly rollup.
 */
async function salesTotalSince(
  db: Db,
  sinceMs: number,
): Promise<{ transactions: number; volumeSats: number }> {
  const boundary = nextHourBoundary(sinceMs);
  const raw = await db
    .selectFrom("transactions")
    .select((eb) => [
      eb.fn.countAll<number>().as("n"),
      eb.fn.coalesce(eb.fn.sum<number>("amount_sats"), eb.lit(0)).as("volume"),
    ])
    .where("sale_date", ">=", sinceMs)
    .where("sale_date", "<", boundary)
    .executeTakeFirstOrThrow();
  const hours = await db
    .selectFrom("sales_by_hour")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("transactions"), eb.lit(0)).as("n"),
      eb.fn.coalesce(eb.fn.sum<number>("volume_sats"), eb.lit(0)).as("volume"),
    ])
    .where("hour", ">=", boundary)
    .executeTakeFirstOrThrow();
  return {
    transactions: Number(raw.n) + Number(hours.n),
    volumeSats: Number(raw.volume) + Number(hours.volume),
  };
}

export async function getTicker(db: Db, limit: number): Promise<TickerRow[]> {
  const rows = await db
    .selectFrom("transactions as t")
    .innerJoin("merchants as m", "m.id", "t.merchant_id")
    .select([
      "t.sale_id",
      "t.merchant_id",
      "m.alias as merchant_alias",
      "t.amount_sats",
      "t.sale_date",
      "t.fiat_amount",
      "t.currency",
    ])
    .orderBy("t.sale_date", "desc")
    .orderBy("t.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toTickerRow);
}

/**
 * Merchants ranked by the metric, the other metric and then the id breaking ties so the order is
 * stable between refreshes. `sinceMs` null means all time (running totals, no scan of sales).
 */
export async function getMerchantLeaderboard(
  db: Db,
  opts: { metric: Metric; sinceMs: number | null; limit: number },
): Promise<MerchantStanding[]> {
  const [first, second] = rankingColumns(opts.metric);
  if (opts.sinceMs === null) {
    const rows = await db
      .selectFrom("merchants")
      .select([
        "id as merchant_id",
        "alias",
        "total_transactions as transactions",
        "total_volume_sats as volume_sats",
      ])
      .where("total_transactions", ">", 0)
      .orderBy(first, "desc")
      .orderBy(second, "desc")
      .orderBy("id")
      .limit(opts.limit)
      .execute();
    return rows;
  }
  // Same split as salesTotalSince, per merchant: raw sales of the leading partial hour, then whole hours.
  const boundary = nextHourBoundary(opts.sinceMs);
  const partialHour = db
    .selectFrom("transactions")
    .select((eb) => [
      "merchant_id",
      eb.fn.countAll<number>().as("transactions"),
      eb.fn.sum<number>("amount_sats").as("volume_sats"),
    ])
    .where("sale_date", ">=", opts.sinceMs)
    .where("sale_date", "<", boundary)
    .groupBy("merchant_id");
  const wholeHours = db
    .selectFrom("sales_by_hour")
    .select(["merchant_id", "transactions", "volume_sats"])
    .where("hour", ">=", boundary);
  const rows = await db
    .selectFrom(partialHour.unionAll(wholeHours).as("w"))
    .innerJoin("merchants as m", "m.id", "w.merchant_id")
    .select((eb) => [
      "w.merchant_id",
      "m.alias",
      eb.fn.sum<number>("w.transactions").as("transactions"),
      eb.fn.sum<number>("w.volume_sats").as("volume_sats"),
    ])
    .groupBy(["w.merchant_id", "m.alias"])
    .orderBy(first, "desc")
    .orderBy(second, "desc")
    .orderBy("w.merchant_id")
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    transactions: Number(r.transactions),
    volume_sats: Number(r.volume_sats),
  }));
}

/**
 * Active products ranked by the metric. All time: the upstream's cumulative figures. With a window:
 * recounted from stored sale lines (sales containing the product; quantity × unit sats), the leading
 * partial hour from the lines themselves and every later hour from the product rollup.
 */
export async function getProductLeaderboard(
  db: Db,
  opts: { metric: Metric; sinceMs: number | null; limit: number },
): Promise<ProductStanding[]> {
  const [first, second] = rankingColumns(opts.metric);
  if (opts.sinceMs === null) {
    return db
      .selectFrom("products")
      .select([
        "merchant_id",
        "product_id",
        "name",
        "total_transactions as transactions",
        "total_revenue_sats as volume_sats",
      ])
      .where("active", "=", 1)
      .where("deleted", "=", 0)
      .where("total_transactions", ">", 0)
      .orderBy(first, "desc")
      .orderBy(second, "desc")
      .orderBy("merchant_id")
      .orderBy("product_id")
      .limit(opts.limit)
      .execute();
  }
  const rows = await db
    .selectFrom(productSalesSince(db, opts.sinceMs).as("w"))
    .innerJoin("products as p", (j) =>
      j.onRef("p.merchant_id", "=", "w.merchant_id").onRef("p.product_id", "=", "w.product_id"),
    )
    .select((eb) => [
      "w.merchant_id",
      "w.product_id",
      "p.name",
      eb.fn.sum<number>("w.transactions").as("transactions"),
      eb.fn.sum<number>("w.volume_sats").as("volume_sats"),
    ])
    .where("p.active", "=", 1)
    .where("p.deleted", "=", 0)
    .groupBy(["w.merchant_id", "w.product_id", "p.name"])
    .orderBy(first, "desc")
    .orderBy(second, "desc")
    .orderBy("w.merchant_id")
    .orderBy("w.product_id")
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    transactions: Number(r.transactions),
    volume_sats: Number(r.volume_sats),
  }));
}

/**
 * Per product, rows that add up to its sales dated at or after `sinceMs`: the raw lines of the leading
 * partial hour, grouped, then the rollup's whole hours (the same split as salesTotalSince).
 */
function productSalesSince(db: Db, sinceMs: number) {
  const boundary = nextHourBoundary(sinceMs);
  const partialHour = db
    .selectFrom("transactions as t")
    .innerJoin("sale_lines as l", (j) =>
      j.onRef("l.merchant_id", "=", "t.merchant_id").onRef("l.sale_id", "=", "t.sale_id"),
    )
    .select((eb) => [
      "l.merchant_id",
      "l.product_id",
      eb.fn.count<number>("t.sale_id").distinct().as("transactions"),
      eb.fn.sum<number>(sql<number>`round(l.quantity * l.unit_sats)`).as("volume_sats"),
    ])
    .where("t.sale_date", ">=", sinceMs)
    .where("t.sale_date", "<", boundary)
    .groupBy(["l.merchant_id", "l.product_id"]);
  const wholeHours = db
    .selectFrom("product_sales_by_hour")
    .select(["merchant_id", "product_id", "transactions", "volume_sats"])
    .where("hour", ">=", boundary);
  return partialHour.unionAll(wholeHours);
}
