import type { FastifyBaseLogger } from "fastify";
import type { PollOutcome } from "../ingest/poller.js";
import type { StoreAccess } from "../store/access.js";
import { rfc3339 } from "../time/instant.js";
import type { LiveHub } from "./hub.js";

export interface LiveFeedOptions {
  store: Pick<StoreAccess, "read">;
  hub: LiveHub;
  rateWindowMs: number;
  log?: FastifyBaseLogger;
  now?: () => number;
  /** At most one summary per this many ms, however many polls land. */
  summaryEveryMs?: number;
  /** A first poll of a long history would flood screens; only the newest sales are pushed. */
  maxSalesPerPoll?: number;
}

/** Turns finished polls into live events: sales, milestones, merchant health and throttled summaries. */
export class LiveFeed {
  private readonly healthy = new Map<string, boolean>();
  private summaryTimer: NodeJS.Timeout | undefined;
  private lastSummaryAt = 0;
  private stopped = false;

  constructor(private readonly opts: LiveFeedOptions) {}

  readonly onOutcome = (o: PollOutcome): void => {
    if (this.stopped) return;
    const { hub } = this.opts;
    if (o.kind === "ok") {
      const newest = o.result.newSales.slice(0, this.opts.maxSalesPerPoll ?? 100);
      // Oldest first, so a client prepending each sale ends with the newest on top.
      for (const sale of newest.toReversed()) hub.publish("sale", sale);
      for (const t of o.result.triggers) hub.publish("milestone", t);
      if (o.result.newSales.length > 0) this.scheduleSummary();
    }
    const healthy = o.kind === "ok";
    if (this.healthy.get(o.merchantId) !== healthy) {
      this.healthy.set(o.merchantId, healthy);
      hub.publish("merchant", {
        id: o.merchantId,
        alias: o.alias,
        ...(o.kind === "ok" ? { last_polled_at: rfc3339(o.polledAt) } : {}),
        healthy,
      });
    }
  };

  stop(): void {
    this.stopped = true;
    clearTimeout(this.summaryTimer);
  }

  private scheduleSummary(): void {
    if (this.summaryTimer) return;
    const now = this.opts.now ?? Date.now;
    const wait = Math.max(0, this.lastSummaryAt + (this.opts.summaryEveryMs ?? 250) - now());
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.lastSummaryAt = now();
      this.opts.store
        .read("summary", { now: now(), rateWindowMs: this.opts.rateWindowMs })
        .then((summary) => {
          if (!this.stopped) this.opts.hub.publish("summary", summary);
        })
        .catch((err) => this.opts.log?.warn({ err }, "live summary failed"));
    }, wait);
  }
}
