/** The rows one poll writes, inside the poll transaction (poll-transaction.ts), on prepared statements. */

import {
  HOUR_MS,
  MINUTE_MS,
  MINUTE_ROLLUP_SPAN_MS,
  nextBoundary,
  productSalesPerBucket,
  salesPerBucket,
} from "./buckets.js";
import type { IncomingSale, ProductFigures } from "./poll-contents.js";
import type { PollStatements } from "./poll-statements.js";

/** Sales stored between two yields to the event loop. */
const SALE_CHUNK = 2000;
/** Products stored between two yields to the event loop. */
const PRODUCT_CHUNK = 2000;

/** Lets HTTP requests run between the chunks of a big poll; reads use their own connection meanwhile. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function insertSales(
  st: PollStatements,
  merchantId: string,
  sales: IncomingSale[],
  now: number,
): Promise<void> {
  // Upstream lists sales newest first. Stored oldest first, every index (merchant + sale id, dates) is
  // appended to at its end instead of split at its start: about 4 % faster on a million-sale history,
  // and the row ids then follow the sale ids (the ticker's tie-break on equal dates).
  const count = sales.length;
  const last = count - 1;
  const backwards = count > 1 && (sales[0] as IncomingSale).saleId > (sales[last] as IncomingSale).saleId;
  for (let i = 0; i < count; i += SALE_CHUNK) {
    const end = Math.min(i + SALE_CHUNK, count);
    for (let j = i; j < end; j++) {
      const s = sales[backwards ? last - j : j] as IncomingSale;
      // Never expected (sales are filtered against stored ids first), but a duplicate must never fail the poll.
      st.sale.run(merchantId, s.saleId, s.origin, s.date, s.amountSats, s.fiatAmount, s.currency, now);
      for (let n = 0; n < s.lines.length; n++) {
        const l = s.lines[n] as IncomingSale["lines"][number];
        st.line.run(merchantId, s.saleId, n, l.productId, l.name, l.quantity, l.unitSats);
      }
    }
    if (end < count) await yieldToEventLoop();
  }
}

/**
 * The new sales added to the rollups: one upsert per hour (and per product and hour) the poll touches,
 * however many sales, one per product for its all-time sums, and the same per minute for the sales of
 * the minute rollups' recent span.
 */
export function addToRollups(
  st: PollStatements,
  merchantId: string,
  fresh: readonly IncomingSale[],
  now: number,
): void {
  for (const [hour, h] of salesPerBucket(fresh, HOUR_MS))
    st.addToHour.run(hour, merchantId, h.transactions, h.volumeSats);
  const products = new Map<number, { transactions: number; volumeSats: number }>();
  for (const p of productSalesPerBucket(fresh, HOUR_MS)) {
    st.addToProductHour.run(p.bucket, merchantId, p.productId, p.transactions, p.volumeSats);
    const all = products.get(p.productId);
    if (all) {
      all.transactions += p.transactions;
      all.volumeSats += p.volumeSats;
    } else products.set(p.productId, { transactions: p.transactions, volumeSats: p.volumeSats });
  }
  for (const [productId, p] of products)
    st.addToProductTotal.run(merchantId, productId, p.transactions, p.volumeSats);
  const from = advanceMinuteCoverage(st, now);
  const recent = fresh.filter((s) => s.date >= from);
  for (const [minute, m] of salesPerBucket(recent, MINUTE_MS))
    st.addToMinute.run(minute, merchantId, m.transactions, m.volumeSats);
  for (const p of productSalesPerBucket(recent, MINUTE_MS))
    st.addToProductMinute.run(p.bucket, merchantId, p.productId, p.transactions, p.volumeSats);
}

/**
 * Moves the start of the minute rollups' coverage up to the recent span before `now` (never back: a
 * poll with an earlier clock adds its sales from the start already covered) and drops the minutes
 * before it, about once a minute. Returns the start: this poll's sales from there on go in.
 */
function advanceMinuteCoverage(st: PollStatements, now: number): number {
  const covered = st.minuteCoverage.get() as number;
  const from = Math.max(covered, nextBoundary(now - MINUTE_ROLLUP_SPAN_MS, MINUTE_MS));
  if (from > covered) {
    st.setMinuteCoverage.run(from);
    st.dropMinutesBefore.run(from);
    st.dropProductMinutesBefore.run(from);
  }
  return from;
}

/**
 * The merchant's running totals (sales, sats, fiat per currency) and its successful poll's state:
 * `skipped` is how many malformed rows its answer had, null when it read none (an unchanged body,
 * whose count from last time stands).
 */
export function recordPollTotals(
  st: PollStatements,
  merchantId: string,
  fresh: readonly IncomingSale[],
  digest: string | null,
  now: number,
  skipped: number | null,
): void {
  const volume = addFiatTotals(st, merchantId, fresh);
  st.recordPoll.run(fresh.length, volume, now, digest, skipped, skipped, merchantId);
}

/** The running totals only, for a batch of a streamed poll: its poll state waits for the body's end. */
export function addToTotals(st: PollStatements, merchantId: string, fresh: readonly IncomingSale[]): void {
  const volume = addFiatTotals(st, merchantId, fresh);
  st.addTotals.run(fresh.length, volume, merchantId);
}

/** Adds the sales' fiat per currency to the merchant's totals; returns their sats. */
function addFiatTotals(st: PollStatements, merchantId: string, fresh: readonly IncomingSale[]): number {
  let volume = 0;
  const fiat = new Map<string, number>();
  for (const s of fresh) {
    volume += s.amountSats;
    if (s.currency !== null && s.fiatAmount !== null) {
      fiat.set(s.currency, (fiat.get(s.currency) ?? 0) + s.fiatAmount);
    }
  }
  for (const [currency, amount] of fiat) st.addFiat.run(merchantId, currency, amount);
  return volume;
}

/**
 * Product figures are cumulative: the newest poll's values replace the stored ones.
 * Returns whether any row changed.
 */
export async function upsertProducts(
  st: PollStatements,
  merchantId: string,
  products: ProductFigures[],
  now: number,
): Promise<boolean> {
  let changed = false;
  for (let i = 0; i < products.length; i++) {
    const p = products[i] as ProductFigures;
    const result = st.product.run(
      merchantId,
      p.productId,
      p.name,
      p.currency,
      p.price,
      p.totalTransactions,
      p.totalUnitsSold,
      p.totalRevenueSats,
      p.active ? 1 : 0,
      p.deleted ? 1 : 0,
      now,
    );
    if (result.changes > 0) changed = true;
    if ((i + 1) % PRODUCT_CHUNK === 0 && i + 1 < products.length) await yieldToEventLoop();
  }
  return changed;
}
