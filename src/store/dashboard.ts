import { sql } from "kysely";
import type { MerchantStanding, Metric, ProductStanding, Summary, TickerRow } from "../contract/index.js";
import type { Db } from "./db.js";
import { round2, toTickerRow } from "./shapes.js";
import { windowSplit } from "./windows.js";

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

/** Sales dated at or after `sinceMs`: raw, minute and hour parts (see windowSplit) in one query. */
async function salesTotalSince(
  db: Db,
  sinceMs: number,
): Promise<{ transactions: number; volumeSats: number }> {
  const w = windowSplit(sinceMs);
  const raw = db
    .selectFrom("transactions")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("amount_sats").as("volume")])
    .where("sale_date", ">=", sinceMs)
    .where("sale_date", "<", w.rawUntil);
  const minutes = db
    .selectFrom("sales_by_minute")
    .select((eb) => [
      eb.fn.sum<number>("transactions").as("n"),
      eb.fn.sum<number>("volume_sats").as("volume"),
    ])
    .where("minute", ">=", w.minutesFrom)
    .where("minute", "<", w.hoursFrom)
    .where(w.minutesCovered);
  const hours = db
    .selectFrom("sales_by_hour")
    .select((eb) => [
      eb.fn.sum<number>("transactions").as("n"),
      eb.fn.sum<number>("volume_sats").as("volume"),
    ])
    .where("hour", ">=", w.hoursFrom);
  const row = await db
    .selectFrom(raw.unionAll(minutes).unionAll(hours).as("w"))
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("w.n"), eb.lit(0)).as("n"),
      eb.fn.coalesce(eb.fn.sum<number>("w.volume"), eb.lit(0)).as("volume"),
    ])
    .executeTakeFirstOrThrow();
  return { transactions: Number(row.n), volumeSats: Number(row.volume) };
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
      "t.source",
      "t.external_id",
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
  const rows = await db
    .selectFrom(merchantSalesSince(db, opts.sinceMs).as("w"))
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

/** Per merchant, rows that add up to its sales dated at or after `sinceMs` (the split of salesTotalSince). */
function merchantSalesSince(db: Db, sinceMs: number) {
  const w = windowSplit(sinceMs);
  const raw = db
    .selectFrom("transactions")
    .select((eb) => [
      "merchant_id",
      eb.fn.countAll<number>().as("transactions"),
      eb.fn.sum<number>("amount_sats").as("volume_sats"),
    ])
    .where("sale_date", ">=", sinceMs)
    .where("sale_date", "<", w.rawUntil)
    .groupBy("merchant_id");
  const minutes = db
    .selectFrom("sales_by_minute")
    .select(["merchant_id", "transactions", "volume_sats"])
    .where("minute", ">=", w.minutesFrom)
    .where("minute", "<", w.hoursFrom)
    .where(w.minutesCovered);
  const hours = db
    .selectFrom("sales_by_hour")
    .select(["merchant_id", "transactions", "volume_sats"])
    .where("hour", ">=", w.hoursFrom);
  return raw.unionAll(minutes).unionAll(hours);
}

/**
 * Active products ranked by the metric. All time: the upstream's cumulative figures. With a window:
 * recounted from stored sale lines (sales containing the product; quantity × unit sats), up to a
 * minute from the lines themselves, the rest from the product rollups (see windowSplit).
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
 * Per product, rows that add up to its sales dated at or after `sinceMs`: the raw lines, grouped, then
 * the rollups' whole minutes and hours (the same split as salesTotalSince).
 */
function productSalesSince(db: Db, sinceMs: number) {
  const w = windowSplit(sinceMs);
  const raw = db
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
    .where("t.sale_date", "<", w.rawUntil)
    .groupBy(["l.merchant_id", "l.product_id"]);
  const minutes = db
    .selectFrom("product_sales_by_minute")
    .select(["merchant_id", "product_id", "transactions", "volume_sats"])
    .where("minute", ">=", w.minutesFrom)
    .where("minute", "<", w.hoursFrom)
    .where(w.minutesCovered);
  const hours = db
    .selectFrom("product_sales_by_hour")
    .select(["merchant_id", "product_id", "transactions", "volume_sats"])
    .where("hour", ">=", w.hoursFrom);
  return raw.unionAll(minutes).unionAll(hours);
}
