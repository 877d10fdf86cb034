import type { PublicApi } from "../api/client";
import { createWifiApi } from "../api/wifi";
import { CelebrationOverlay } from "../celebrations/CelebrationOverlay";
import { useCelebrations } from "../celebrations/useCelebrations";
import type { ScreenEvent } from "../event/screen-event";
import { useEventSettings } from "../event/useEventSettings";
import { useNow } from "../hooks/useNow";
import { usePointerIdle } from "../hooks/usePointerIdle";
import { usePrefersReducedMotion } from "../hooks/usePrefersReducedMotion";
import { isStale, type LiveState } from "../live/state";
import { useLiveFeed } from "../live/useLiveFeed";
import { MilestoneProgress, useUpcomingMilestones } from "../milestones/MilestoneProgress";
import { SoundPrompt, SoundToggle, useScreenSounds } from "../sound/SoundControls";
import { soundData, useSound } from "../sound/useSound";
import { Controls, SceneNav, VenueHeader } from "./Chrome";
import { MerchScene } from "./MerchScene";
import type { PlaylistEntry } from "./playlist";
import { MerchantsScene, OverviewScene, ProductsScene, TrendsScene } from "./Scenes";
import { StaleBanner } from "./Status";
import type { DashboardSettings, SceneStep } from "./settings";
import { useAliases, useMerchantBoard, useProductBoard, useTimeseries } from "./useBoards";
import { usePlaylist } from "./usePlaylist";
import { useRotation } from "./useRotation";
import { LiveWifiScene } from "./WifiScene";

// The WiFi scene's own calls (the offer, the `wifi` source's figures), on the same origin as the rest.
const wifiApi = createWifiApi();

/** The 16:9 venue screen: rotating scenes, hands-free. */
export function VenueDashboard({
  api,
  settings,
  onSettings,
  attendeeUrl,
}: {
  api: PublicApi;
  settings: DashboardSettings;
  onSettings: (next: DashboardSettings) => void;
  /** Where the QR code sends phones: the attendee page on this origin unless an event's public URL. */
  attendeeUrl?: string | undefined;
}) {
  const { state, client } = useLiveFeed(api, 20);
  const reducedMotion = usePrefersReducedMotion();
  const now = useNow(1000);
  const event = useEventSettings(api, client, state.resyncs, settings);
  const celebrations = useCelebrations(client, reducedMotion, event.celebrationMs);
  const playlist = usePlaylist(api, client, state.resyncs);
  const rotation = useRotation(settings, playlist, celebrations.busy);
  const interactive = !settings.kiosk;
  // On the wall (kiosk or not) the controls and the cursor hide while nobody touches the mouse.
  const idle = usePointerIdle();
  const stale = isStale(state, now);
  const { current } = rotation;
  const upcoming = useUpcomingMilestones(api, state);
  const sound = useSound(event.sound);
  useScreenSounds(sound, { ticker: state.ticker, loaded: state.version > 0 }, celebrations.current);

  return (
    <div
      className={`venue${stale ? " is-stale" : ""}${settings.kiosk ? " is-kiosk" : ""}${idle ? " is-idle" : ""}`}
      data-testid="venue"
      data-scene={current.scene}
      data-stale={stale ? "true" : "false"}
      data-idle={idle ? "true" : "false"}
      {...soundData(sound)}
    >
      <VenueHeader
        settings={settings}
        event={event}
        state={state}
        now={now}
        attendeeUrl={attendeeUrl ?? event.publicUrl ?? undefined}
      />
      <MilestoneProgress upcoming={upcoming.data} summary={state.summary} />
      <StaleBanner state={state} now={now} />
      <Stage
        api={api}
        state={state}
        settings={settings}
        event={event}
        current={current}
        entry={rotation.entry}
        now={now}
        animate={!reducedMotion}
      />
      <footer className="venue-footer">
        <SceneNav
          scenes={playlist}
          current={current.scene}
          step={rotation.step}
          durationMs={rotation.durationMs}
          running={rotation.running}
          interactive={interactive}
          onSelect={rotation.select}
        />
        {interactive ? (
          <Controls
            settings={settings}
            paused={rotation.paused}
            onPause={rotation.setPaused}
            onChange={onSettings}
          >
            <SoundToggle on={event.sound} onChange={(on) => onSettings({ ...settings, sound: on })} />
          </Controls>
        ) : null}
      </footer>
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

/** The scene area and the boards behind it. */
function Stage({
  api,
  state,
  settings,
  event,
  current,
  entry,
  now,
  animate,
}: {
  api: PublicApi;
  state: LiveState;
  settings: DashboardSettings;
  event: ScreenEvent;
  current: SceneStep;
  entry: PlaylistEntry;
  now: number;
  animate: boolean;
}) {
  const merchantsTx = useMerchantBoard(api, state, "transactions", settings.board);
  const merchantsVol = useMerchantBoard(api, state, "volume", settings.board);
  const productsTx = useProductBoard(api, state, "transactions", settings.board);
  const productsVol = useProductBoard(api, state, "volume", settings.board);
  const timeseries = useTimeseries(api, state, settings.window);
  const aliases = useAliases(state, merchantsTx.data, merchantsVol.data);
  return (
    <main
      className="stage"
      id="main"
      data-testid="scene"
      data-scene={current.scene}
      data-metric={current.metric}
    >
      <div className="stage__scene" key={`${current.scene}:${current.metric}`}>
        {current.scene === "overview" ? (
          <OverviewScene
            summary={state.summary}
            ticker={state.ticker}
            timeseries={timeseries.data}
            now={now}
            animate={animate}
            topMerchant={merchantsTx.data?.[0]?.alias}
            topProduct={productsTx.data?.[0]?.name}
            currency={event.currency}
          />
        ) : null}
        {current.scene === "merchants" ? (
          <MerchantsScene
            board={current.metric === "volume" ? merchantsVol : merchantsTx}
            metric={current.metric}
            window={settings.board}
            animate={animate}
          />
        ) : null}
        {current.scene === "products" ? (
          <ProductsScene
            board={current.metric === "volume" ? productsVol : productsTx}
            metric={current.metric}
            window={settings.board}
            aliases={aliases}
            animate={animate}
          />
        ) : null}
        {current.scene === "trends" ? (
          <TrendsScene timeseries={timeseries} window={settings.window} summary={state.summary} />
        ) : null}
        {current.scene === "merch" ? <MerchScene name={entry.name} content={entry.content} /> : null}
        {current.scene === "wifi" ? (
          <LiveWifiScene api={wifiApi} live={state} now={now} animate={animate} />
        ) : null}
      </div>
    </main>
  );
}
