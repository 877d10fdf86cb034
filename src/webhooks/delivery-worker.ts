/**
 * Sends the webhook outbox (store/outbox.ts) on the ingest thread, beside the poller: every request is
 * asynchronous and each database write is one small statement between polls' transactions, so a slow
 * or hanging receiver holds only its own webhook's queue, never ingest or the stream (which lives on
 * the HTTP thread). One delivery per webhook at a time, oldest first: delivery k+1 of a webhook goes
 * only once k is delivered or given up. Retries back off exponentially with full jitter, capped.
 */
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../store/db.js";
import { pruneFinished } from "../store/deliveries.js";
import { type ClaimedDelivery, type DeliveryQueue, deliveryQueue } from "../store/delivery-claims.js";
import { type AttemptResult, postDelivery } from "./send.js";

export interface DeliveryOptions {
  timeoutMs: number;
  retryBaseMs: number;
  retryCapMs: number;
  maxAttempts: number;
}

/** Without a poke (a stored poll), the outbox is looked at this often. */
const IDLE_SCAN_MS = 1000;
/**
 * How long a claim outlives an attempt's timeout (store/delivery-claims.ts): enough for the outcome
 * to be written after a slow database; an instance that died holding a claim delays its webhook this
 * much more.
 */
const LEASE_MARGIN_MS = 30_000;
/** Finished deliveries of a webhook between two prunings of its log. */
const PRUNE_EVERY = 50;

/** Full jitter: uniformly in [0, min(cap, base × 2^(attempts − 1))]. */
export function retryDelay(attempts: number, o: DeliveryOptions, random: () => number): number {
  const ceiling = Math.min(o.retryCapMs, o.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

export class DeliveryWorker {
  readonly #db: Db;
  readonly #queue: DeliveryQueue;
  readonly #log: FastifyBaseLogger;
  readonly #options: DeliveryOptions;
  readonly #random: () => number;
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #finished = new Map<number, number>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #scanning = false;
  #again = false;

  constructor(opts: { db: Db; log: FastifyBaseLogger; options: DeliveryOptions; random?: () => number }) {
    this.#db = opts.db;
    this.#log = opts.log;
    this.#options = opts.options;
    this.#queue = deliveryQueue(opts.db, opts.options.timeoutMs + LEASE_MARGIN_MS);
    this.#random = opts.random ?? Math.random;
  }

  start(): void {
    if (this.#running || this.#abort.signal.aborted) return;
    this.#running = true;
    this.poke();
  }

  /** Something may have been enqueued: look now rather than at the next idle scan. */
  poke(): void {
    if (this.#running) this.#schedule(0);
  }

  /** Cancels requests in flight (their deliveries stay pending, resent with the same id next start). */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#scan(), ms);
  }

  async #scan(): Promise<void> {
    if (!this.#running) return;
    if (this.#scanning) {
      this.#again = true;
      return;
    }
    this.#scanning = true;
    let wait = IDLE_SCAN_MS;
    try {
      const now = Date.now();
      for (const head of await this.#queue.heads()) {
        if (this.#inFlight.has(head.webhookId)) continue;
        if (head.nextAttemptAt > now) wait = Math.min(wait, head.nextAttemptAt - now);
        else this.#send(head.webhookId);
      }
    } catch (e) {
      this.#log.error(`webhook outbox could not be read: ${(e as Error).message}`);
    } finally {
      this.#scanning = false;
    }
    if (!this.#running) return;
    if (this.#again) {
      this.#again = false;
      wait = 0;
    }
    this.#schedule(wait);
  }

  /**
   * Sends the webhook's deliveries one after another while they are due and this instance can claim
   * them (another instance may be sending this webhook's); the scan takes it up after.
   */
  #send(webhookId: number): void {
    const run = async () => {
      while (this.#running) {
        const next = await this.#queue.claim(webhookId, Date.now()).catch(() => undefined);
        if (!next) return;
        await this.#attempt(next);
      }
    };
    const done = run().finally(() => {
      this.#inFlight.delete(webhookId);
      this.poke();
    });
    this.#inFlight.set(webhookId, done);
  }

  async #attempt(d: ClaimedDelivery): Promise<void> {
    const result = await postDelivery(d, this.#options.timeoutMs, this.#abort.signal);
    // Stopping: the delivery stays pending, and another instance need not wait for the claim to end.
    if (this.#abort.signal.aborted) return this.#queue.release(d).catch(() => undefined);
    try {
      await this.#record(d, result);
    } catch (e) {
      this.#log.error(
        `webhook ${d.webhookId} delivery ${d.deliveryId} not recorded: ${(e as Error).message}`,
      );
    }
  }

  async #record(d: ClaimedDelivery, r: AttemptResult): Promise<void> {
    const at = Date.now();
    const attempts = d.attempts + 1;
    const status =
      r.error === null ? "delivered" : attempts >= this.#options.maxAttempts ? "failed" : "pending";
    const nextAttemptAt = status === "pending" ? at + retryDelay(attempts, this.#options, this.#random) : at;
    await this.#queue.record(d, {
      status,
      attempts,
      error: r.error,
      statusCode: r.statusCode,
      at,
      nextAttemptAt,
    });
    if (status === "failed")
      this.#log.warn(
        `webhook ${d.webhookId} delivery ${d.deliveryId} (${d.event}) given up after ${attempts} attempts: ${r.error}`,
      );
    else if (status === "pending")
      this.#log.info(
        `webhook ${d.webhookId} delivery ${d.deliveryId} attempt ${attempts} failed: ${r.error}`,
      );
    if (status === "pending") return;
    const finished = (this.#finished.get(d.webhookId) ?? 0) + 1;
    this.#finished.set(d.webhookId, finished);
    if (finished % PRUNE_EVERY === 1) await pruneFinished(this.#db, d.webhookId);
  }
}
