import type { Transaction } from "kysely";
import type { IncomingSale } from "./poll-contents.js";
import type { PollStatements } from "./poll-statements.js";
import type { Database } from "./schema.js";

/** A poll's sales split at the highest sale id already stored, with what checks the older block at once. */
export interface SalesAtStoredMax {
  /** Ids above the highest stored one: new for certain. */
  newer: IncomingSale[];
  /** Ids at or below it: stored already, unless the block below differs. */
  older: IncomingSale[];
  /** The lowest of the older ids and their sum, compared with the stored ids over the same range. */
  lowestOlderId: number;
  olderIdSum: number;
}

export function splitAtStoredMax(sales: readonly IncomingSale[], storedMax: number): SalesAtStoredMax {
  const newer: IncomingSale[] = [];
  const older: IncomingSale[] = [];
  let lowestOlderId = Number.POSITIVE_INFINITY;
  let olderIdSum = 0;
  for (const s of sales) {
    if (s.saleId > storedMax) newer.push(s);
    else {
      older.push(s);
      olderIdSum += s.saleId;
      if (s.saleId < lowestOlderId) lowestOlderId = s.saleId;
    }
  }
  return { newer, older, lowestOlderId, olderIdSum };
}

/**
 * The sales of the poll not stored yet. Upstream returns the whole history every time, so the usual
 * re-poll is "everything known plus a few new ones with higher ids". Ids above the highest stored one
 * are new; the rest are checked as a block (count and sum of the stored ids over their range, one index
 * range scan) and only looked up one by one when that block differs, e.g. after an upstream reset.
 */
export async function newSalesOnly(
  trx: Transaction<Database>,
  st: PollStatements,
  merchantId: string,
  sales: IncomingSale[],
): Promise<IncomingSale[]> {
  if (sales.length === 0) return [];
  const max = st.maxSaleId.get(merchantId) as number | null;
  if (max === null) return sales;
  const { newer, older, lowestOlderId: lo, olderIdSum } = splitAtStoredMax(sales, max);
  if (older.length === 0) return newer;
  const block = st.storedBlock.get(merchantId, lo, max) as { n: number; sum: number };
  if (block.n === older.length && block.sum === olderIdSum) return newer;
  const known = await trx
    .selectFrom("transactions")
    .select("sale_id")
    .where("merchant_id", "=", merchantId)
    .where("sale_id", ">=", lo)
    .where("sale_id", "<=", max)
    .execute();
  const ids = new Set(known.map((r) => r.sale_id));
  return [...older.filter((s) => !ids.has(s.saleId)), ...newer];
}
