import type { PublicApi } from "../api/client";
import { BrandMark } from "../brand/BrandMark";
import { kpiTiles } from "../dashboard/KpiTiles";
import { Leaderboard, merchantRows, productRows } from "../dashboard/Leaderboard";
import { boardWindowLabel, metricLabel } from "../dashboard/Scenes";
import { ConnectionStatus, LastUpdated, StaleBanner } from "../dashboard/Status";
import type { DashboardSettings } from "../dashboard/settings";
import { Ticker } from "../dashboard/Ticker";
import { useAliases, useMerchantBoard, useProductBoard } from "../dashboard/useBoards";
import { useEventSettings } from "../event/useEventSettings";
import { useNow } from "../hooks/useNow";
import { usePrefersReducedMotion } from "../hooks/usePrefersReducedMotion";
import { isStale } from "../live/state";
import { useLiveFeed } from "../live/useLiveFeed";

/** One light, read-only page for phones: KPIs, a compact ticker, top merchants and products. */
export function AttendeePage({ api, settings }: { api: PublicApi; settings: DashboardSettings }) {
  const { state, client } = useLiveFeed(api, 8);
  const event = useEventSettings(api, client, state.resyncs);
  const animate = !usePrefersReducedMotion();
  const now = useNow(1000);
  const metric = settings.metric === "auto" ? "transactions" : settings.metric;
  const merchants = useMerchantBoard(api, state, metric, settings.board, 5);
  const products = useProductBoard(api, state, metric, settings.board, 5);
  const aliases = useAliases(state, merchants.data);
  // No "top seller" lines here: the leaderboards just below carry them.
  const tiles = kpiTiles(state.summary, { animate, compactFiat: true, currency: event.currency, now });
  const stale = isStale(state, now);

  return (
    <div
      className={`attendee${stale ? " is-stale" : ""}`}
      data-testid="attendee"
      data-stale={stale ? "true" : "false"}
    >
      <header className="attendee__header">
        <div className="brand brand--small">
          <BrandMark logoUrl={event.logoUrl} />
          <div className="brand__text">
            <h1 className="brand__event" data-testid="event-name">
              {event.name}
            </h1>
            <LastUpdated state={state} />
          </div>
        </div>
        <ConnectionStatus state={state} compact />
      </header>
      <StaleBanner state={state} now={now} />
      <main className="attendee__main" id="main">
        <section className="attendee__kpis" aria-labelledby="attendee-kpis-title">
          <h2 className="sr-only" id="attendee-kpis-title">
            Key figures
          </h2>
          {tiles.volume}
          {tiles.transactions}
          {tiles.average}
          {tiles.txRate}
          {tiles.satsRate}
          {tiles.merchants}
          {tiles.products}
        </section>
        <div className="card">
          <Ticker rows={state.ticker} now={now} limit={8} variant="compact" headingId="attendee-ticker" />
        </div>
        <div className="card">
          <Leaderboard
            testId="attendee-top-merchants"
            headingId="attendee-merchants-title"
            title="Top merchants"
            subtitle={`${metricLabel(metric)} · ${boardWindowLabel(settings.board)}`}
            metric={metric}
            rows={merchants.data ? merchantRows(merchants.data) : undefined}
            error={merchants.error}
            animate={animate}
            variant="compact"
            limit={5}
          />
        </div>
        <div className="card">
          <Leaderboard
            testId="attendee-top-products"
            headingId="attendee-products-title"
            title="Top products"
            subtitle={`${metricLabel(metric)} · ${boardWindowLabel(settings.board)}`}
            metric={metric}
            rows={products.data ? productRows(products.data, aliases) : undefined}
            error={products.error}
            animate={animate}
            variant="compact"
            limit={5}
            emptyText="No products sold in this window yet."
          />
        </div>
      </main>
      <footer className="attendee__footer">
        <p>Live sales from the event's bitcoin point-of-sale terminals.</p>
      </footer>
    </div>
  );
}
