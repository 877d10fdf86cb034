import { setMaxListeners } from "node:events";
import type { SourceHint } from "../sources/source-client.js";
import {
  getMerchantCredentials,
  listEnabledMerchantCredentials,
  type MerchantCredentialsRow,
  recordPollFailure,
} from "../store/merchants.js";
import type { IncomingSale } from "../store/poll-contents.js";
import { POLLED_SOURCE } from "../store/poll-statements.js";
import { applyPoll, type PollResult, storedBeforeFailure } from "../store/poll-transaction.js";
import { nothingStoredYet, type StoredSales, storeSaleBatch } from "../store/sale-batches.js";
import { formatDuration } from "../time/duration.js";
import { UpstreamError } from "../upstream/client.js";
import type { SkippedRow } from "../upstream/payload.js";
import { backoffDelayMs } from "./backoff.js";
import { describePollFailure, logPollComplete, writePollStamps } from "./poll-log.js";
import { MerchantGone, type PollerOptions, polledMerchant } from "./poll-types.js";
import { forEachLimited, Pauses } from "./pool.js";
import { PollRequests, pollKeyedSource } from "./source-poll.js";

export type { PollerOptions, PollOutcome } from "./poll-types.js";

/**
 * Polls every enabled merchant once per cycle, at most `concurrency` at once; a cycle starts only after
 * the previous one ends (each request is bounded by the client's timeout, so a hanging merchant holds
 * one slot, never the others). A merchant is never polled twice at once.
 */
