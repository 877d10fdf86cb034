// Renders components to static markup in Node (no DOM) to pin the data-testid contract that
// browser tests rely on, and the accessible structure around it.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { MerchantLeader, MilestoneTrigger, ProductLeader, Summary, TickerRow } from "../api/types";
import { CelebrationOverlay } from "../celebrations/CelebrationOverlay";
import type { Celebration } from "../celebrations/queue";
import { initialLiveState, type LiveState } from "../live/state";
import { byTestId, one } from "../testing/markup";
import { TrendChart } from "./Charts";
import { kpiTiles } from "./KpiTiles";
import { Leaderboard, merchantRows, productRows } from "./Leaderboard";
import { ConnectionStatus, StaleBanner } from "./Status";
import { Ticker } from "./Ticker";

const summary: Summary = {
  total_transactions: 1523,
  total_volume_sats: 4567890,
  average_transaction_size: 2998.61,
  active_merchants: 5,
  reporting_merchants: 3,
  total_merchants: 7,
  unique_products: 42,
  transactions_per_minute: 2.4,
  volume_per_minute: 7200.5,
  rate_window_seconds: 300,
  fiat_volume: [{ currency: "usd", amount: 4567.89 }],
};

describe("KPI tiles", () => {
  const tiles = kpiTiles(summary, { animate: false });
  const html = renderToStaticMarkup(
    <div>
      {tiles.volume}
      {tiles.transactions}
      {tiles.average}
      {tiles.txRate}
      {tiles.satsRate}
      {tiles.merchants}
      {tiles.products}
    </div>,
  );

  it("expose the raw number and the exact integer for each KPI", () => {
    expect(one(html, "kpi-total-transactions")).toMatchObject({ "data-value": "1523", title: "1,523" });
    expect(one(html, "kpi-total-volume")).toMatchObject({ "data-value": "4567890", title: "4,567,890" });
    // Reporting out of enabled (active_merchants, failing ones included), not enabled out of all.
    expect(one(html, "kpi-active-merchants")).toMatchObject({
      "data-value": "3",
      "data-total": "5",
      "data-missing": "2",
      title: "3 of 5 enabled merchants reporting",
    });
    expect(one(html, "kpi-merchants-missing").tag).toBe("span");
    expect(html).toContain(">2 not reporting<");
    expect(html).toContain(">Merchants reporting<");
    // The catalogue's active products, labelled as such (the seed's unique_products is not units sold).
    expect(one(html, "kpi-products")).toMatchObject({ "data-value": "42", title: "42" });
    expect(html).toContain(">Products on sale<");
    expect(html).not.toContain("Products sold");
    expect(one(html, "kpi-average-sale")).toMatchObject({ "data-value": "2998.61", title: "2,999" });
    expect(one(html, "kpi-transactions-per-minute")["data-value"]).toBe("2.4");
    expect(one(html, "kpi-volume-per-minute")["data-value"]).toBe("7200.5");
  });

  it("say the window of each total: all time", () => {
    for (const label of ["Total volume", "Transactions", "Average sale"]) {
      expect(html).toContain(`aria-label="${label}, all time"`);
      expect(html).toContain(`${label}<span class="kpi__window"> · all time</span>`);
    }
  });

  it("say the rates' window, from the summary's rate_window_seconds", () => {
    expect(byTestId(html, "kpi-rate-window")).toHaveLength(2);
    expect(html).toContain('<span data-testid="kpi-rate-window">avg · last 5 min</span>');
    const all = kpiTiles({ ...summary, reporting_merchants: 5 }, { animate: false, topMerchant: "Bar" });
    const markup = renderToStaticMarkup(<div>{all.merchants}</div>);
    expect(one(markup, "kpi-active-merchants")["data-missing"]).toBe("0");
    expect(markup).not.toContain("not reporting");
    expect(markup).toContain("Top seller");
  });

  it("show separators in the visible text and fiat beside sats", () => {
    expect(html).toContain(">4,567,890<");
    expect(html).toContain(">1,523<");
    expect(html).toContain("≈ $4,567.89");
    expect(one(html, "kpi-fiat-volume").tag).toBe("span");
  });

  it("render placeholders without a summary", () => {
    const empty = kpiTiles(null, { animate: false });
    const markup = renderToStaticMarkup(<div>{empty.transactions}</div>);
    expect(one(markup, "kpi-total-transactions")["data-value"]).toBe("");
    expect(markup).toContain("—");
  });
});

