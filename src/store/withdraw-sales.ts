/**
 * Products and take-backs of keyed sources (source-poll.ts). BTCPay and LNbits keep no cumulative
 * product figures, so a merchant's products are its sales' lines added up as they are stored. A sale
 * the source takes back (a BTCPay invoice marked invalid after it settled) is removed with everything
 * it added: its lines, running totals, fiat totals, rollups and product figures, so every figure reads
 * as if it had never been stored. Milestones it helped fire stay fired: a celebration happened.
 */
import { type Kysely, sql } from "kysely";
import { HOUR_MS, lineSats, MINUTE_MS, productSalesPerBucket, salesPerBucket } from "./buckets.js";
import type { IncomingSale, WithdrawnSale } from "./poll-contents.js";
import type { PollWrites } from "./poll-seam.js";
import type { Database } from "./schema.js";

interface ProductSum {
  name: string;
  currency: string | null;
  transactions: number;
  units: number;
  sats: number;
}

/** Per product: sales containing it (once per sale), units and line sats. */
function productSums(sales: readonly IncomingSale[]): Map<number, ProductSum> {
  const sums = new Map<number, ProductSum>();
  for (const s of sales) {
    const seen = new Set<number>();
    for (const l of s.lines) {
      let p = sums.get(l.productId);
      if (!p) {
        p = { name: l.name, currency: s.currency, transactions: 0, units: 0, sats: 0 };
        sums.set(l.productId, p);
      }
      if (!seen.has(l.productId)) p.transactions += 1;
      seen.add(l.productId);
      p.units += l.quantity;
      p.sats += lineSats(l.quantity, l.unitSats);
    }
  }
  return sums;
}

/** Adds new sales' lines to the merchant's products (created on first sight); whether any changed. */
export async function addLinesToProducts(
  trx: Kysely<Database>,
  merchantId: string,
  fresh: readonly IncomingSale[],
  now: number,
): Promise<boolean> {
  const sums = productSums(fresh);
  for (const [productId, p] of sums) {
    // The newest name wins: a renamed item keeps its figures. The stored row's columns are named with
    // their table: PostgreSQL refuses a bare name that could also be excluded's as ambiguous.
    await sql`
      insert into products (merchant_id, product_id, name, currency, price, total_transactions,
        total_units_sold, total_revenue_sats, active, deleted, updated_at)
      values (${merchantId}, ${productId}, ${p.name}, ${p.currency}, null, ${p.transactions}, ${p.units},
        ${p.sats}, 1, 0, ${now})
      on conflict (merchant_id, product_id) do update set
        name = excluded.name,
        total_transactions = products.total_transactions + excluded.total_transactions,
        total_units_sold = products.total_units_sold + excluded.total_units_sold,
        total_revenue_sats = products.total_revenue_sats + excluded.total_revenue_sats,
        updated_at = excluded.updated_at`.execute(trx);
  }
  return sums.size > 0;
}

/** Removes the stored ones among the withdrawn sales; how many were stored. */
export async function withdrawSales(
  trx: Kysely<Database>,
  pw: PollWrites,
  merchantId: string,
  withdrawn: readonly WithdrawnSale[],
): Promise<number> {
  const removed: IncomingSale[] = [];
  for (const w of withdrawn) {
    const sale = await storedSale(trx, merchantId, w.externalId);
    if (sale) removed.push(sale);
  }
  if (removed.length === 0) return 0;
  await subtractTotals(trx, merchantId, removed);
  await subtractRollups(trx, await pw.minuteCoverage(), merchantId, removed);
  for (const [productId, p] of productSums(removed))
    await sql`
      update products set total_transactions = total_transactions - ${p.transactions},
        total_units_sold = total_units_sold - ${p.units}, total_revenue_sats = total_revenue_sats - ${p.sats}
      where merchant_id = ${merchantId} and product_id = ${productId}`.execute(trx);
  for (const s of removed) {
    await trx
      .deleteFrom("sale_lines")
      .where("merchant_id", "=", merchantId)
      .where("sale_id", "=", s.saleId)
      .execute();
    await trx
      .deleteFrom("transactions")
      .where("merchant_id", "=", merchantId)
      .where("sale_id", "=", s.saleId)
      .execute();
  }
  return removed.length;
}

