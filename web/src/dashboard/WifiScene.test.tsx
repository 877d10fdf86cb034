// The WiFi scene rendered to static markup (no DOM), and the calls it makes.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Summary, TickerRow } from "../api/types";
import { createWifiApi, type WifiConfig } from "../api/wifi";
import { byTestId, one } from "../testing/markup";
import { wifiSales } from "./useWifiScene";
import { WifiScene, type WifiSceneProps } from "./WifiScene";

const config: WifiConfig = {
  lightning_address: "wifi@pay.example",
  description: "Upgrade the venue WiFi from 30 Mbps to 100 Mbps for 8 hours for 2,100 sats.",
  price_sats: "2100",
  duration_hours: "8",
};
const summary = (transactions: number, sats: number): Summary => ({
  total_transactions: transactions,
  total_volume_sats: sats,
  average_transaction_size: transactions === 0 ? 0 : sats / transactions,
  active_merchants: 1,
  reporting_merchants: 1,
  total_merchants: 3,
  unique_products: 0,
  transactions_per_minute: 0,
  volume_per_minute: 0,
  rate_window_seconds: 300,
  fiat_volume: [],
});
const wifiSale = (saleId: number, date: string): TickerRow => ({
  sale_id: saleId,
  merchant_id: "wifi",
  merchant_alias: "WiFi Upgrades",
  amount_sats: 2100,
  sale_date: date,
  source: "wifi",
  external_id: "f".repeat(64),
});
const NOW = Date.parse("2025-11-10T14:30:00Z");
const render = (over: Partial<WifiSceneProps> = {}) =>
  renderToStaticMarkup(
    <WifiScene config={config} summary={summary(3, 6300)} sales={[]} now={NOW} animate={false} {...over} />,
  );

describe("WifiScene", () => {
  it("shows the offer, its price and the lightning address", () => {
    const html = render();
    expect(html).toMatch(/<section[^>]*data-scene="wifi"/);
    expect(html).toContain(config.description);
    expect(one(html, "wifi-price").tag).toBe("p");
    expect(html).toContain("8 hours for 2,100 satoshis");
    expect(html).toMatch(/data-testid="wifi-lightning-address"[^>]*>wifi@pay\.example</);
  });

  it("leaves out an empty address, and the whole offer while it is unknown", () => {
    expect(
      byTestId(render({ config: { ...config, lightning_address: "" } }), "wifi-lightning-address"),
    ).toHaveLength(0);
    const unknown = render({ config: undefined });
    expect(byTestId(unknown, "wifi-description")).toHaveLength(0);
    expect(byTestId(unknown, "wifi-price")).toHaveLength(0);
    expect(unknown).toContain("WiFi upgrade");
  });

  it("shows the wifi source's sold count and sats as big figures", () => {
    const html = render();
    expect(one(html, "wifi-sales-count")).toMatchObject({ "data-value": "3", title: "3" });
    expect(one(html, "wifi-sales-volume")).toMatchObject({ "data-value": "6300", title: "6,300" });
    expect(byTestId(html, "wifi-empty")).toHaveLength(0);
  });

  it("says no WiFi sales yet instead of showing zeros", () => {
    const html = render({ summary: summary(0, 0) });
    expect(one(html, "wifi-empty").tag).toBe("p");
    expect(html).toContain("No WiFi sales yet");
    expect(html).toContain('class="scene scene--wifi is-empty"');
    expect(byTestId(html, "wifi-sales-count")).toHaveLength(0);
    expect(byTestId(html, "wifi-sales-volume")).toHaveLength(0);
  });

  it("shows a dash, not a zero, while the figures load or cannot be read", () => {
    const html = render({ summary: undefined, summaryError: "Request failed" });
    expect(one(html, "wifi-sales-count")["data-value"]).toBe("");
    expect(html).toContain("—");
    expect(html).toContain("Cannot load the WiFi figures");
    expect(byTestId(html, "wifi-empty")).toHaveLength(0);
  });

  it("lists the newest upgrades with their exact sale ids", () => {
    const sales = [
      wifiSale(2 ** 52 - 1, "2025-11-10T14:29:50Z"),
      wifiSale(1_118_898_048_263_638, "2025-11-10T14:20:00Z"),
    ];
    const html = render({ sales });
    expect(byTestId(html, "ticker-row").map((r) => [r["data-sale-id"], r["data-merchant-id"]])).toEqual([
      ["4503599627370495", "wifi"],
      ["1118898048263638", "wifi"],
    ]);
    expect(html).toContain("Latest upgrades");
    expect(byTestId(render(), "ticker")).toHaveLength(0);
  });
});

describe("createWifiApi", () => {
  it("asks for the wifi source and keeps only its sales", async () => {
    const urls: string[] = [];
    const rows = [
      wifiSale(1, "2025-11-10T14:29:50Z"),
      { ...wifiSale(2, "2025-11-10T14:29:00Z"), source: "pwf" },
    ];
    const api = createWifiApi({
      baseUrl: "http://x",
      fetch: async (url) => {
        urls.push(url);
        const body = url.includes("/v1/ticker")
          ? rows
          : url.includes("/v1/summary")
            ? summary(1, 2100)
            : config;
        return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
      },
    });
    expect(await api.config()).toEqual(config);
    expect((await api.summary()).total_transactions).toBe(1);
    expect((await api.sales(6)).map((r) => r.sale_id)).toEqual([1]);
    expect(urls).toEqual([
      "http://x/v1/wifi/config",
      "http://x/v1/summary?source=wifi",
      "http://x/v1/ticker?limit=6&source=wifi",
    ]);
  });
});

describe("wifiSales", () => {
  it("adds the stream's newer wifi sales to the snapshot at once, and nothing of other sources", () => {
    const older = wifiSale(1, "2025-11-10T14:00:00Z");
    const streamed = wifiSale(2, "2025-11-10T14:29:00Z");
    const coffee: TickerRow = { ...wifiSale(3, "2025-11-10T14:29:30Z"), merchant_id: "173", source: "pwf" };
    expect(wifiSales([coffee, streamed], [older], 6).map((r) => r.sale_id)).toEqual([2, 1]);
    expect(wifiSales([streamed], undefined, 6).map((r) => r.sale_id)).toEqual([2]);
    expect(wifiSales([streamed], [streamed, older], 1).map((r) => r.sale_id)).toEqual([2]);
  });
});
