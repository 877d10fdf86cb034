/**
 * What the admin's data health answer is made of (GET /v1/admin/data-health, store/shapes.ts makes
 * it): every merchant's poll record, and for the sources that report product totals, those totals
 * beside what the stored sales add up to per product (product_sales_totals, kept by the poll
 * transaction beside the hourly product rollups: a row per product, no sale or line is read).
 */
import type { ProductFigure } from "../health/verdicts.js";
import type { Db } from "./db.js";
import { POLLED_SOURCE } from "./poll-statements.js";

/** Sources whose answers carry cumulative product figures (PayWithFlash's `products` stats). */
export const SOURCES_WITH_PRODUCT_TOTALS: readonly string[] = [POLLED_SOURCE];

export interface MerchantHealthRow {
  id: string;
  alias: string;
  source: string;
  enabled: number;
  last_polled_at: number | null;
  last_error: string | null;
  consecutive_failures: number;
  total_failures: number;
  last_failure: string | null;
  last_failed_at: number | null;
  skipped_rows: number;
  skipped_rows_total: number;
}

export interface ProductFigureRow {
  merchant_id: string;
  product_id: number;
  name: string;
  transactions: number;
  revenue_sats: number;
}

export interface DataHealthRows {
  merchants: MerchantHealthRow[];
  /** The source's latest product figures (the products table, replaced by every poll). */
  sourceProducts: ProductFigureRow[];
  /** The stored sales per product: sales listing it, and its lines' sats. */
  storedProducts: ProductFigureRow[];
}

export async function readDataHealth(db: Db, _args: Record<string, never>): Promise<DataHealthRows> {
  const merchants = await db
    .selectFrom("merchants")
    .select([
      "id",
      "alias",
      "source",
      "enabled",
      "last_polled_at",
      "last_error",
      "consecutive_failures",
      "total_failures",
      "last_failure",
      "last_failed_at",
      "skipped_rows",
      "skipped_rows_total",
    ])
    .orderBy("alias")
    .orderBy("id")
    .execute();
  const sourceProducts = await db
    .selectFrom("products as p")
    .innerJoin("merchants as m", "m.id", "p.merchant_id")
    .where("m.source", "in", SOURCES_WITH_PRODUCT_TOTALS)
    .select([
      "p.merchant_id",
      "p.product_id",
      "p.name",
      "p.total_transactions as transactions",
      "p.total_revenue_sats as revenue_sats",
    ])
    // Ordered by key so the answer is the same on both engines (each returns an unordered join in
    // its own order). By m.id, equal to the merchant_id: SQLite then walks merchants by their key and
    // sorts only each merchant's own rows (EXPLAIN QUERY PLAN: a temp b-tree for the last term only).
    .orderBy("m.id")
    .orderBy("p.product_id")
    .execute();
  const storedProducts = await db
    .selectFrom("product_sales_totals as r")
    .innerJoin("merchants as m", "m.id", "r.merchant_id")
    .where("m.source", "in", SOURCES_WITH_PRODUCT_TOTALS)
    .select((eb) => [
      "r.merchant_id",
      "r.product_id",
      eb.val("").as("name"),
      "r.transactions",
      "r.volume_sats as revenue_sats",
    ])
    .orderBy("m.id")
    .orderBy("r.product_id")
    .execute();
  return { merchants, sourceProducts, storedProducts };
}

/** Each merchant's product figures (SQLite's sums may come as bigints: numbers here). */
export function figuresByMerchant(rows: readonly ProductFigureRow[]): Map<string, ProductFigure[]> {
  const byMerchant = new Map<string, ProductFigure[]>();
  for (const r of rows) {
    const figure = {
      productId: r.product_id,
      name: r.name,
      transactions: Number(r.transactions),
      revenueSats: Number(r.revenue_sats),
    };
    const to = byMerchant.get(r.merchant_id);
    if (to) to.push(figure);
    else byMerchant.set(r.merchant_id, [figure]);
  }
  return byMerchant;
}

const NO_PRODUCT_TOTALS: Record<string, string> = {
  btcpay: "BTCPay Server reports no product totals",
  lnbits: "LNbits reports no product totals",
  wifi: "the WiFi webhook reports no product totals",
};

/** Why a source's merchant has no product totals to compare with. */
export function noProductTotals(source: string): string {
  return NO_PRODUCT_TOTALS[source] ?? `${source} reports no product totals`;
}
