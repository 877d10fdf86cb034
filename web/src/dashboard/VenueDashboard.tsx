import { useEffect, useState } from "react";
import type { PublicApi } from "../api/client";
import { CelebrationOverlay } from "../celebrations/CelebrationOverlay";
import { useCelebrations } from "../celebrations/useCelebrations";
import { useNow } from "../hooks/useNow";
import { usePrefersReducedMotion } from "../hooks/usePrefersReducedMotion";
import { isStale, type LiveState } from "../live/state";
import { useLiveFeed } from "../live/useLiveFeed";
import { Controls, SceneNav, VenueHeader } from "./Chrome";
import { MerchantsScene, OverviewScene, ProductsScene, TrendsScene } from "./Scenes";
import { StaleBanner } from "./Status";
import { type DashboardSettings, type SceneId, type SceneStep, sceneAt, stepForScene } from "./settings";
import { useAliases, useMerchantBoard, useProductBoard, useTimeseries } from "./useBoards";

/** The 16:9 venue screen: rotating scenes, hands-free. */
export function VenueDashboard({
  api,
  settings,
  onSettings,
}: {
  api: PublicApi;
  settings: DashboardSettings;
  onSettings: (next: DashboardSettings) => void;
}) {
  const { state, client } = useLiveFeed(api, 20);
  const reducedMotion = usePrefersReducedMotion();
  const now = useNow(1000);
  const celebrations = useCelebrations(client, reducedMotion);
  const rotation = useRotation(settings, celebrations.busy);
  const interactive = !settings.kiosk;
  const stale = isStale(state, now);
  const { current } = rotation;

  return (
    <div
      className={`venue${stale ? " is-stale" : ""}${settings.kiosk ? " is-kiosk" : ""}`}
      data-testid="venue"
      data-scene={current.scene}
      data-stale={stale ? "true" : "false"}
    >
      <VenueHeader settings={settings} state={state} now={now} />
      <StaleBanner state={state} now={now} />
      <Stage
        api={api}
        state={state}
        settings={settings}
        current={current}
        now={now}
        animate={!reducedMotion}
      />
      <footer className="venue-footer">
        <SceneNav
          current={current.scene}
          step={rotation.step}
          rotateMs={settings.rotateMs}
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
          />
        ) : null}
      </footer>
      <CelebrationOverlay
        celebration={celebrations.current}
        waiting={celebrations.waiting}
        onDismiss={celebrations.dismiss}
        interactive={interactive}
      />
    </div>
  );
}

/** Which scene the screen shows: it moves on every `rotateMs` unless paused or a celebration holds it. */
function useRotation(settings: DashboardSettings, held: boolean) {
  const [step, setStep] = useState(0);
  const [paused, setPaused] = useState(false);
  const running = settings.rotateMs !== null && !paused && !held;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each step schedules the next one
  useEffect(() => {
    if (!running || settings.rotateMs === null) return;
    const id = setTimeout(() => setStep((s) => s + 1), settings.rotateMs);
    return () => clearTimeout(id);
  }, [step, running, settings.rotateMs]);

  // A new first scene (URL or controls) restarts the rotation from it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the configured first scene changes
  useEffect(() => setStep(0), [settings.scene]);

  const select = (scene: SceneId) => setStep((s) => stepForScene(s + 1, settings.scene, scene));
  return {
    step,
    paused,
    setPaused,
    running,
    select,
    current: sceneAt(step, settings.scene, settings.metric),
  };
}

/** The scene area and the boards behind it. */
function Stage({
  api,
  state,
  settings,
  current,
  now,
  animate,
}: {
  api: PublicApi;
  state: LiveState;
  settings: DashboardSettings;
  current: SceneStep;
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
        {current.scene === "trends" ? <TrendsScene timeseries={timeseries} window={settings.window} /> : null}
      </div>
    </main>
  );
}
