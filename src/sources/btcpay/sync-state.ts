/**
 * What a BTCPay merchant's poll keeps for the next one, and the window a re-poll reads.
 *
 * Greenfield has no "changed since": `startDate` filters on an invoice's creation time, while an invoice
 * can still settle (or turn Invalid) until its monitoring window ends. With BTCPay's defaults that is
 * the 15-minute invoice expiry plus 24 hours of monitoring after it, so an invoice created more than
 * 24 h 15 min before the newest one seen can no longer change on its own: re-polls ask for invoices
 * created since (newest createdTime seen − MONITORING_OVERLAP_S). What changes later is done by hand
 * (marked Settled or Invalid): the webhook BTCPay sends for it names the invoice, and the poll fetches
 * that one by id. A store configured with a longer monitoring window needs its webhook for invoices that
 * settle later than this, or an operator's refetch.
 */
import { isObj } from "../source-sale.js";

/** BTCPay's default invoice expiry (15 min) plus its default monitoring window (24 h), in seconds. */
export const MONITORING_OVERLAP_S = 15 * 60 + 24 * 60 * 60;

export interface BtcpaySyncState {
  v: 1;
  /** The store the state was read from: settings pointing at another store start over. */
  storeId: string;
  /** The newest `createdTime` (unix s) of an invoice seen so far. */
  newestCreated: number;
}

/** The stored state if it is ours and for this store; null (read everything) otherwise. */
export function readSyncState(raw: unknown, storeId: string): BtcpaySyncState | null {
  if (!isObj(raw) || raw.v !== 1 || raw.storeId !== storeId) return null;
  const newest = raw.newestCreated;
  if (typeof newest !== "number" || !Number.isSafeInteger(newest) || newest < 0) return null;
  return { v: 1, storeId, newestCreated: newest };
}

/** The `startDate` of a re-poll, or undefined for a first poll (the whole history). */
export function startDateOf(state: BtcpaySyncState | null): number | undefined {
  return state === null ? undefined : Math.max(0, state.newestCreated - MONITORING_OVERLAP_S);
}

/** The next state: the newest createdTime among these invoices and the one before. */
export function nextSyncState(
  previous: BtcpaySyncState | null,
  storeId: string,
  invoices: Iterable<unknown>,
): BtcpaySyncState | null {
  let newest = previous?.newestCreated ?? null;
  for (const raw of invoices) {
    const created = isObj(raw) ? raw.createdTime : undefined;
    if (typeof created === "number" && Number.isSafeInteger(created) && created > 0)
      newest = newest === null ? created : Math.max(newest, created);
  }
  return newest === null ? null : { v: 1, storeId, newestCreated: newest };
}
