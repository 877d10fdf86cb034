import { useEffect, useState, useSyncExternalStore } from "react";
import type { PublicApi } from "../api/client";
import { LiveClient } from "./client";
import type { LiveState } from "./state";

/** One live client for the lifetime of the component: started on mount, stopped on unmount. */
export function useLiveFeed(api: PublicApi, tickerLimit = 20): { state: LiveState; client: LiveClient } {
  const [client] = useState(
    () =>
      new LiveClient({
        api: { summary: api.summary, ticker: api.ticker, triggers: () => api.triggers() },
        tickerLimit,
      }),
  );
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const state = useSyncExternalStore(client.subscribe, client.getState, client.getState);
  return { state, client };
}