describe("Ticker", () => {
  const rows: TickerRow[] = [
    {
      sale_id: 12,
      merchant_id: "173",
      merchant_alias: "Bitcoin Coffee",
      amount_sats: 2100,
      sale_date: "2025-11-10T14:29:50Z",
      fiat_amount: 2.1,
      currency: "usd",
      source: "pwf",
    },
    {
      sale_id: 11,
      merchant_id: "174",
      merchant_alias: "",
      amount_sats: 500,
      sale_date: "2025-11-10T14:20:00Z",
      source: "pwf",
    },
  ];
  const html = renderToStaticMarkup(<Ticker rows={rows} now={Date.parse("2025-11-10T14:30:00Z")} />);

  it("is a polite live region listing rows with sale and merchant ids, newest first", () => {
    const list = one(html, "ticker");
    expect(list).toMatchObject({ tag: "ol", "aria-live": "polite", "aria-relevant": "additions" });
    const items = byTestId(html, "ticker-row");
    expect(items.map((r) => [r["data-sale-id"], r["data-merchant-id"]])).toEqual([
      ["12", "173"],
      ["11", "174"],
    ]);
  });

  it("shows alias, amount, fiat and relative time (hidden from the live region)", () => {
    expect(html).toContain("Bitcoin Coffee");
    expect(html).toContain("Merchant 174");
    expect(html).toContain("2,100");
    expect(html).toContain("$2.10");
    expect(html).toMatch(/<time[^>]*aria-hidden="true"[^>]*>10s ago<\/time>/);
  });

  it("says so when there are no sales", () => {
    const empty = renderToStaticMarkup(<Ticker rows={[]} now={0} />);
    expect(one(empty, "ticker-empty").tag).toBe("p");
    expect(byTestId(empty, "ticker-row")).toHaveLength(0);
  });
});

describe("Leaderboard", () => {
  const merchants: MerchantLeader[] = [
    { merchant_id: "173", alias: "Bitcoin Coffee", transactions: 450, volume_sats: 1234567 },
    { merchant_id: "174", alias: "Satoshi Burgers", transactions: 300, volume_sats: 2000000 },
  ];

  it("ranks rows with merchant ids and the chosen metric", () => {
    const html = renderToStaticMarkup(
      <Leaderboard
        testId="leaderboard-merchants"
        headingId="h"
        title="Top merchants"
        subtitle="by sats · last 24 h"
        metric="volume"
        rows={merchantRows(merchants)}
        animate={false}
      />,
    );
    expect(one(html, "leaderboard-merchants")["data-metric"]).toBe("volume");
    const rows = byTestId(html, "leaderboard-row");
    expect(rows.map((r) => [r["data-rank"], r["data-merchant-id"]])).toEqual([
      ["1", "173"],
      ["2", "174"],
    ]);
    expect(html).toContain("1,234,567");
    expect(html).toMatch(/<h2[^>]*id="h"/);
  });

  it("labels products with their merchant alias", () => {
    const products: ProductLeader[] = [
      { merchant_id: "173", product_id: 480, name: "Espresso", transactions: 125, volume_sats: 87500 },
    ];
    const html = renderToStaticMarkup(
      <Leaderboard
        testId="leaderboard-products"
        headingId="p"
        title="Top products"
        subtitle="by sales"
        metric="transactions"
        rows={productRows(products, { "173": "Bitcoin Coffee" })}
        animate={false}
      />,
    );
    expect(one(html, "leaderboard-row")).toMatchObject({
      "data-product-id": "480",
      "data-merchant-id": "173",
    });
    expect(html).toContain("Bitcoin Coffee");
    expect(html).toContain("125");
  });

  it("distinguishes loading from empty", () => {
    const props = {
      testId: "x",
      headingId: "x",
      title: "T",
      subtitle: "s",
      metric: "volume" as const,
      animate: false,
    };
    expect(renderToStaticMarkup(<Leaderboard {...props} rows={undefined} />)).toContain("Loading");
    expect(renderToStaticMarkup(<Leaderboard {...props} rows={[]} />)).toContain(
      "No sales in this window yet.",
    );
  });
});

