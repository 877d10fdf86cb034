/** What the poller is built with and what it tells about each poll it finishes. */
import type { FastifyBaseLogger } from "fastify";
import type { SourceHint } from "../sources/source-client.js";
import type { WriterDb } from "../store/db.js";
import type { PollResult } from "../store/poll-transaction.js";
import type { FetchMerchant } from "../upstream/client.js";
import type { SourceClients } from "./source-poll.js";

/**
 * A finished poll. A failed one carries a `result` when it had stored sales all the same: a long
 * history's batches committed before its body was cut, which screens must show like any others.
 */
export type PollOutcome = PolledMerchant &
  (
    | { kind: "ok"; polledAt: number; result: PollResult; skippedCount: number }
    | { kind: "failed"; error: string; failures: number; result?: PollResult }
  );

/** Who was polled, from which source, and how long the poll took (the metrics count these). */
export interface PolledMerchant {
  merchantId: string;
  alias: string;
  source: string;
  durationMs: number;
}

/** The outcome's common part for a poll that started at `startedAt` (performance.now()). */
export function polledMerchant(
  m: { id: string; alias: string; source: string },
  startedAt: number,
): PolledMerchant {
  return { merchantId: m.id, alias: m.alias, source: m.source, durationMs: performance.now() - startedAt };
}

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

/** A streamed poll's merchant was deleted between two of its batches. */
export class MerchantGone extends Error {}

/** What a refetch or hint did: polling here now, answered by a poll in flight or next, or shutting down. */
export type PollAnswer = "started" | "coalesced" | "stopped";

/**
 * What ingest drives, whichever schedule polls: the single instance's cycles (poller.ts) or, on a
 * database shared by several instances, the leases that keep one poller per merchant (lease-schedule.ts).
 */
export interface PollScheduler {
  start(): void;
  /** Stops scheduling, cancels the polls in flight and resolves once they have ended. */
  stop(): Promise<void>;
  /** Polls one merchant now, outside the schedule, a keyed source's whole history. */
  refetch(merchantId: string): PollAnswer | Promise<PollAnswer>;
  /** A webhook named this merchant: poll it now, looking at the keys it named. */
  hint(merchantId: string, hint: SourceHint): PollAnswer | Promise<PollAnswer>;
  /** Polls every enabled merchant once, now, and resolves when all are done (tests, benchmarks). */
  pollAll(): Promise<void>;
}
