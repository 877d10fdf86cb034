import type { PublicApi } from "../api/client";
import { BrandMark } from "../brand/BrandMark";
import { CelebrationOverlay } from "../celebrations/CelebrationOverlay";
import { useCelebrations } from "../celebrations/useCelebrations";
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
import { MilestoneProgress, useUpcomingMilestones } from "../milestones/MilestoneProgress";
import { nextMilestone } from "../milestones/progress";
import { SoundPrompt, SoundToggle, useScreenSounds } from "../sound/SoundControls";
import { soundData, useSound } from "../sound/useSound";

/** A phone's celebration is at most 6 s (the event's length when shorter): it covers part of a page someone is reading. */
const CELEBRATION_MS = 6000;

/**
 * One light page for phones: KPIs, progress to the next milestone, a compact ticker, top merchants and
 * products; milestones celebrated with a lighter card; sound only when switched on (`sound=1` or the
 * switch in the footer).
 */
export function AttendeePage({
  api,
  settings,
  onSettings,
}: {
  api: PublicApi;
  settings: DashboardSettings;
  onSettings?: (next: DashboardSettings) => void;
}) {
  const { state, client } = useLiveFeed(api, 8);
  const reducedMotion = usePrefersReducedMotion();
  const animate = !reducedMotion;
  const event = useEventSettings(api, client, state.resyncs, settings);
  const celebrations = useCelebrations(client, reducedMotion, Math.min(event.celebrationMs, CELEBRATION_MS));
  const upcoming = useUpcomingMilestones(api, state);
  // A phone stays quiet unless its own URL or switch says otherwise, whatever the wall's setting.
  const soundOn = settings.sound ?? false;
  const sound = useSound(soundOn);
  useScreenSounds(sound, { ticker: state.ticker, loaded: state.version > 0 }, celebrations.current);
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
      {...soundData(sound)}
    >
      <header className="attendee__header">
        <div className="brand brand--small">
          <BrandMark logoUrl={event.logoUrl} />
          <div className="brand__text">
            <h1 className="brand__event" data-testid="event-name">
              {event.name}
            </h1>
            <LastUpdated state={state} now={now} />
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
        {nextMilestone(upcoming.data, state.summary) ? (
          <div className="card">
            <MilestoneProgress upcoming={upcoming.data} summary={state.summary} variant="compact" />
          </div>
        ) : null}
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
        {onSettings ? (
          <SoundToggle on={soundOn} onChange={(on) => onSettings({ ...settings, sound: on })} />
        ) : null}
      </footer>
      <SoundPrompt sound={sound} />
      <CelebrationOverlay
        celebration={celebrations.current}
        waiting={celebrations.waiting}
        onDismiss={celebrations.dismiss}
        interactive
        variant="light"
      />
    </div>
  );
}
