// A REST snapshot (summary, ticker, milestone triggers) folded into the live state: what the client
// fetches on load, after a gap in the stream, and every 5 s while it polls.
import type { MilestoneTrigger, Summary, TickerRow } from "../api/types";
import type { LiveApi } from "./options";
import type { SeenSales, SeenTriggers } from "./seen";
import { type LiveState, saleKey } from "./state";

export interface Snapshot {
  /** What changes in the state: an error only, when summary or ticker failed. */
  patch: Partial<LiveState>;
  /** The ticker as fetched, for the caller to merge into the state of when it arrives. */
  ticker?: TickerRow[];
  /** Triggers the screen has not celebrated yet. */
  newTriggers: MilestoneTrigger[];
}

export async function fetchSnapshot(
  api: LiveApi,
  version: number,
  seen: { sales: SeenSales; triggers: SeenTriggers },
  tickerLimit: number,
  now: () => number,
): Promise<Snapshot> {
  const [summary, ticker, triggers] = await Promise.allSettled([
    api.summary(),
    api.ticker(tickerLimit),
    api.triggers(),
  ]);
  const newTriggers = triggers.status === "fulfilled" ? seen.triggers.newInList(triggers.value) : [];
  const failure = [summary, ticker].find((r) => r.status === "rejected");
  if (failure) {
    const reason = (failure as PromiseRejectedResult).reason;
    return { patch: { error: reason instanceof Error ? reason.message : "Request failed" }, newTriggers };
  }
  const patch: Partial<LiveState> = { error: null, freshAt: now(), version: version + 1 };
  if (summary.status === "fulfilled" && summary.value) patch.summary = summary.value as Summary;
  if (ticker.status !== "fulfilled") return { patch, newTriggers };
  const rows: TickerRow[] = Array.isArray(ticker.value) ? ticker.value : [];
  for (const row of rows) seen.sales.add(saleKey(row));
  return { patch, newTriggers, ticker: rows };
}