describe("CelebrationOverlay", () => {
  const trigger: MilestoneTrigger = {
    id: 9,
    milestone_id: 5,
    name: "1 Million Sats",
    type: "volume",
    threshold: 1_000_000,
    triggered_at: "2025-11-10T14:30:00Z",
    total_transactions: 1523,
    total_volume_sats: 1002340,
  };
  const celebration = (motion: "animated" | "static"): Celebration => ({
    trigger,
    startedAt: 0,
    endsAt: 9000,
    motion,
  });
  const noop = () => {};

  it("renders nothing without a celebration", () => {
    expect(
      renderToStaticMarkup(
        <CelebrationOverlay celebration={null} waiting={0} onDismiss={noop} interactive />,
      ),
    ).toBe("");
  });

  it("shows name, value and time, with confetti only when animated", () => {
    const html = renderToStaticMarkup(
      <CelebrationOverlay celebration={celebration("animated")} waiting={2} onDismiss={noop} interactive />,
    );
    expect(one(html, "celebration")).toMatchObject({
      "data-milestone-id": "5",
      "data-trigger-id": "9",
      "data-motion": "animated",
    });
    expect(one(html, "celebration-value")["data-value"]).toBe("1000000");
    expect(html).toContain("1 Million Sats");
    expect(html).toContain("1,000,000");
    expect(html).toContain("+2 more milestones");
    expect(html).toContain("<canvas");
    const still = renderToStaticMarkup(
      <CelebrationOverlay
        celebration={celebration("static")}
        waiting={0}
        onDismiss={noop}
        interactive={false}
      />,
    );
    expect(one(still, "celebration")["data-motion"]).toBe("static");
    expect(still).not.toContain("<canvas");
    expect(byTestId(still, "celebration-dismiss")).toHaveLength(0);
  });
});

describe("connection status", () => {
  const base: LiveState = { ...initialLiveState(true), freshAt: 1000 };

  it("exposes the status as data-status", () => {
    for (const status of ["connecting", "live", "reconnecting", "polling"] as const) {
      const html = renderToStaticMarkup(<ConnectionStatus state={{ ...base, status }} />);
      expect(one(html, "connection-status")["data-status"]).toBe(status);
    }
    const offline = renderToStaticMarkup(
      <ConnectionStatus state={{ ...base, status: "polling", error: "down" }} />,
    );
    expect(offline).toContain("Offline");
  });

  it("shows the stale banner only when data is old and not live", () => {
    expect(renderToStaticMarkup(<StaleBanner state={{ ...base, status: "live" }} now={99_999} />)).toBe("");
    const html = renderToStaticMarkup(
      <StaleBanner state={{ ...base, status: "reconnecting" }} now={61_000} />,
    );
    expect(one(html, "stale-banner").role).toBe("status");
    expect(html).toContain("showing data from 60s ago");
  });
});

describe("trend chart axis", () => {
  it("labels the value axis with round numbers (1-2-5 steps), not 625K and 1.88M", () => {
    const t0 = Date.parse("2025-11-10T14:00:00Z");
    const points = [1_200_000, 2_300_000, 1_900_000].map((v, i) => ({ t: t0 + i * 60_000, v }));
    const html = renderToStaticMarkup(
      <TrendChart
        testId="trend-volume"
        title="Sats per minute"
        unit="sats/min"
        points={points}
        tone="sats"
        headingId="h"
        windowLabel="60 min"
      />,
    );
    const labels = [...html.matchAll(/<g class="trend__grid">.*?<text[^>]*>([^<]*)<\/text>/g)].map(
      (m) => m[1],
    );
    expect(labels).toEqual(["0", "500K", "1M", "1.5M", "2M", "2.5M"]);
  });
});
