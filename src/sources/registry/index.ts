/**
 * Every keyed source's client, by the `source` value merchants carry: the one place a new source
 * (a folder beside btcpay/ and lnbits/) is added. The ingest thread polls through these and the HTTP
 * thread tests settings with them ("test connection"); each builds its own, they hold only caches.
 */
import { createBtcpayClient } from "../btcpay/client.js";
import type { KeyedSourceClients } from "../connections.js";
import { createLnbitsClient } from "../lnbits/client.js";
import type { SourceClientOptions } from "../source-client.js";

export function createSourceClients(opts: SourceClientOptions): KeyedSourceClients {
  return { btcpay: createBtcpayClient(opts), lnbits: createLnbitsClient(opts) };
}
