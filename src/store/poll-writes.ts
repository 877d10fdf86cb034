/**
 * What one poll's new sales add to the merchant's figures, inside the poll transaction
 * (poll-transaction.ts), through the engine's PollWrites (poll-seam.ts): sums per bucket and product
 * computed here, so each kind of rollup is one batch whatever the number of sales.
 */

import {
  HOUR_MS,
  MINUTE_MS,
  MINUTE_ROLLUP_SPAN_MS,
  nextBoundary,
  productSalesPerBucket,
  salesPerBucket,
} from "./buckets.js";
import type { IncomingSale } from "./poll-contents.js";
import type { BucketSums, PollWrites, ProductSums } from "./poll-seam.js";

const bucketSums = (perBucket: Map<number, { transactions: number; volumeSats: number }>): BucketSums[] =>
  Array.from(perBucket, ([bucket, b]) => ({
    bucket,
    transactions: b.transactions,
    volumeSats: b.volumeSats,
  }));

/**
 * The new sales added to the rollups: one upsert per hour (and per product and hour) the poll touches,
 * however many sales, one per product for its all-time sums, and the same per minute for the sales of
 * the minute rollups' recent span. `fresh` must be the sales this transaction inserted (insertSales'
 * answer): a sale stored already is in the rollups already.
 */
export async function addToRollups(
  pw: PollWrites,
  merchantId: string,
  fresh: readonly IncomingSale[],
  now: number,
): Promise<void> {
  if (fresh.length > 0) await addToHours(pw, merchantId, fresh);
  // Moved on with or without sales: about once a minute, whichever poll comes then.
  const from = await advanceMinuteCoverage(pw, now);
  const recent = fresh.filter((s) => s.date >= from);
  if (recent.length === 0) return;
  await pw.addToMinuteRollups(merchantId, bucketSums(salesPerBucket(recent, MINUTE_MS)));
  const productMinutes = productSalesPerBucket(recent, MINUTE_MS);
  if (productMinutes.length > 0) await pw.addToProductMinuteRollups(merchantId, productMinutes);
}

/** The hour rollups and the products' all-time sums (the latter added up from the former). */
async function addToHours(pw: PollWrites, merchantId: string, fresh: readonly IncomingSale[]) {
  await pw.addToHourRollups(merchantId, bucketSums(salesPerBucket(fresh, HOUR_MS)));
  const productHours = productSalesPerBucket(fresh, HOUR_MS);
  if (productHours.length === 0) return;
  await pw.addToProductHourRollups(merchantId, productHours);
  const products = new Map<number, ProductSums>();
  for (const p of productHours) {
    const all = products.get(p.productId);
    if (all) {
      all.transactions += p.transactions;
      all.volumeSats += p.volumeSats;
    } else
      products.set(p.productId, {
        productId: p.productId,
        transactions: p.transactions,
        volumeSats: p.volumeSats,
      });
  }
  await pw.addToProductTotals(merchantId, [...products.values()]);
}

/**
 * Moves the start of the minute rollups' coverage up to the recent span before `now` (never back: a
 * poll with an earlier clock adds its sales from the start already covered) and drops the minutes
 * before it, about once a minute. Returns the start: this poll's sales from there on go in.
 */
async function advanceMinuteCoverage(pw: PollWrites, now: number): Promise<number> {
  const covered = await pw.minuteCoverage();
  const from = Math.max(covered, nextBoundary(now - MINUTE_ROLLUP_SPAN_MS, MINUTE_MS));
  if (from > covered) await pw.moveMinuteCoverage(from);
  return from;
}

/**
 * The merchant's running totals (sales, sats, fiat per currency) and its successful poll's state:
 * `skipped` is how many malformed rows its answer had, null when it read none (an unchanged body,
 * whose count from last time stands).
 */
export async function recordPollTotals(
  pw: PollWrites,
  merchantId: string,
  fresh: readonly IncomingSale[],
  digest: string | null,
  now: number,
  skipped: number | null,
): Promise<void> {
  const volumeSats = await addFiatTotals(pw, merchantId, fresh);
  await pw.recordPoll(merchantId, { transactions: fresh.length, volumeSats, now, digest, skipped });
}

/** The running totals only, for a batch of a streamed poll: its poll state waits for the body's end. */
export async function addToTotals(pw: PollWrites, merchantId: string, fresh: readonly IncomingSale[]) {
  if (fresh.length === 0) return;
  const volume = await addFiatTotals(pw, merchantId, fresh);
  await pw.addToTotals(merchantId, fresh.length, volume);
}

/** Adds the sales' fiat per currency to the merchant's totals; returns their sats. */
async function addFiatTotals(pw: PollWrites, merchantId: string, fresh: readonly IncomingSale[]) {
  let volume = 0;
  const fiat = new Map<string, number>();
  for (const s of fresh) {
    volume += s.amountSats;
    if (s.currency !== null && s.fiatAmount !== null) {
      fiat.set(s.currency, (fiat.get(s.currency) ?? 0) + s.fiatAmount);
    }
  }
  if (fiat.size > 0) await pw.addToFiatTotals(merchantId, fiat);
  return volume;
}