async function storedSale(
  trx: Kysely<Database>,
  merchantId: string,
  externalId: string,
): Promise<IncomingSale | undefined> {
  const row = await trx
    .selectFrom("transactions")
    .select(["sale_id", "sale_origin", "sale_date", "amount_sats", "fiat_amount", "currency"])
    .where("merchant_id", "=", merchantId)
    .where("external_id", "=", externalId)
    .executeTakeFirst();
  if (!row) return undefined;
  const lines = await trx
    .selectFrom("sale_lines")
    .select(["product_id", "name", "quantity", "unit_sats"])
    .where("merchant_id", "=", merchantId)
    .where("sale_id", "=", row.sale_id)
    .orderBy("line_no")
    .execute();
  return {
    saleId: row.sale_id,
    origin: row.sale_origin,
    date: row.sale_date,
    amountSats: row.amount_sats,
    fiatAmount: row.fiat_amount,
    currency: row.currency,
    lines: lines.map((l) => ({
      productId: l.product_id,
      name: l.name,
      quantity: l.quantity,
      unitSats: l.unit_sats,
    })),
  };
}

async function subtractTotals(trx: Kysely<Database>, merchantId: string, removed: IncomingSale[]) {
  const sats = removed.reduce((n, s) => n + s.amountSats, 0);
  await sql`
    update merchants set total_transactions = total_transactions - ${removed.length},
      total_volume_sats = total_volume_sats - ${sats}
    where id = ${merchantId}`.execute(trx);
  for (const s of removed)
    if (s.currency !== null && s.fiatAmount !== null)
      await sql`
        update fiat_totals set amount = amount - ${s.fiatAmount}
        where merchant_id = ${merchantId} and currency = ${s.currency}`.execute(trx);
}

/** The hour rollups always, the minute ones for sales inside their covered span (from `from` on). */
async function subtractRollups(
  trx: Kysely<Database>,
  from: number,
  merchantId: string,
  removed: IncomingSale[],
) {
  const recent = removed.filter((s) => s.date >= from);
  for (const [hour, h] of salesPerBucket(removed, HOUR_MS))
    await sql`
      update sales_by_hour set transactions = transactions - ${h.transactions},
        volume_sats = volume_sats - ${h.volumeSats}
      where hour = ${hour} and merchant_id = ${merchantId}`.execute(trx);
  for (const [minute, m] of salesPerBucket(recent, MINUTE_MS))
    await sql`
      update sales_by_minute set transactions = transactions - ${m.transactions},
        volume_sats = volume_sats - ${m.volumeSats}
      where minute = ${minute} and merchant_id = ${merchantId}`.execute(trx);
  for (const p of productSalesPerBucket(removed, HOUR_MS))
    await sql`
      update product_sales_by_hour set transactions = transactions - ${p.transactions},
        volume_sats = volume_sats - ${p.volumeSats}
      where hour = ${p.bucket} and merchant_id = ${merchantId} and product_id = ${p.productId}`.execute(trx);
  for (const p of productSalesPerBucket(removed, HOUR_MS))
    await sql`
      update product_sales_totals set transactions = transactions - ${p.transactions},
        volume_sats = volume_sats - ${p.volumeSats}
      where merchant_id = ${merchantId} and product_id = ${p.productId}`.execute(trx);
  for (const p of productSalesPerBucket(recent, MINUTE_MS))
    await sql`
      update product_sales_by_minute set transactions = transactions - ${p.transactions},
        volume_sats = volume_sats - ${p.volumeSats}
      where minute = ${p.bucket} and merchant_id = ${merchantId} and product_id = ${p.productId}`.execute(
      trx,
    );
}
