// What the stream's data events change in the live state, apart from the client's own effects
// (celebrations, playlist, refetch): a sale joins the ticker once, a summary replaces the totals, a
// merchant event updates that merchant.
import type { EventSettings, MerchantStatus, Summary, TickerRow } from "../api/types";
import type { SeenSales } from "./seen";
import { addSale, type LiveState, saleKey } from "./state";

export function dataPatch(
  type: string,
  data: unknown,
  state: LiveState,
  seenSales: SeenSales,
  tickerLimit: number,
): Partial<LiveState> {
  switch (type) {
    case "sale": {
      const row = data as TickerRow;
      if (!row || typeof row.merchant_id !== "string" || typeof row.sale_id !== "number") return {};
      const key = saleKey(row);
      if (seenSales.has(key)) return {};
      seenSales.add(key);
      return { ticker: addSale(state.ticker, row, tickerLimit), version: state.version + 1 };
    }
    case "summary":
      return { summary: data as Summary, version: state.version + 1 };
    case "merchant": {
      const m = data as MerchantStatus;
      return m && typeof m.id === "string" ? { merchants: { ...state.merchants, [m.id]: m } } : {};
    }
    default:
      return {};
  }
}

/** Whether an `event` event's data looks like the settings (a malformed one is ignored). */
export function isEventSettings(data: unknown): data is EventSettings {
  return typeof data === "object" && data !== null && typeof (data as EventSettings).name === "string";
}
