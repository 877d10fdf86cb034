import { sql } from "kysely";
import type { Db } from "./db.js";

export const HOUR_MS = 3_600_000;

/** Start of the UTC hour holding `ms`; floor, so dates before 1970 land in the right hour too. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** First hour boundary at or after `ms`: windows split there into raw sales before and hourly rows after. */
export function nextHourBoundary(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

/**
 * Sales per UTC hour, ready to add to the hourly rollup: ingest adds them in the poll's transaction
 * with its prepared upsert (one row per hour the poll touches, however many sales).
 */
export function salesByHour(
  sales: readonly { date: number; amountSats: number }[],
): Map<number, { transactions: number; volumeSats: number }> {
  const byHour = new Map<number, { transactions: number; volumeSats: number }>();
  for (const s of sales) {
    const h = hourOf(s.date);
    const agg = byHour.get(h);
    if (agg) {
      agg.transactions += 1;
      agg.volumeSats += s.amountSats;
    } else byHour.set(h, { transactions: 1, volumeSats: s.amountSats });
  }
  return byHour;
}

/** What one product's lines in one UTC hour add to the product rollup. */
export interface ProductHour {
  hour: number;
  productId: number;
  /** Sales containing the product: a sale listing it twice counts once. */
  transactions: number;
  volumeSats: number;
}

/**
 * Sales lines per UTC hour and product, ready to add to the product rollup (one merchant's sales).
 * A sale lies in one hour, so per-hour counts of the sales containing a product add up exactly.
 */
export function productSalesByHour(
  sales: readonly {
    date: number;
    lines: readonly { productId: number; quantity: number; unitSats: number }[];
  }[],
): ProductHour[] {
  // By hour, then product: no key string built per line (a first poll can bring millions of lines).
  const byHour = new Map<number, Map<number, ProductHour>>();
  const result: ProductHour[] = [];
  const seenInSale = new Set<number>();
  for (const s of sales) {
    if (s.lines.length === 0) continue;
    const hour = hourOf(s.date);
    let products = byHour.get(hour);
    if (!products) {
      products = new Map();
      byHour.set(hour, products);
    }
    seenInSale.clear();
    for (const l of s.lines) {
      let agg = products.get(l.productId);
      if (!agg) {
        agg = { hour, productId: l.productId, transactions: 0, volumeSats: 0 };
        products.set(l.productId, agg);
        result.push(agg);
      }
      if (!seenInSale.has(l.productId)) {
        seenInSale.add(l.productId);
        agg.transactions += 1;
      }
      agg.volumeSats += lineSats(l.quantity, l.unitSats);
    }
  }
  return result;
}

/** Above this a double has no fraction, and SQLite's round() returns it as it is. */
const NO_FRACTION_ABOVE = 2 ** 52;

/**
 * A line's sats exactly as SQL's round(quantity * unit_sats) gives them (the raw windowed count):
 * SQLite adds a half and truncates, which Math.round does not match for every double near .5.
 */
export function lineSats(quantity: number, unitSats: number): number {
  const x = quantity * unitSats;
  return x > NO_FRACTION_ABOVE ? x : Math.trunc(x + 0.5);
}

/**
 * Recomputes every precomputed figure (merchant running totals, fiat totals, hourly rollups) from the
 * stored sales, in one transaction. For bulk loads and repairs; ingest keeps them current incrementally.
 */
export async function rebuildDerived(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`
      update merchants set
        total_transactions = coalesce((select count(*) from transactions t where t.merchant_id = merchants.id), 0),
        total_volume_sats = coalesce((select sum(amount_sats) from transactions t where t.merchant_id = merchants.id), 0)
    `.execute(trx);
    await sql`delete from fiat_totals`.execute(trx);
    await sql`
      insert into fiat_totals (merchant_id, currency, amount)
      select merchant_id, currency, sum(fiat_amount) from transactions
      where currency is not null and fiat_amount is not null
      group by merchant_id, currency`.execute(trx);
    await sql`delete from sales_by_hour`.execute(trx);
    await sql`
      insert into sales_by_hour (hour, merchant_id, transactions, volume_sats)
      select sale_date - ((sale_date % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}, merchant_id, count(*), sum(amount_sats)
      from transactions group by 1, 2`.execute(trx);
    await sql`delete from product_sales_by_hour`.execute(trx);
    await sql`
      insert into product_sales_by_hour (hour, merchant_id, product_id, transactions, volume_sats)
      select t.sale_date - ((t.sale_date % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}, l.merchant_id, l.product_id,
        count(distinct l.sale_id), sum(round(l.quantity * l.unit_sats))
      from sale_lines l join transactions t on t.merchant_id = l.merchant_id and t.sale_id = l.sale_id
      group by 1, 2, 3`.execute(trx);
  });
}
