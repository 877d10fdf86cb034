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

/**
 * Recomputes every precomputed figure (merchant running totals, fiat totals, hourly rollup) from the
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
  });
}