export class Poller {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly refetchAfter = new Set<string>();
  /** Webhook hints and operators' full refetches waiting for keyed-source merchants' next polls. */
  private readonly asked = new PollRequests();
  /** Refetches asked for by operators, from their lookup on: stop() waits for them too. */
  private readonly refetches = new Set<Promise<void>>();
  private readonly notBefore = new Map<string, number>();
  private readonly cancel = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** Waits between spread polls; stop() ends them at once. */
  private readonly pauses = new Pauses();
  private cyclesRun = 0;
  private cycle: Promise<void> | undefined;
  private running = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: PollerOptions) {
    this.now = opts.now ?? Date.now;
    // Every request in flight listens on this one signal (a BTCPay poll's hinted lookups run side by
    // side): more than Node's default of 10 is expected, and each removes its listener when it ends.
    setMaxListeners(0, this.cancel.signal);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.opts.log.info(
      `poller started (interval=${formatDuration(this.opts.intervalMs)}, concurrency=${this.opts.concurrency})`,
    );
    this.runCycle();
  }

  /**
   * Stops scheduling and cancels the polls in flight at once, whatever upstream does: waiting for them
   * could take up to the HTTP timeout, past the few seconds a supervisor gives a stopping service
   * before it kills it. Nothing is half-written: a poll's own transaction is whole or absent, and a
   * long history's batches already committed are whole sales the next start's full poll completes.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    clearTimeout(this.timer);
    this.pauses.endAll();
    this.cancel.abort();
    // A transaction being written when the signal came runs to its end before this resolves.
    await Promise.allSettled([this.cycle, ...this.inFlight.values(), ...this.refetches]);
    await writePollStamps(this.opts.db, this.opts.log);
  }

  /**
   * Polls one merchant now, outside the schedule, even if disabled or backing off. A refetch asked for
   * while that merchant's poll runs is coalesced into one more poll right after it. A keyed source's
   * refetch reads its whole history, not just what its state says can have changed.
   */
  refetch(merchantId: string): "started" | "coalesced" | "stopped" {
    this.asked.full(merchantId);
    return this.pollSoon(merchantId);
  }

  /**
   * A webhook named this merchant: poll it now, coalesced with a poll in flight like a refetch, and
   * hand the delivery's keys to its client. The poll, not the delivery, decides what is a sale.
   */
  hint(merchantId: string, hint: SourceHint): "started" | "coalesced" | "stopped" {
    this.asked.hint(merchantId, hint);
    return this.pollSoon(merchantId);
  }

  private pollSoon(merchantId: string): "started" | "coalesced" | "stopped" {
    this.notBefore.delete(merchantId);
    if (this.stopped) return "stopped";
    if (this.inFlight.has(merchantId)) {
      this.refetchAfter.add(merchantId);
      return "coalesced";
    }
    this.refetchById(merchantId);
    return "started";
  }

  /** Runs one full cycle now and resolves when it ends (tests, benchmarks). */
  async pollAll(): Promise<void> {
    await this.cycleOnce();
  }

  private runCycle(): void {
    if (!this.running) return;
    const startedAt = this.now();
    // The first cycle polls everyone at once: screens should fill as soon as the service starts.
    const spread = this.cyclesRun++ > 0 ? (this.opts.spreadFraction ?? 0) : 0;
    this.cycle = this.cycleOnce(spread).finally(() => {
      if (!this.running) return;
      const wait = Math.max(0, startedAt + this.opts.intervalMs - this.now());
      this.timer = setTimeout(() => this.runCycle(), wait);
    });
  }

  private async cycleOnce(spread = 0): Promise<void> {
    let merchants: MerchantCredentialsRow[];
    try {
      merchants = await listEnabledMerchantCredentials(this.opts.db);
    } catch (e) {
      this.opts.log.error({ err: e }, "poll cycle could not list merchants");
      return;
    }
    const now = this.now();
    const due = merchants.filter((m) => (this.notBefore.get(m.id) ?? 0) <= now && !this.inFlight.has(m.id));
    const spacingMs = spread > 0 ? (this.opts.intervalMs * spread) / due.length : 0;
    const startedAt = performance.now();
    let started = 0;
    await forEachLimited(due, this.opts.concurrency, async (m) => {
      const wait = startedAt + started++ * spacingMs - performance.now();
      if (wait >= 1) await this.pauses.wait(wait);
      if (this.stopped) return;
      await this.poll(m);
    });
    await writePollStamps(this.opts.db, this.opts.log);
    try {
      this.opts.onCycleEnd?.();
    } catch (e) {
      this.opts.log.warn({ err: e }, "after-cycle maintenance failed");
    }
  }

  private refetchById(merchantId: string): void {
    const refetch = this.pollById(merchantId).finally(() => this.refetches.delete(refetch));
    this.refetches.add(refetch);
  }

  private async pollById(merchantId: string): Promise<void> {
    const merchant = await getMerchantCredentials(this.opts.db, merchantId).catch(() => undefined);
    // Stopped meanwhile: the database may be closing.
    if (this.stopped) return;
    if (merchant) await this.poll(merchant);
    // Asked for by an operator, who looks for its time now rather than at the cycle's end.
    await writePollStamps(this.opts.db, this.opts.log);
  }

  private poll(merchant: MerchantCredentialsRow): Promise<void> {
    const running = this.inFlight.get(merchant.id);
    if (running) return running;
    const promise = this.pollOnce(merchant, performance.now()).finally(() => {
      this.inFlight.delete(merchant.id);
      if (this.refetchAfter.delete(merchant.id) && !this.stopped) this.refetchById(merchant.id);
    });
    this.inFlight.set(merchant.id, promise);
    return promise;
  }

  private async pollOnce(merchant: MerchantCredentialsRow, startedAt: number): Promise<void> {
    if (merchant.source !== POLLED_SOURCE) return this.pollKeyed(merchant, startedAt);
    const stored = nothingStoredYet();
    try {
      const done = await this.fetchAndStore(merchant, stored);
      if (done)
        this.succeeded(
          merchant,
          done.poll.unchanged ? [] : done.poll.skipped,
          done.poll.unchanged ? 0 : done.poll.skippedCount,
          done.polledAt,
          done.result,
          startedAt,
        );
      else this.opts.log.info(`merchant ${merchant.id} was deleted during its poll; nothing stored`);
    } catch (e) {
      // Shutting down is not the merchant's fault: leave its record alone.
      if (this.cancel.signal.aborted) return;
      await this.failed(merchant, e, stored, startedAt);
    }
  }

  /** A BTCPay or LNbits merchant's poll; what it was asked to look at is asked again if it fails. */
  private async pollKeyed(merchant: MerchantCredentialsRow, startedAt: number): Promise<void> {
    const asked = this.asked.take(merchant.id);
    try {
      const { signal } = this.cancel;
      const done = await pollKeyedSource(this.opts.db, this.opts.sourceClients ?? {}, merchant, {
        ...asked,
        signal,
        now: this.now,
      });
      if (done)
        this.succeeded(merchant, done.skipped, done.skippedCount, done.polledAt, done.result, startedAt);
      else this.opts.log.info(`merchant ${merchant.id} was deleted during its poll; nothing stored`);
    } catch (e) {
      this.asked.putBack(merchant.id, asked);
      if (!this.cancel.signal.aborted) await this.failed(merchant, e, nothingStoredYet(), startedAt);
    }
  }

  /**
   * Fetches and stores one poll; a long history's batches are stored as its body streams in, into
   * `stored` (store/sale-batches.ts). Undefined when the merchant was deleted meanwhile.
   */
  private async fetchAndStore(merchant: MerchantCredentialsRow, stored: StoredSales) {
    const { db } = this.opts;
    const batches = async (sales: IncomingSale[]) => {
      // The body read ahead of the parse holds a few more batches: shutting down does not wait for them.
      if (this.cancel.signal.aborted) throw new Error("poll cancelled: shutting down");
      if (!(await storeSaleBatch(db, merchant.id, sales, this.now(), stored))) throw new MerchantGone();
    };
    try {
      let poll = await this.opts.fetchMerchant(merchant, this.cancel.signal, batches);
      let polledAt = this.now();
      let result = await applyPoll(db, merchant.id, poll, polledAt, stored);
      if (result === "stale") {
        // The merchant was re-created while its unchanged body was being fetched: fetch it in full.
        poll = await this.opts.fetchMerchant({ ...merchant, bodyDigest: null }, this.cancel.signal, batches);
        polledAt = this.now();
        result = await applyPoll(db, merchant.id, poll, polledAt, stored);
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
    this.notBefore.delete(merchant.id);
    logPollComplete(this.opts.log, merchant.id, skipped, skippedCount, result);
    const polled = polledMerchant(merchant, startedAt);
    this.opts.onOutcome?.({ kind: "ok", ...polled, polledAt, result, skippedCount });
  }

  /** Records the failure and backs off; sales a streamed poll stored before failing are announced too. */
  private async failed(
    merchant: MerchantCredentialsRow,
    e: unknown,
    stored: StoredSales,
    startedAt: number,
  ): Promise<void> {
    const { log, db } = this.opts;
    const error = describePollFailure(e);
    if (!(e instanceof UpstreamError))
      log.error({ err: e, merchant_id: merchant.id }, `poll of merchant ${merchant.id} failed: ${error}`);
    let failures = 1;
    try {
      failures = await recordPollFailure(db, merchant.id, error, this.now());
    } catch (recordError) {
      log.error({ err: recordError }, `merchant ${merchant.id} poll failure could not be recorded`);
    }
    const delay = backoffDelayMs(failures, this.opts.intervalMs, this.opts.random);
    if (delay > 0) this.notBefore.set(merchant.id, this.now() + delay);
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
  }
}
