// The WiFi scene's calls: the venue's WiFi offer and the sales of the `wifi` source (the LNbits webhook).
import type { Summary, TickerRow, WifiConfig } from "../../../src/contract/index.js";
import { type ClientOptions, request } from "./client";

export type { WifiConfig };

export const WIFI_SOURCE = "wifi";

export function createWifiApi(options: ClientOptions = {}) {
  return {
    config: () => request<WifiConfig>("/v1/wifi/config", options),
    summary: () => request<Summary>("/v1/summary", { ...options, query: { source: WIFI_SOURCE } }),
    sales: async (limit: number) => {
      const rows = await request<TickerRow[]>("/v1/ticker", {
        ...options,
        query: { limit, source: WIFI_SOURCE },
      });
      // Checked here too: a server without the source filter answers every source's sales.
      return Array.isArray(rows) ? rows.filter((r) => r.source === WIFI_SOURCE) : [];
    },
  };
}

export type WifiApi = ReturnType<typeof createWifiApi>;
