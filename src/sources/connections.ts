/**
 * "Test connection" for the admin API: one call of a source's client with the settings an operator
 * typed (or has stored), answered in plain words. The service builds it from the same clients the
 * poller uses, so what the test says is what a poll would meet.
 */
import type { BtcpaySettings, ConnectionTest, KeyedSource, LnbitsSettings } from "../contract/index.js";
import { UpstreamError } from "../upstream/client.js";
import type { SourceClient } from "./source-client.js";

/** The keyed sources' clients; a source without one cannot be tested (nor polled). */
export interface KeyedSourceClients {
  btcpay?: SourceClient<BtcpaySettings> | undefined;
  lnbits?: SourceClient<LnbitsSettings> | undefined;
}

export interface SettingsOf {
  btcpay: BtcpaySettings;
  lnbits: LnbitsSettings;
}

export interface SourceConnections {
  /** What calling the source once found; undefined when this service has no client for the source. */
  testConnection<S extends KeyedSource>(
    source: S,
    settings: SettingsOf[S],
  ): Promise<ConnectionTest | undefined>;
}

/** The clients, or how to load them on the first test (the service: not at start-up). */
export function sourceConnections(
  clients: KeyedSourceClients | (() => Promise<KeyedSourceClients>),
): SourceConnections {
  let loaded: Promise<KeyedSourceClients> | undefined;
  const load = () => {
    loaded ??= typeof clients === "function" ? clients() : Promise.resolve(clients);
    return loaded;
  };
  return {
    async testConnection(source, settings) {
      const client = (await load())[source] as SourceClient<SettingsOf[typeof source]> | undefined;
      if (!client) return undefined;
      try {
        return await client.testConnection(settings);
      } catch (e) {
        // A client should answer {ok: false} itself; its UpstreamErrors are in plain words already.
        if (e instanceof UpstreamError) return { ok: false, message: e.message };
        throw e;
      }
    },
  };
}
