/** What the poller is built with and what it tells about each poll it finishes. */
import type { FastifyBaseLogger } from "fastify";
import type { WriterDb } from "../store/db.js";
import type { PollResult } from "../store/poll-transaction.js";
import type { FetchMerchant } from "../upstream/client.js";
import type { SourceClients } from "./source-poll.js";

/**
 * A finished poll. A failed one carries a `result` when it had stored sales all the same: a long
 * history's batches committed before its body was cut, which screens must show like any others.
 */
export type PollOutcome =
  | { kind: "ok"; merchantId: string; alias: string; polledAt: number; result: PollResult }
  | {
      kind: "failed";
      merchantId: string;
      alias: string;
      error: string;
      failures: number;
      result?: PollResult;
    };

export interface PollerOptions {
  db: WriterDb;
  fetchMerchant: FetchMerchant;
  /** BTCPay's and LNbits' clients; a merchant of a source without one fails its polls, saying so. */
  sourceClients?: SourceClients;
  intervalMs: number;
  concurrency: number;
  log: FastifyBaseLogger;
  /** Told about every finished poll (the live stream listens here). */
  onOutcome?: (outcome: PollOutcome) => void;
  /** After each cycle, e.g. to refresh planner statistics. */
  onCycleEnd?: () => void;
  now?: () => number;
  random?: () => number;
  /**
   * Scheduled cycles after the first start their polls evenly over this fraction of the interval
   * instead of all at once (0, the default: all at once). A thousand merchants then cost upstream, the
   * database and the machine a steady trickle, not a burst every interval that delays everything else.
   */
  spreadFraction?: number;
}
