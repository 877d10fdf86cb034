// The live data a dashboard shows, and pure functions that fold server data into it.
import type { MerchantStatus, Summary, TickerRow } from "../api/types";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "polling";

export interface LiveState {
  status: ConnectionStatus;
  summary: Summary | null;
  /** Newest first, at most `tickerLimit` rows, unique by merchant_id + sale_id. */
  ticker: TickerRow[];
  /** Latest `merchant` event per merchant id. */
  merchants: Record<string, MerchantStatus>;
  /** Last moment the data on screen was known to be current (ms since epoch), null before any data. */
  freshAt: number | null;
  /** The `id:` of the last stream event seen. The browser resends it itself on reconnect. */
  lastEventId: string | null;
  /** Bumps whenever sales data may have changed: derived views (leaderboards, charts) refetch. */
  version: number;
  /** Bumps when continuity was lost and everything was refetched (`reset`, a new stream). */
  resyncs: number;
  /** Last REST failure while polling or refetching, cleared by the next success. */
  error: string | null;
  /** False when the browser has no EventSource: polling only. */
  streamSupported: boolean;
}

export function initialLiveState(streamSupported: boolean): LiveState {
  return {
    status: streamSupported ? "connecting" : "polling",
    summary: null,
    ticker: [],
    merchants: {},
    freshAt: null,
    lastEventId: null,
    version: 0,
    resyncs: 0,
    error: null,
    streamSupported,
  };
}

export function saleKey(row: Pick<TickerRow, "merchant_id" | "sale_id">): string {
  return `${row.merchant_id}:${row.sale_id}`;
}

function newestFirst(a: TickerRow, b: TickerRow): number {
  const da = Date.parse(a.sale_date);
  const db = Date.parse(b.sale_date);
  if (da !== db) return (Number.isNaN(db) ? 0 : db) - (Number.isNaN(da) ? 0 : da);
  return b.sale_id - a.sale_id;
}

/** Adds one sale (a stream event) unless the ticker already holds it. */
export function addSale(ticker: TickerRow[], row: TickerRow, limit: number): TickerRow[] {
  const key = saleKey(row);
  if (ticker.some((r) => saleKey(r) === key)) return ticker;
  return [row, ...ticker].sort(newestFirst).slice(0, limit);
}

/**
 * Folds a REST ticker snapshot in: the snapshot is the truth, but rows already shown that are
 * newer than anything in it (stream sales that raced the request) are kept.
 */
export function mergeTicker(current: TickerRow[], snapshot: TickerRow[], limit: number): TickerRow[] {
  const newestInSnapshot = snapshot.reduce((max, r) => Math.max(max, Date.parse(r.sale_date) || 0), 0);
  const seen = new Set<string>();
  const merged: TickerRow[] = [];
  const candidates = [
    ...current.filter((r) => (Date.parse(r.sale_date) || 0) > newestInSnapshot),
    ...snapshot,
  ];
  for (const row of candidates) {
    const key = saleKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(row);
  }
  return merged.sort(newestFirst).slice(0, limit);
}

export interface Banner {
  kind: "offline" | "stale" | "connecting";
  text: string;
}

/**
 * What the stale/offline banner should say, or null when the data is live.
 * Data counts as stale once the client is off the stream and nothing fresh arrived for `staleAfterMs`.
 */
export function connectionBanner(state: LiveState, now: number, staleAfterMs = 15_000): Banner | null {
  if (state.status === "live") return null;
  if (state.freshAt === null) {
    if (state.error)
      return { kind: "offline", text: `No data yet — ${state.error.toLowerCase()}. Retrying…` };
    return state.status === "connecting"
      ? null
      : { kind: "connecting", text: "Connecting to the live feed…" };
  }
  const age = now - state.freshAt;
  if (age <= staleAfterMs) return null;
  const seconds = Math.round(age / 1000);
  const ago = seconds < 120 ? `${seconds}s` : `${Math.round(seconds / 60)} min`;
  return {
    kind: state.error ? "offline" : "stale",
    text: `${state.error ? "Server unreachable" : "Connection lost"} — showing data from ${ago} ago. Retrying…`,
  };
}

export function isStale(state: LiveState, now: number, staleAfterMs = 15_000): boolean {
  const banner = connectionBanner(state, now, staleAfterMs);
  return banner !== null && banner.kind !== "connecting";
}
