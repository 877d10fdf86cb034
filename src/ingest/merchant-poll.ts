/**
 * One poll of one merchant, whatever schedules it: fetch, store, log, and tell the outcome. Both
 * schedules use it: the single instance's cycles (poller.ts) and the shared database's leases
 * (lease-schedule.ts). What a schedule does next (retry later, coalesce, hand the lease back) it
 * decides from the PollEnd this returns.
 */
import type { SourceHint } from "../sources/source-client.js";
import { type MerchantCredentialsRow, recordPollFailure } from "../store/merchants.js";
import type { IncomingSale } from "../store/poll-contents.js";
import { LeaseLost, type PollFence } from "../store/poll-fence.js";
import { POLLED_SOURCE } from "../store/poll-statements.js";
import { applyPoll, type PollResult, storedBeforeFailure } from "../store/poll-transaction.js";
import { nothingStoredYet, type StoredSales, storeSaleBatch } from "../store/sale-batches.js";
import { UpstreamError } from "../upstream/client.js";
import type { SkippedRow } from "../upstream/payload.js";
import { backoffDelayMs } from "./backoff.js";
import { describePollFailure, logPollComplete } from "./poll-log.js";
import { MerchantGone, type PollerOptions, polledMerchant } from "./poll-types.js";
import { pollKeyedSource } from "./source-poll.js";

/** What a keyed-source merchant's poll was asked to look at besides its usual re-poll. */
export interface PollAsked {
  hints: SourceHint[];
  full: boolean;
}

export const NOTHING_ASKED: PollAsked = { hints: [], full: false };

/**
 * How a poll ended: stored (or found nothing new), the merchant deleted meanwhile, cancelled by a
 * stopping service (not the merchant's fault: its record is left alone), its lease lost before its
 * write (another instance polls the merchant now: what it was writing was rolled back, the merchant's
 * record left to that instance; batches stored before, under the lease, stay), or failed, with the
 * backoff its consecutive failures earn (0: the next scheduled poll, as usual).
 */
export type PollEnd =
  | { kind: "ok" }
  | { kind: "gone" }
  | { kind: "cancelled" }
  | { kind: "lost"; batchesStored: number }
  | { kind: "failed"; retryInMs: number };

export class MerchantPolls {
  private readonly now: () => number;

