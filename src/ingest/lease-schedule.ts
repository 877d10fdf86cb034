/**
 * The schedule of an instance among several sharing one PostgreSQL database (issue 18): instead of
 * each instance polling every merchant every interval, every instance claims a fair share of the
 * merchants that are due (cluster/poll-leases.ts) a few times a second, polls what it leased, and
 * releases each one with its next poll's time (the interval, or the backoff after a failure, which every
 * instance then honours). One poller per merchant at a time, the work spread over the live instances,
 * and a killed instance's merchants polled by the others once its leases lapse.
 *
 * A refetch or webhook hint marks the merchant wanted in the database (so any instance's next claim
 * takes it, whichever instance received it) and tries to lease it here at once: "started" when this
 * instance got it, "coalesced" when another holds it (that holder's poll, or the one after it, answers).
 */
import { setMaxListeners } from "node:events";
import type { Kysely } from "kysely";
import { ensureLeaseRows } from "../cluster/lease-claim.js";
import { type PollAsk, PollLeases } from "../cluster/poll-leases.js";
import type { SourceHint } from "../sources/source-client.js";
import { getMerchantCredentials, listEnabledMerchantCredentials } from "../store/merchants.js";
import type { Database } from "../store/schema.js";
import { formatDuration } from "../time/duration.js";
import { MerchantPolls, type PollAsked, type PollEnd } from "./merchant-poll.js";
import { writePollStamps } from "./poll-log.js";
import type { PollAnswer, PollerOptions, PollScheduler } from "./poll-types.js";
import { forEachLimited } from "./pool.js";

export interface LeaseScheduleOptions extends PollerOptions {
  leases: PollLeases;
  /** This instance's name among the others (cluster/instance-id.ts): the owner of its leases. */
  ownerId: string;
  /** How long a lease lasts unrenewed: what a killed instance's merchants wait, beyond their due time. */
  leaseMs: number;
  /** Claim rounds' spacing when no poll ends meanwhile (default: a quarter interval, at most 1 s). */
  claimEveryMs?: number;
}

