// `?merchant=ID`: one merchant's own screen at its booth, its totals, its sales, its top products and
// its trend, following only its sales. The venue screen's frame and type scale, its own layout.
import type { PublicApi } from "../api/client";
import { BrandMark } from "../brand/BrandMark";
import { CelebrationOverlay } from "../celebrations/CelebrationOverlay";
import { useCelebrations } from "../celebrations/useCelebrations";
import { TrendChart } from "../dashboard/Charts";
import { perMinute } from "../dashboard/chart";
import { kpiTiles, rateWindowLabel } from "../dashboard/KpiTiles";
import { Leaderboard, productRows } from "../dashboard/Leaderboard";
import { boardWindowLabel, metricLabel } from "../dashboard/Scenes";
import { ConnectionStatus, LastUpdated, StaleBanner } from "../dashboard/Status";
import type { DashboardSettings } from "../dashboard/settings";
import { Ticker } from "../dashboard/Ticker";
import { useTimeseries } from "../dashboard/useBoards";
import type { ScreenEvent } from "../event/screen-event";
import { useEventSettings } from "../event/useEventSettings";
import { formatClock, formatWindowLabel } from "../format/time";
import { useNow } from "../hooks/useNow";
import { usePrefersReducedMotion } from "../hooks/usePrefersReducedMotion";
import { useResource } from "../hooks/useResource";
import { isStale, type LiveState } from "../live/state";
import { useLiveFeed } from "../live/useLiveFeed";
import { SoundPrompt, SoundToggle, useScreenSounds } from "../sound/SoundControls";
import { soundData, useSound } from "../sound/useSound";

/** The merchant's name as the data on screen gives it (its sales, its status events), else its id. */
function boothName(state: LiveState, merchantId: string): string {
  return (
    state.ticker.find((r) => r.merchant_id === merchantId)?.merchant_alias ||
    state.merchants[merchantId]?.alias ||
    `Merchant ${merchantId}`
  );
}

export function BoothScreen({
  api,
  settings,
  merchantId,
  onSettings,
}: {
  api: PublicApi;
  settings: DashboardSettings;
  merchantId: string;
  onSettings: (next: DashboardSettings) => void;
}) {
  const { state, client } = useLiveFeed(api, 12, merchantId);
  const reducedMotion = usePrefersReducedMotion();
  const animate = !reducedMotion;
  const now = useNow(1000);
  const event = useEventSettings(api, client, state.resyncs, settings);
  const celebrations = useCelebrations(client, reducedMotion, event.celebrationMs);
  const sound = useSound(event.sound);
  useScreenSounds(sound, { ticker: state.ticker, loaded: state.version > 0 }, celebrations.current);
  const stale = isStale(state, now);
  const unknown = state.summary === null && (state.error ?? "").startsWith("unknown merchant");
  const name = boothName(state, merchantId);
  const interactive = !settings.kiosk;

  return (
    <div
      className={`venue venue--booth${stale ? " is-stale" : ""}${settings.kiosk ? " is-kiosk" : ""}`}
      data-testid="booth"
      data-merchant-id={merchantId}
      data-stale={stale ? "true" : "false"}
      {...soundData(sound)}
    >
      <BoothHeader name={name} event={event.name} logoUrl={event.logoUrl} state={state} now={now} />
      <StaleBanner state={state} now={now} />
      <main className="stage booth-stage" id="main">
        {unknown ? (
          <p className="booth-unknown" role="alert" data-testid="booth-unknown">
            No merchant “{merchantId}” on this dashboard. Check the <code>merchant</code> in the address.
          </p>
        ) : (
          <BoothGrid
            api={api}
            state={state}
            settings={settings}
            merchantId={merchantId}
            name={name}
            now={now}
            animate={animate}
            currency={event.currency}
          />
        )}
      </main>
      {interactive ? (
        <footer className="venue-footer">
          <a className="booth-back" href="/">
            ← Whole venue
          </a>
          <section className="controls" aria-label="Display controls" data-testid="controls">
            <SoundToggle on={event.sound} onChange={(on) => onSettings({ ...settings, sound: on })} />
          </section>
        </footer>
      ) : null}
      <SoundPrompt sound={sound} />
      <CelebrationOverlay
        celebration={celebrations.current}
        waiting={celebrations.waiting}
        onDismiss={celebrations.dismiss}
        interactive={interactive}
      />
    </div>
  );
}

function BoothHeader({
  name,
  event,
  logoUrl,
  state,
  now,
}: {
  name: string;
  event: string;
  logoUrl: string | null;
  state: LiveState;
  now: number;
}) {
  return (
    <header className="venue-header">
      <div className="brand">
        <BrandMark logoUrl={logoUrl} />
        <div className="brand__text">
          <h1 className="brand__event" data-testid="booth-name" title={name}>
            {name}
          </h1>
          <p className="brand__sub" data-testid="event-name" title={event}>
            {event} · this booth's sales
          </p>
        </div>
      </div>
      <div className="venue-header__right">
        <ConnectionStatus state={state} />
        <div className="clockbox">
          <time className="clock" data-testid="clock" dateTime={new Date(now).toISOString()}>
            {formatClock(now)}
          </time>
          <LastUpdated state={state} now={now} />
        </div>
      </div>
    </header>
  );
}

/** Its figures, its latest sales, its top products and its sales-per-minute trend. */
function BoothGrid({
  api,
  state,
  settings,
  merchantId,
  name,
  now,
  animate,
  currency,
}: {
  api: PublicApi;
  state: LiveState;
  settings: DashboardSettings;
  merchantId: string;
  name: string;
  now: number;
  animate: boolean;
  currency: ScreenEvent["currency"];
}) {
  const metric = settings.metric === "auto" ? "transactions" : settings.metric;
  const products = useResource(
    `booth:${merchantId}:products:${metric}:${settings.board}`,
    () => api.productLeaderboard({ metric, window: settings.board, limit: 6, merchantId }),
    { version: state.version },
  );
  const timeseries = useTimeseries(api, state, settings.window, merchantId);
  const tiles = kpiTiles(state.summary, { animate, currency, now });
  const rate = state.summary && {
    value: state.summary.transactions_per_minute,
    label: rateWindowLabel(state.summary) ?? "avg",
  };
  return (
    <div className="booth-grid">
      <section className="booth-kpis" aria-labelledby="booth-kpis-title">
        {/* The tiles' labels are h3s under the booth's h1: this heading keeps the outline unbroken. */}
        <h2 className="sr-only" id="booth-kpis-title">
          This booth's figures
        </h2>
        {tiles.volume}
        {tiles.transactions}
        {tiles.average}
        {tiles.txRate}
        {tiles.satsRate}
        {tiles.products}
      </section>
      <Ticker rows={state.ticker} now={now} limit={8} title="Latest sales here" headingId="booth-ticker" />
      <div className="booth-products">
        <Leaderboard
          testId="booth-top-products"
          headingId="booth-products-title"
          title="Top products"
          subtitle={`${metricLabel(metric)} · ${boardWindowLabel(settings.board)}`}
          metric={metric}
          rows={products.data ? productRows(products.data, { [merchantId]: name }) : undefined}
          error={products.error}
          animate={animate}
          limit={6}
          emptyText="No products sold in this window yet."
        />
      </div>
      <div className="booth-trend">
        <TrendChart
          testId="booth-trend"
          headingId="booth-trend-title"
          title="Sales per minute"
          unit="sales per minute"
          tone="tx"
          points={perMinute(timeseries.data, "transactions")}
          windowLabel={formatWindowLabel(settings.window)}
          current={rate ?? undefined}
        />
      </div>
    </div>
  );
}
