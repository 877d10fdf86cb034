// The venue screen's WiFi scene: the upgrade on offer (from /v1/wifi/config), how many were sold and
// for how many sats (the wifi source's summary), and the newest upgrades, live.
import type { Summary, TickerRow } from "../api/types";
import type { WifiApi, WifiConfig } from "../api/wifi";
import { formatInteger } from "../format/number";
import type { LiveState } from "../live/state";
import { KpiTile } from "./KpiTiles";
import { Ticker } from "./Ticker";
import { useWifiScene } from "./useWifiScene";
// Imported here rather than in main.tsx so that the scene stays one self-contained piece.
import "../styles/wifi.css";

/** "2100" → "2,100"; anything that is not whole digits is shown as the server sent it. */
function satsText(price: string): string {
  return /^\d+$/.test(price) ? formatInteger(Number(price)) : price;
}

/** The scene with its data: what the rotation renders for `wifi`. */
export function LiveWifiScene({
  api,
  live,
  now,
  animate,
}: {
  api: WifiApi;
  live: LiveState;
  now: number;
  animate: boolean;
}) {
  const { config, summary, sales } = useWifiScene(api, live);
  return (
    <WifiScene
      config={config.data}
      summary={summary.data}
      summaryError={summary.error}
      sales={sales}
      now={now}
      animate={animate}
    />
  );
}

export interface WifiSceneProps {
  /** Undefined while loading or when it cannot be read: the offer is then left out, not invented. */
  config: WifiConfig | undefined;
  /** The wifi source's summary; undefined while loading. */
  summary: Summary | undefined;
  summaryError?: string | null;
  /** Newest first. */
  sales: TickerRow[];
  now: number;
  animate: boolean;
}

export function WifiScene({ config, summary, summaryError, sales, now, animate }: WifiSceneProps) {
  const none = summary?.total_transactions === 0 && sales.length === 0;
  return (
    <section
      className={`scene scene--wifi${none ? " is-empty" : ""}`}
      data-scene="wifi"
      aria-labelledby="scene-wifi-title"
    >
      <div className="wifi-offer" data-testid="wifi-offer">
        <h2 className="wifi-offer__title" id="scene-wifi-title">
          WiFi upgrade
        </h2>
        {config ? <Offer config={config} /> : null}
      </div>
      <div className="wifi-figures">
        <Figures summary={summary} error={summaryError ?? null} animate={animate} />
      </div>
      {sales.length > 0 ? (
        <div className="wifi-sales">
          <Ticker rows={sales} now={now} limit={6} title="Latest upgrades" headingId="wifi-ticker-heading" />
        </div>
      ) : null}
    </section>
  );
}

function Offer({ config }: { config: WifiConfig }) {
  return (
    <>
      <p className="wifi-offer__description" data-testid="wifi-description">
        {config.description}
      </p>
      <p className="wifi-offer__price" data-testid="wifi-price">
        {config.duration_hours} hours for {satsText(config.price_sats)} satoshis
      </p>
      {config.lightning_address ? (
        <p className="wifi-offer__address">
          <span className="wifi-offer__address-label">Pay to</span>
          <span className="wifi-offer__address-value mono" data-testid="wifi-lightning-address">
            {config.lightning_address}
          </span>
        </p>
      ) : null}
    </>
  );
}

/** Sold count and sats; an honest "none yet" instead of zeros, and a dash while nothing is known. */
function Figures({
  summary,
  error,
  animate,
}: {
  summary: Summary | undefined;
  error: string | null;
  animate: boolean;
}) {
  if (summary && summary.total_transactions === 0) {
    return (
      <p className="wifi-empty" data-testid="wifi-empty">
        No WiFi sales yet
      </p>
    );
  }
  return (
    <>
      <KpiTile
        testId="wifi-sales-count"
        label="Upgrades sold"
        value={summary?.total_transactions}
        format={formatInteger}
        size="hero"
        animate={animate}
        sub={!summary && error ? "Cannot load the WiFi figures" : undefined}
      />
      <KpiTile
        testId="wifi-sales-volume"
        label="Sats from WiFi"
        value={summary?.total_volume_sats}
        format={formatInteger}
        unit="sats"
        size="hero"
        accent
        animate={animate}
      />
    </>
  );
}
