// The WiFi scene's data: the offer (refreshed hourly), the wifi source's totals and newest sales over
// REST, refetched whenever a wifi sale arrives on the live stream, with those sales shown at once.
import { useMemo, useRef } from "react";
import type { Summary, TickerRow } from "../api/types";
import { WIFI_SOURCE, type WifiApi, type WifiConfig } from "../api/wifi";
import { type Resource, useResource } from "../hooks/useResource";
import { type LiveState, mergeTicker, saleKey } from "../live/state";

const CONFIG_REFRESH_MS = 3_600_000;
/** A wifi sale is rare and worth showing: its totals are refetched a second after it, not four. */
const MIN_GAP_MS = 1000;

export interface WifiSceneData {
  config: Resource<WifiConfig>;
  summary: Resource<Summary>;
  /** Newest first: the REST snapshot plus wifi sales the stream brought since. */
  sales: TickerRow[];
}

export function useWifiScene(api: WifiApi, live: LiveState, limit = 6): WifiSceneData {
  const liveSales = useMemo(() => wifiOnly(live.ticker), [live.ticker]);
  const version = useChangeCount(`${liveSales.map(saleKey).join(",")}|${live.resyncs}`);
  const config = useResource("wifi:config", api.config, { refreshMs: CONFIG_REFRESH_MS });
  const summary = useResource("wifi:summary", api.summary, { version, minGapMs: MIN_GAP_MS });
  const snapshot = useResource(`wifi:sales:${limit}`, () => api.sales(limit), {
    version,
    minGapMs: MIN_GAP_MS,
  });
  const sales = useMemo(
    () => mergeTicker(liveSales, snapshot.data ?? [], limit),
    [liveSales, snapshot.data, limit],
  );
  return { config, summary, sales };
}

const wifiOnly = (rows: TickerRow[]) => rows.filter((r) => r.source === WIFI_SOURCE);

/**
 * What the scene lists: the REST snapshot of wifi sales, plus the stream's wifi sales newer than it
 * (shown the moment they arrive, before the refetch they cause has answered). Other sources never.
 */
export function wifiSales(live: TickerRow[], snapshot: TickerRow[] | undefined, limit: number): TickerRow[] {
  return mergeTicker(wifiOnly(live), wifiOnly(snapshot ?? []), limit);
}

/** A number that moves each time `value` changes (what useResource's `version` wants). */
function useChangeCount(value: string): number {
  const ref = useRef({ value, count: 0 });
  if (ref.current.value !== value) ref.current = { value, count: ref.current.count + 1 };
  return ref.current.count;
}
