import { useEffect, useState, useSyncExternalStore } from "react";
import type { PublicApi } from "../api/client";
import { LiveClient } from "./client";
import { merchantEventSource, refreshTwice } from "./merchant-scope";
import type { EventSourceCtor } from "./options";
import type { LiveState } from "./state";

/**
 * One live client for the lifetime of the component: started on mount, stopped on unmount. With a
 * `merchantId` (a booth screen) it reads that merchant's summary and ticker and hears only its sales.
 */
export function useLiveFeed(
  api: PublicApi,
  tickerLimit = 20,
  merchantId?: string,
): { state: LiveState; client: LiveClient } {
  const [client] = useState(() => {
    const triggers = () => api.triggers();
    if (merchantId === undefined) {
      return new LiveClient({
        api: { summary: () => api.summary(), ticker: api.ticker, triggers },
        tickerLimit,
      });
    }
    const global = (globalThis as { EventSource?: EventSourceCtor }).EventSource;
    const refresh = refreshTwice(() => void scoped.refetch());
    const scoped: LiveClient = new LiveClient({
      api: { summary: () => api.summary(merchantId), ticker: (n) => api.ticker(n, merchantId), triggers },
      tickerLimit,
      EventSource: global ? merchantEventSource(global, merchantId, refresh) : null,
    });
    return scoped;
  });
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const state = useSyncExternalStore(client.subscribe, client.getState, client.getState);
  return { state, client };
}
