import type {
  DisplayCurrency,
  MerchantLeader,
  Metric,
  ProductLeader,
  Summary,
  TickerRow,
  Timeseries,
} from "../api/types";
import { formatWindowLabel } from "../format/time";
import type { Resource } from "../hooks/useResource";
import { Sparkline, TrendChart } from "./Charts";
import { perMinute } from "./chart";
import { kpiTiles, rateWindowLabel } from "./KpiTiles";
import { Leaderboard, merchantRows, productRows } from "./Leaderboard";
import type { BoardWindow } from "./settings";
import { Ticker } from "./Ticker";

export function boardWindowLabel(window: BoardWindow): string {
  return window === "all" ? "all time" : `last ${formatWindowLabel(window === "1h" ? "60m" : window)}`;
}

export function metricLabel(metric: Metric): string {
  return metric === "volume" ? "by sats" : "by sales";
}

export function OverviewScene({
  summary,
  ticker,
  timeseries,
  now,
  animate,
  topMerchant,
  topProduct,
  currency,
}: {
  topMerchant?: string;
  topProduct?: string;
  /** How the totals show money (the event's display currency). */
  currency?: DisplayCurrency;
  summary: Summary | null;
  ticker: TickerRow[];
  timeseries: Timeseries | undefined;
  now: number;
  animate: boolean;
}) {
  const tiles = kpiTiles(summary, {
    animate,
    topMerchant,
    topProduct,
    currency,
    now,
    txSpark: (
      <Sparkline points={perMinute(timeseries, "transactions")} tone="tx" testId="sparkline-transactions" />
    ),
    satsSpark: (
      <Sparkline points={perMinute(timeseries, "volume_sats")} tone="sats" testId="sparkline-volume" />
    ),
  });
  return (
    <section className="scene scene--overview" aria-labelledby="scene-overview-title" data-scene="overview">
      <h2 className="sr-only" id="scene-overview-title">
        Overview
      </h2>
      <div className="overview-grid">
        {tiles.volume}
        {tiles.transactions}
        {tiles.txRate}
        {tiles.satsRate}
        {tiles.average}
        {tiles.merchants}
        {tiles.products}
      </div>
      <Ticker rows={ticker} now={now} limit={10} />
    </section>
  );
}

export function MerchantsScene({
  board,
  metric,
  window,
  animate,
}: {
  board: Resource<MerchantLeader[]>;
  metric: Metric;
  window: BoardWindow;
  animate: boolean;
}) {
  return (
    <div className="scene scene--board" data-scene="merchants">
      <Leaderboard
        testId="leaderboard-merchants"
        headingId="scene-merchants-title"
        title="Top merchants"
        subtitle={`${metricLabel(metric)} · ${boardWindowLabel(window)}`}
        metric={metric}
        rows={board.data ? merchantRows(board.data) : undefined}
        error={board.error}
        animate={animate}
      />
    </div>
  );
}

export function ProductsScene({
  board,
  metric,
  window,
  aliases,
  animate,
}: {
  board: Resource<ProductLeader[]>;
  metric: Metric;
  window: BoardWindow;
  aliases: Record<string, string>;
  animate: boolean;
}) {
  return (
    <div className="scene scene--board" data-scene="products">
      <Leaderboard
        testId="leaderboard-products"
        headingId="scene-products-title"
        title="Top products"
        subtitle={`${metricLabel(metric)} · ${boardWindowLabel(window)}`}
        metric={metric}
        rows={board.data ? productRows(board.data, aliases) : undefined}
        error={board.error}
        animate={animate}
        emptyText="No products sold in this window yet."
      />
    </div>
  );
}

export function TrendsScene({
  timeseries,
  window,
  summary,
}: {
  timeseries: Resource<Timeseries>;
  window: string;
  summary: Summary | null;
}) {
  const label = formatWindowLabel(window);
  // "Now" is the rate tiles' own figure, so the trends and the overview never disagree.
  const rateLabel = rateWindowLabel(summary) ?? "avg";
  const now = (value: number | undefined) => (value === undefined ? undefined : { value, label: rateLabel });
  return (
    <section className="scene scene--trends" data-scene="trends" aria-label={`Trends over the last ${label}`}>
      <TrendChart
        testId="trend-transactions"
        headingId="trend-tx-title"
        title="Transactions per minute"
        unit="transactions per minute"
        tone="tx"
        points={perMinute(timeseries.data, "transactions")}
        windowLabel={label}
        current={now(summary?.transactions_per_minute)}
      />
      <TrendChart
        testId="trend-volume"
        headingId="trend-sats-title"
        title="Sats per minute"
        unit="sats per minute"
        tone="sats"
        points={perMinute(timeseries.data, "volume_sats")}
        windowLabel={label}
        current={now(summary?.volume_per_minute)}
      />
    </section>
  );
}
