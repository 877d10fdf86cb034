import { sql } from "kysely";
import type { Metric, ProductStanding } from "../contract/index.js";
import type { Db } from "./db.js";
import { lineSatsSql } from "./line-sats.js";
import { merchantExists, ofMerchant, ofSource, ofSourceMerchants, type Source } from "./source-filter.js";
import { windowSplit } from "./windows.js";

/** Leaderboards sort by the chosen metric, then by the other one (before the id) to break ties. */
export function rankingColumns(metric: Metric) {
  return metric === "volume"
    ? (["volume_sats", "transactions"] as const)
    : (["transactions", "volume_sats"] as const);
}

/**
 * Active products ranked by the metric. All time: the upstream's cumulative figures. With a window:
 * recounted from stored sale lines (sales containing the product; quantity × unit sats), up to a
 * minute from the lines themselves, the rest from the product rollups (see windowSplit). With a
 * source: the products of that source's merchants; with a merchant, its own products.
 */
export async function getProductLeaderboard(
  db: Db,
  opts: {
    metric: Metric;
    sinceMs: number | null;
    limit: number;
    source?: Source;
    merchantId?: string | undefined;
  },
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
      .where(ofSourceMerchants(opts.source))
      .where(ofMerchant(opts.merchantId))
      .orderBy(first, "desc")
      .orderBy(second, "desc")
      .orderBy("merchant_id")
      .orderBy("product_id")
      .limit(opts.limit)
      .execute();
  }
  const rows = await db
    .selectFrom(productSalesSince(db, opts.sinceMs, opts.source, opts.merchantId).as("w"))
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
 * the rollups' whole minutes and hours (the same split as the summary's rate). A source's raw sales
 * are found by (source, sale_date); its rollup rows are those of its merchants.
 */
function productSalesSince(db: Db, sinceMs: number, source: Source, merchantId: string | undefined) {
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
      eb.fn.sum<number>(lineSatsSql("l.quantity", "l.unit_sats")).as("volume_sats"),
    ])
    .where("t.sale_date", ">=", sinceMs)
    .where("t.sale_date", "<", w.rawUntil)
    .where(ofSource(source, sql.ref("t.source")))
    .where(ofMerchant(merchantId, sql.ref("t.merchant_id")))
    .groupBy(["l.merchant_id", "l.product_id"]);
  const minutes = db
    .selectFrom("product_sales_by_minute")
    .select(["merchant_id", "product_id", "transactions", "volume_sats"])
    .where("minute", ">=", w.minutesFrom)
    .where("minute", "<", w.hoursFrom)
    .where(w.minutesCovered)
    .where(ofSourceMerchants(source))
    .where(ofMerchant(merchantId));
  const hours = db
    .selectFrom("product_sales_by_hour")
    .select(["merchant_id", "product_id", "transactions", "volume_sats"])
    .where("hour", ">=", w.hoursFrom)
    .where(ofSourceMerchants(source))
    .where(ofMerchant(merchantId));
  return raw.unionAll(minutes).unionAll(hours);
}

/** The leaderboard as `/v1/leaderboard/products` reads it: null when the merchant asked for does not exist. */
export async function readProductLeaderboard(
  db: Db,
  opts: Parameters<typeof getProductLeaderboard>[1],
): Promise<ProductStanding[] | null> {
  if (opts.merchantId !== undefined && !(await merchantExists(db, opts.merchantId))) return null;
  return getProductLeaderboard(db, opts);
}