  constructor(
    private readonly opts: PollerOptions,
    private readonly signal: AbortSignal,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Polls `merchant` once; `asked` matters to keyed sources only (BTCPay, LNbits). A leased poll's
   * `fence` is checked by every write it makes (store/poll-fence.ts); the single instance has none.
   */
  async run(
    merchant: MerchantCredentialsRow,
    asked: PollAsked = NOTHING_ASKED,
    fence?: PollFence,
  ): Promise<PollEnd> {
    const startedAt = performance.now();
    if (merchant.source !== POLLED_SOURCE) return this.runKeyed(merchant, asked, startedAt, fence);
    const stored = nothingStoredYet();
    try {
      const done = await this.fetchAndStore(merchant, stored, fence);
      if (!done) return this.gone(merchant);
      const { poll } = done;
      const skipped = poll.unchanged ? [] : poll.skipped;
      const skippedCount = poll.unchanged ? 0 : poll.skippedCount;
      this.succeeded(merchant, skipped, skippedCount, done.polledAt, done.result, startedAt);
      return { kind: "ok" };
    } catch (e) {
      if (this.signal.aborted) return { kind: "cancelled" };
      return this.failed(merchant, e, stored, startedAt, fence);
    }
  }

  private async runKeyed(
    merchant: MerchantCredentialsRow,
    asked: PollAsked,
    startedAt: number,
    fence: PollFence | undefined,
  ): Promise<PollEnd> {
    try {
      const done = await pollKeyedSource(this.opts.db, this.opts.sourceClients ?? {}, merchant, {
        ...asked,
        signal: this.signal,
        now: this.now,
        fence,
      });
      if (!done) return this.gone(merchant);
      this.succeeded(merchant, done.skipped, done.skippedCount, done.polledAt, done.result, startedAt);
      return { kind: "ok" };
    } catch (e) {
      if (this.signal.aborted) return { kind: "cancelled" };
      return this.failed(merchant, e, nothingStoredYet(), startedAt, fence);
    }
  }

  private gone(merchant: MerchantCredentialsRow): PollEnd {
    this.opts.log.info(`merchant ${merchant.id} was deleted during its poll; nothing stored`);
    return { kind: "gone" };
  }

  /**
   * Fetches and stores one poll; a long history's batches are stored as its body streams in, into
   * `stored` (store/sale-batches.ts). Undefined when the merchant was deleted meanwhile.
   */
  private async fetchAndStore(
    merchant: MerchantCredentialsRow,
    stored: StoredSales,
    fence: PollFence | undefined,
  ) {
    const { db } = this.opts;
    const batches = async (sales: IncomingSale[]) => {
      // The body read ahead of the parse holds a few more batches: shutting down does not wait for them.
      if (this.signal.aborted) throw new Error("poll cancelled: shutting down");
      if (!(await storeSaleBatch(db, merchant.id, sales, this.now(), stored, fence)))
        throw new MerchantGone();
    };
    try {
      let poll = await this.opts.fetchMerchant(merchant, this.signal, batches);
      let polledAt = this.now();
      let result = await applyPoll(db, merchant.id, poll, polledAt, { earlier: stored, fence });
      if (result === "stale") {
        // The merchant was re-created while its unchanged body was being fetched: fetch it in full.
        poll = await this.opts.fetchMerchant({ ...merchant, bodyDigest: null }, this.signal, batches);
        polledAt = this.now();
        result = await applyPoll(db, merchant.id, poll, polledAt, { earlier: stored, fence });
      }
      return result && result !== "stale" ? { poll, polledAt, result } : undefined;
    } catch (e) {
      if (e instanceof MerchantGone) return undefined;
      throw e;
    }
  }

  private succeeded(
    merchant: MerchantCredentialsRow,
    skipped: readonly SkippedRow[],
    skippedCount: number,
    polledAt: number,
    result: PollResult,
    startedAt: number,
  ) {
    logPollComplete(this.opts.log, merchant.id, skipped, skippedCount, result);
    const polled = polledMerchant(merchant, startedAt);
    this.opts.onOutcome?.({ kind: "ok", ...polled, polledAt, result, skippedCount });
  }

  /**
   * Records the failure; sales a streamed poll stored before failing are announced too. A lost lease is
   * no failure of the merchant's: nothing recorded, nothing told.
   */
  private async failed(
    merchant: MerchantCredentialsRow,
    e: unknown,
    stored: StoredSales,
    startedAt: number,
    fence: PollFence | undefined,
  ): Promise<PollEnd> {
    const { log, db } = this.opts;
    // Batches committed while the lease was held are real sales and stay (sale-batches.ts).
    if (e instanceof LeaseLost) return { kind: "lost", batchesStored: stored.count };
    const error = describePollFailure(e);
    if (!(e instanceof UpstreamError))
      log.error({ err: e, merchant_id: merchant.id }, `poll of merchant ${merchant.id} failed: ${error}`);
    let failures = 1;
    try {
      failures = await recordPollFailure(db, merchant.id, error, this.now(), fence);
    } catch (recordError) {
      if (recordError instanceof LeaseLost) return { kind: "lost", batchesStored: stored.count };
      log.error({ err: recordError }, `merchant ${merchant.id} poll failure could not be recorded`);
    }
    const delay = backoffDelayMs(failures, this.opts.intervalMs, this.opts.random);
    log.warn(
      { merchant_id: merchant.id, failures, retry_in_ms: delay },
      `merchant ${merchant.id} poll failed: ${error}${stored.count > 0 ? ` after storing ${stored.count} sales` : ""}`,
    );
    this.opts.onOutcome?.({
      kind: "failed",
      ...polledMerchant(merchant, startedAt),
      error,
      failures,
      ...(stored.count > 0 ? { result: storedBeforeFailure(merchant.id, merchant.alias, stored) } : {}),
    });
    return { kind: "failed", retryInMs: delay };
  }
}
