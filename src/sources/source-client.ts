/**
 * What a source's folder gives the service (issue 15): a client that polls one merchant and can test
 * its settings. The poller (ingest/poller.ts) calls `poll`, stores the parse with the store's
 * applySourcePoll in one transaction, and only then keeps the returned `state` for the next poll.
 */
import type { ConnectionTest } from "../contract/index.js";
import type { ProductFigures } from "../store/poll-contents.js";
import type { SourceParse } from "./source-sale.js";

/** A webhook's hint: what the delivery named, for the client to look at besides its usual re-poll. */
export interface SourceHint {
  /** Keys the delivery named (a BTCPay invoice id, an LNbits payment hash); never trusted as sales. */
  keys: string[];
}

export interface SourcePollInput<Settings> {
  merchantId: string;
  settings: Settings;
  /**
   * What the previous successful poll returned as `state`, as JSON read back (validate it: an older
   * version may have written it); null for the first poll and for an operator's refetch, which reads
   * the whole history again.
   */
  state: unknown;
  /** Webhook deliveries since the last poll, coalesced. */
  hints: SourceHint[];
  signal: AbortSignal;
  /** The poll's start, epoch ms. */
  now: number;
}

export interface SourcePollResult {
  parse: SourceParse;
  /**
   * Product figures when the source keeps cumulative ones; absent when it does not (BTCPay, LNbits):
   * the store then adds each new sale's lines to its merchant's products itself.
   */
  products?: ProductFigures[];
  /** Kept as JSON after the poll's transaction commits; what the next poll needs to ask for less. */
  state: unknown;
}

export interface SourceClient<Settings> {
  /**
   * One poll. Rejects with an UpstreamError (upstream/client.ts) whose message is what operators see as
   * `last_error`: plain words, never a key or secret.
   */
  poll(input: SourcePollInput<Settings>): Promise<SourcePollResult>;
  /** Calls the source once with these settings and says plainly what failed, if anything. */
  testConnection(settings: Settings, signal?: AbortSignal): Promise<ConnectionTest>;
}

/** What every client is built with (config: HTTP_TIMEOUT, MAX_UPSTREAM_BYTES). */
export interface SourceClientOptions {
  timeoutMs: number;
  maxBytes?: number;
}