export class LeasePoller implements PollScheduler {
  /** Polls running here, by merchant: their leases are renewed until they end. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Refetches and hints being asked of the database; stop() waits for them too. */
  private readonly asking = new Set<Promise<unknown>>();
  private readonly cancel = new AbortController();
  private readonly polls: MerchantPolls;
  private readonly tickMs: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /** A claim round is running; `again`: a poll ended meanwhile, so another follows at once. */
  private claiming = false;
  private again = false;
  private running = false;
  private stopped = false;
  private claimFailing = false;
  /** Failed merchants' backoff in the poller's clock, for pollAll (the schedule keeps it in the database). */
  private readonly backoffUntil = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: LeaseScheduleOptions) {
    // Every request in flight listens on this one signal (see poller.ts).
    setMaxListeners(0, this.cancel.signal);
    this.now = opts.now ?? Date.now;
    this.polls = new MerchantPolls(opts, this.cancel.signal);
    // Often enough that a merchant waits little past its due time, and the heartbeat stays fresh.
    this.tickMs = opts.claimEveryMs ?? Math.max(10, Math.min(1000, opts.intervalMs / 4));
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    const { intervalMs, concurrency, leaseMs, ownerId } = this.opts;
    this.opts.log.info(
      `poller started on shared leases (instance=${ownerId}, interval=${formatDuration(intervalMs)}, concurrency=${concurrency}, lease=${formatDuration(leaseMs)})`,
    );
    this.timers.push(
      setInterval(() => void this.renew(), leaseMs / 3),
      setInterval(() => void this.maintain(), intervalMs),
    );
    this.tick();
  }

  /**
   * Cancels the polls in flight (as the single-instance poller does, see poller.ts), then hands back
   * every lease this instance holds, due as they were: the others take them at their next claim.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    for (const t of this.timers) clearInterval(t);
    this.cancel.abort();
    await Promise.allSettled([this.ticking, ...this.inFlight.values(), ...this.asking]);
    await writePollStamps(this.opts.db, this.opts.log);
    try {
      await this.opts.leases.leave(this.opts.ownerId);
    } catch (e) {
      this.opts.log.warn({ err: e }, "poll leases could not be handed back; they lapse on their own");
    }
  }

  refetch(merchantId: string): Promise<PollAnswer> {
    return this.ask(merchantId, { full: true, keys: [] });
  }

  hint(merchantId: string, hint: SourceHint): Promise<PollAnswer> {
    return this.ask(merchantId, { full: false, keys: [...hint.keys] });
  }

  /**
   * Every enabled merchant not being polled elsewhere and not backing off, once, now (tests and
   * benchmarks, which drive one instance on their own clock: as the single instance's pollAll, it
   * ignores the schedule but not the backoff, judged by the poller's clock, `now`).
   */
  async pollAll(): Promise<void> {
    const { db, ownerId, leaseMs } = this.opts;
    await ensureLeaseRows(db);
    const merchants = await listEnabledMerchantCredentials(db);
    const now = this.now();
    await forEachLimited(merchants, this.opts.concurrency, async (m) => {
      if (this.stopped || (this.backoffUntil.get(m.id) ?? 0) > now || this.inFlight.has(m.id)) return;
      if (await this.opts.leases.claimOne(ownerId, m.id, leaseMs)) await this.pollLeased(m.id);
    });
    // As a cycle ends on a single instance.
    await this.maintain();
  }

  private async ask(merchantId: string, ask: PollAsk): Promise<PollAnswer> {
    if (this.stopped) return "stopped";
    const asking = this.askAndClaim(merchantId, ask);
    this.asking.add(asking);
    try {
      return await asking;
    } finally {
      this.asking.delete(asking);
    }
  }

  private async askAndClaim(merchantId: string, ask: PollAsk): Promise<PollAnswer> {
    const { leases, ownerId, leaseMs } = this.opts;
    // Marked first: if another instance holds the merchant, its poll or the next one sees the mark.
    // Unmarked only when the merchant was deleted since ingest looked it up: nothing is left to poll.
    if (!(await leases.request(merchantId, ask))) return "coalesced";
    if (this.stopped) return "stopped";
    if (this.inFlight.has(merchantId) || !(await leases.claimOne(ownerId, merchantId, leaseMs)))
      return "coalesced";
    // Stopping meanwhile: stop() hands the lease back with leave(), the mark still on the row.
    if (this.stopped) return "stopped";
    // Asked for by an operator, who looks for its time now rather than at the next maintenance; stop()
    // waits for that write too, before the database closes.
    const polled = this.pollLeased(merchantId).then(() => writePollStamps(this.opts.db, this.opts.log));
    this.asking.add(polled);
    void polled.finally(() => this.asking.delete(polled));
    return "started";
  }

  /**
   * One claim round, then the next one tickMs later, or at once when a poll ended during it (rounds
   * never overlap).
   */
  private tick(): void {
    if (!this.running) return;
    this.claiming = true;
    this.again = false;
    this.ticking = this.claimRound().finally(() => {
      this.claiming = false;
      if (!this.running) return;
      if (this.again) this.tick();
      else this.tickTimer = setTimeout(() => this.tick(), this.tickMs);
    });
  }

  /**
   * A poll ended: its slot takes the next due merchant now. Waiting for the next round left slots
   * idle most of it: 1,000 merchants' first polls took 41-47 s on two instances (concurrency 5, a
   * 2 s interval: at most five polls per round of 500 ms, bench cluster-push, 2026-12-07).
   */
  private claimSoon(): void {
    if (!this.running) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    clearTimeout(this.tickTimer);
    this.tick();
  }

  private async claimRound(): Promise<void> {
    const { leases, ownerId, leaseMs, concurrency } = this.opts;
    let claimed: string[];
    try {
      // With no free slot this still counts as the heartbeat that keeps the instance in the shares.
      claimed = await leases.claim(ownerId, Math.max(0, concurrency - this.inFlight.size), leaseMs);
    } catch (e) {
      // Once per outage, not every round: a round comes every tickMs.
      if (!this.claimFailing) this.opts.log.error({ err: e }, "poll leases could not be claimed");
      this.claimFailing = true;
      return;
    }
    if (this.claimFailing) this.opts.log.info("poll leases can be claimed again");
    this.claimFailing = false;
    // Stopping meanwhile: stop() hands these back with leave().
    if (!this.running) return;
    for (const id of claimed) if (!this.inFlight.has(id)) void this.pollLeased(id);
  }

  /** Polls a merchant this instance has just leased, and releases it with its next poll's time. */
  private pollLeased(merchantId: string): Promise<void> {
    const polling = this.pollHeld(merchantId).finally(() => {
      this.inFlight.delete(merchantId);
      this.claimSoon();
    });
    this.inFlight.set(merchantId, polling);
    return polling;
  }

  private async pollHeld(merchantId: string): Promise<void> {
    const { leases, ownerId, leaseMs, db, log } = this.opts;
    const startedAt = performance.now();
    try {
      // Takes what refetches and webhooks asked of this poll; undefined: the lease lapsed meanwhile.
      const ask = await leases.begin(merchantId, ownerId, leaseMs);
      if (!ask) return;
      if (this.stopped) return void (await leases.release(merchantId, ownerId, 0, ask));
      const merchant = await getMerchantCredentials(db, merchantId);
      // Deleted meanwhile: its lease row went with it.
      if (!merchant) return;
      const asked: PollAsked = { hints: ask.keys.length > 0 ? [{ keys: ask.keys }] : [], full: ask.full };
      // Every write of this poll commits only while this instance still holds the lease.
      const fence = (trx: Kysely<Database>) => PollLeases.holds(trx, merchantId, ownerId);
      const end = await this.polls.run(merchant, asked, fence);
      // Cancelled by stop(): handed back due now, with what it was asked, for another instance.
      if (end.kind === "cancelled") return void (await leases.release(merchantId, ownerId, 0, ask));
      // Deleted during its poll: its lease row went with it.
      if (end.kind === "gone") return;
      if (end.kind === "lost") return this.lost(merchantId, end.batchesStored, ask);
      await this.release(merchantId, end, ask, performance.now() - startedAt);
    } catch (e) {
      if (this.cancel.signal.aborted) return;
      log.error(
        { err: e, merchant_id: merchantId },
        `merchant ${merchantId} could not be polled on its lease`,
      );
    }
  }

  /**
   * The next poll an interval after this one started, as the single instance's cycles start an interval
   * apart; a failed poll's retry waits its backoff if longer, and keeps what this poll was asked.
   */
  private async release(merchantId: string, end: PollEnd, ask: PollAsk, tookMs: number): Promise<void> {
    const { leases, ownerId, intervalMs } = this.opts;
    const failed = end.kind === "failed";
    if (failed && end.retryInMs > 0) this.backoffUntil.set(merchantId, this.now() + end.retryInMs);
    if (end.kind === "ok") this.backoffUntil.delete(merchantId);
    const wait = Math.max(0, Math.round(intervalMs - tookMs));
    const dueInMs = failed ? Math.max(wait, end.retryInMs) : wait;
    if (!(await leases.release(merchantId, ownerId, dueInMs, failed ? ask : undefined)))
      this.opts.log.warn(
        { merchant_id: merchantId },
        `merchant ${merchantId}'s poll lease had lapsed before its poll ended; another instance may have polled it too`,
      );
  }

  /**
   * A poll whose lease another instance took before its write: nothing of it committed (but batches
   * stored under the lease), no failure counted, and the lease, that instance's, is not released
   * here. What it was asked goes back on the row for the holder's next poll, as a failed poll's does.
   */
  private async lost(merchantId: string, batchesStored: number, ask: PollAsk): Promise<void> {
    const kept = batchesStored > 0 ? ` (the ${batchesStored} sales its batches stored before stay)` : "";
    this.opts.log.warn(
      { merchant_id: merchantId },
      `merchant ${merchantId}'s poll lost its lease before its write: another instance polls it, nothing of this poll stored${kept}`,
    );
    if (ask.full || ask.keys.length > 0) await this.opts.leases.request(merchantId, ask);
  }

  /** Keeps the leases of the polls running here; one lost (its renewals failed for too long) is logged. */
  private async renew(): Promise<void> {
    const held = [...this.inFlight.keys()];
    if (held.length === 0) return;
    try {
      const kept = new Set(await this.opts.leases.renew(this.opts.ownerId, held, this.opts.leaseMs));
      for (const id of held)
        if (!kept.has(id) && this.inFlight.has(id))
          this.opts.log.warn({ merchant_id: id }, `merchant ${id}'s poll lease was lost during its poll`);
    } catch (e) {
      this.opts.log.warn({ err: e }, "poll leases could not be renewed");
    }
  }

  /** What the single instance does at each cycle's end: poll times written, the after-cycle hook. */
  private async maintain(): Promise<void> {
    await writePollStamps(this.opts.db, this.opts.log);
    try {
      this.opts.onCycleEnd?.();
    } catch (e) {
      this.opts.log.warn({ err: e }, "after-cycle maintenance failed");
    }
  }
}
