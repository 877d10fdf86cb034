import { setMaxListeners } from "node:events";
import type { SourceHint } from "../sources/source-client.js";
import {
  getMerchantCredentials,
  listEnabledMerchantCredentials,
  type MerchantCredentialsRow,
} from "../store/merchants.js";
import { POLLED_SOURCE } from "../store/poll-statements.js";
import { formatDuration } from "../time/duration.js";
import { MerchantPolls } from "./merchant-poll.js";
import { writePollStamps } from "./poll-log.js";
import type { PollerOptions, PollScheduler } from "./poll-types.js";
import { forEachLimited, Pauses } from "./pool.js";
import { PollRequests } from "./source-poll.js";

export type { PollerOptions, PollOutcome } from "./poll-types.js";

/**
 * Polls every enabled merchant once per cycle, at most `concurrency` at once; a cycle starts only after
 * the previous one ends (each request is bounded by the client's timeout, so a hanging merchant holds
 * one slot, never the others). A merchant is never polled twice at once.
 */
export class Poller implements PollScheduler {
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
  private readonly polls: MerchantPolls;

  constructor(private readonly opts: PollerOptions) {
    this.now = opts.now ?? Date.now;
    // Every request in flight listens on this one signal (a BTCPay poll's hinted lookups run side by
    // side): more than Node's default of 10 is expected, and each removes its listener when it ends.
    setMaxListeners(0, this.cancel.signal);
    this.polls = new MerchantPolls(opts, this.cancel.signal);
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
    const promise = this.pollOnce(merchant).finally(() => {
      this.inFlight.delete(merchant.id);
      if (this.refetchAfter.delete(merchant.id) && !this.stopped) this.refetchById(merchant.id);
    });
    this.inFlight.set(merchant.id, promise);
    return promise;
  }

  private async pollOnce(merchant: MerchantCredentialsRow): Promise<void> {
    // What a keyed source's poll was asked to look at is asked again if it fails.
    const asked = merchant.source === POLLED_SOURCE ? undefined : this.asked.take(merchant.id);
    const end = await this.polls.run(merchant, asked);
    if (end.kind === "ok") this.notBefore.delete(merchant.id);
    if (asked && (end.kind === "failed" || end.kind === "cancelled")) this.asked.putBack(merchant.id, asked);
    if (end.kind === "failed" && end.retryInMs > 0)
      this.notBefore.set(merchant.id, this.now() + end.retryInMs);
  }
}
