/**
 * What an LNbits merchant's next poll needs to ask for less: the newest creation `time` seen, and
 * the oldest pending incoming invoice that could still be paid. LNbits filters nothing useful by
 * itself (only creation `time` is filterable, 0.x's time filter compares a date with unix numbers,
 * unknown filters are silently ignored), so the client reads newest first and stops once a page
 * reaches rows created before the window below. A pending invoice turns success without its `time`
 * changing, until its expiry (3600 s by default), so the window reaches back an overlap longer than
 * that, and further for a still-payable invoice with a longer expiry.
 */
import { parseInstant } from "../../time/instant.js";
import { isObj, type Obj, unixSecondsToMs } from "../source-sale.js";

export interface LnbitsSyncState {
  v: 1;
  /** The newest creation `time` seen (LNbits' clock, epoch ms); null when the wallet had no payments. */
  newest: number | null;
  /** The creation time of the oldest pending incoming invoice that was still payable; null when none. */
  pendingFrom: number | null;
}

/** Twice the default expiry: room for an expiry set a little longer and for the clocks' drift. */
export const OVERLAP_MS = 2 * 3600_000;
/** An invoice payable for weeks must not keep every poll reading weeks of history. */
export const MAX_LOOKBACK_MS = 7 * 24 * 3600_000;
const DEFAULT_EXPIRY_MS = 3600_000;

/** A stored state, or null (read everything) when it is absent or not one this version wrote. */
export function readSyncState(v: unknown): LnbitsSyncState | null {
  if (!isObj(v) || v.v !== 1) return null;
  const newest = timeOrNull(v.newest);
  const pendingFrom = timeOrNull(v.pendingFrom);
  if (newest === undefined || pendingFrom === undefined || newest === null) return null;
  return { v: 1, newest, pendingFrom };
}

function timeOrNull(v: unknown): number | null | undefined {
  if (v === null) return null;
  return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
}

/** Rows created before this cannot have changed since the state was written; -Infinity: read all. */
export function windowStart(state: LnbitsSyncState | null): number {
  if (state === null || state.newest === null) return Number.NEGATIVE_INFINITY;
  const overlap = state.newest - OVERLAP_MS;
  const pending = state.pendingFrom ?? overlap;
  return Math.max(Math.min(overlap, pending), state.newest - MAX_LOOKBACK_MS);
}

/** A row's creation time: ISO (1.x) or unix seconds (0.x); null when unreadable. */
export function rowTime(row: Obj): number | null {
  return typeof row.time === "string" ? parseInstant(row.time) : unixSecondsToMs(row.time);
}

/** Builds the next state from the rows one poll read. */
export class SyncStateBuilder {
  private newest: number | null;
  private pendingFrom: number | null = null;

  constructor(
    previous: LnbitsSyncState | null,
    private readonly now: number,
  ) {
    this.newest = previous?.newest ?? null;
  }

  see(row: Obj): void {
    const t = rowTime(row);
    if (t === null) return;
    if (this.newest === null || t > this.newest) this.newest = t;
    if (!isPendingIncoming(row)) return;
    // Payable until its expiry; past it (with margin for the clocks) it can no longer turn success.
    const expires = expiryOf(row) ?? t + DEFAULT_EXPIRY_MS;
    if (expires + OVERLAP_MS / 2 < this.now) return;
    if (this.pendingFrom === null || t < this.pendingFrom) this.pendingFrom = t;
  }

  result(): LnbitsSyncState {
    return { v: 1, newest: this.newest, pendingFrom: this.pendingFrom };
  }
}

function isPendingIncoming(row: Obj): boolean {
  if (typeof row.amount !== "number" || row.amount <= 0) return false;
  if (typeof row.status === "string") return row.status === "pending";
  return row.pending === true;
}

function expiryOf(row: Obj): number | null {
  return typeof row.expiry === "string" ? parseInstant(row.expiry) : unixSecondsToMs(row.expiry);
}
