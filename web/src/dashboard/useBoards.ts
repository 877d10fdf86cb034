// Data the live feed does not carry: leaderboards and the timeseries, refreshed when the live
// data moves (throttled) and on a slow timer.
import { useMemo } from "react";
import type { PublicApi } from "../api/client";
import type { MerchantLeader, Metric, ProductLeader, TickerRow, Timeseries } from "../api/types";
import { parseDuration, pickBucketSeconds, toGoDuration } from "../format/time";
import { type Resource, useResource } from "../hooks/useResource";
import type { LiveState } from "../live/state";
import type { BoardWindow } from "./settings";

export function useMerchantBoard(
  api: PublicApi,
  live: LiveState,
  metric: Metric,
  window: BoardWindow,
  limit = 10,
): Resource<MerchantLeader[]> {
  return useResource(
    `merchants:${metric}:${window}:${limit}`,
    () => api.merchantLeaderboard({ metric, window, limit }),
    { version: live.version },
  );
}

export function useProductBoard(
  api: PublicApi,
  live: LiveState,
  metric: Metric,
  window: BoardWindow,
  limit = 10,
): Resource<ProductLeader[]> {
  return useResource(
    `products:${metric}:${window}:${limit}`,
    () => api.productLeaderboard({ metric, window, limit }),
    { version: live.version },
  );
}

/** The trend over `window`: everyone's, or one merchant's (a booth screen's). */
export function useTimeseries(
  api: PublicApi,
  live: LiveState,
  window: string,
  merchantId?: string,
): Resource<Timeseries> {
  const seconds = parseDuration(window) ?? 3600;
  const bucketSeconds = pickBucketSeconds(seconds);
  const bucket = toGoDuration(bucketSeconds);
  // One bucket more than the window: the charts leave out the last, unfinished one (chart.ts perMinute),
  // so what they plot still spans the whole window.
  const asked = toGoDuration(seconds + bucketSeconds);
  const key = `ts:${window}:${bucket}:${merchantId ?? ""}`;
  return useResource(key, () => api.timeseries({ window: asked, bucket, merchantId }), {
    version: live.version,
    minGapMs: 5000,
  });
}

/** merchant_id → alias from every source that has one (leaderboards, ticker, merchant events). */
export function useAliases(
  live: LiveState,
  ...boards: (MerchantLeader[] | undefined)[]
): Record<string, string> {
  const ticker: TickerRow[] = live.ticker;
  // biome-ignore lint/correctness/useExhaustiveDependencies: boards is a rest array rebuilt every render; depend on its items
  return useMemo(() => {
    const map: Record<string, string> = {};
    for (const row of ticker) if (row.merchant_alias) map[row.merchant_id] = row.merchant_alias;
    for (const board of boards) for (const m of board ?? []) if (m.alias) map[m.merchant_id] = m.alias;
    for (const m of Object.values(live.merchants)) if (m.alias) map[m.id] = m.alias;
    return map;
  }, [ticker, live.merchants, ...boards]);
}
