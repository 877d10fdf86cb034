import type { Transaction } from "kysely";
import type { IncomingSale } from "./poll-contents.js";
import type { PollWrites } from "./poll-seam.js";
import type { Database } from "./schema.js";

/** A poll's sales split at the highest sale id already stored, with what checks the older block at once. */
export interface SalesAtStoredMax {
  /** Ids above the highest stored one: new for certain. */
  newer: IncomingSale[];
  /** Ids at or below it: stored already, unless the block below differs. */
  older: IncomingSale[];
  /** The lowest and highest of the older ids and their sum, compared with the stored ids over that range. */
  lowestOlderId: number;
  highestOlderId: number;
  olderIdSum: number;
}

export function splitAtStoredMax(sales: readonly IncomingSale[], storedMax: number): SalesAtStoredMax {
  const newer: IncomingSale[] = [];
  const older: IncomingSale[] = [];
  let lowestOlderId = Number.POSITIVE_INFINITY;
  let highestOlderId = Number.NEGATIVE_INFINITY;
  let olderIdSum = 0;
  for (const s of sales) {
    if (s.saleId > storedMax) newer.push(s);
    else {
      older.push(s);
      olderIdSum += s.saleId;
      if (s.saleId < lowestOlderId) lowestOlderId = s.saleId;
      if (s.saleId > highestOlderId) highestOlderId = s.saleId;
    }
  }
  return { newer, older, lowestOlderId, highestOlderId, olderIdSum };
}

/**
 * Beyond this many stored ids per older sale in the older block's range, the older sales are looked up
 * one by one instead of reading the range: a streamed poll's batch of an unsorted history spans nearly
 * every stored id, and reading them all for each batch would make the poll quadratic.
 */
const RANGE_READ_LIMIT = 4;

/**
 * The sales of the poll (or of one batch of a streamed poll) not stored yet. Upstream returns the whole
 * history every time, so the usual re-poll is "everything known plus a few new ones with higher ids".
 * Ids above the highest stored one are new; the rest are checked as a block (count and sum of the
 * stored ids over their own range, one index range scan) and only looked up when that block differs,
 * e.g. after an upstream reset, or for each batch after the first of a cold streamed poll.
 */
export async function newSalesOnly(
  trx: Transaction<Database>,
  pw: PollWrites,
  merchantId: string,
  sales: IncomingSale[],
): Promise<IncomingSale[]> {
  if (sales.length === 0) return [];
  const max = await pw.maxSaleId(merchantId);
  if (max === null) return sales;
  const { newer, older, lowestOlderId: lo, highestOlderId: hi, olderIdSum } = splitAtStoredMax(sales, max);
  if (older.length === 0) return newer;
  const block = await pw.storedBlock(merchantId, lo, hi);
  if (block.n === older.length && block.sum === olderIdSum) return newer;
  if (block.n === 0) return sales;
  if (block.n > older.length * RANGE_READ_LIMIT) {
    const stored = await pw.storedSales(
      merchantId,
      older.map((s) => s.saleId),
    );
    return [...older.filter((s) => !stored.has(s.saleId)), ...newer];
  }
  const known = await trx
    .selectFrom("transactions")
    .select("sale_id")
    .where("merchant_id", "=", merchantId)
    .where("sale_id", ">=", lo)
    .where("sale_id", "<=", hi)
    .execute();
  const ids = new Set(known.map((r) => r.sale_id));
  return [...older.filter((s) => !ids.has(s.saleId)), ...newer];
}
