import type { MerchantStatus, Summary } from "../contract/index.js";
import type { PollOutcome } from "../ingest/poller.js";
import type { PollResult } from "../store/poll-transaction.js";
import { rfc3339 } from "../time/instant.js";
import type { LiveHub } from "./hub.js";

export interface LiveFeedOptions {
  hub: LiveHub;
  /** A first poll of a long history would flood screens; only the newest sales are pushed. */
  maxSalesPerPoll?: number;
  /**
   * Where stored sales and milestones go instead of the hub: on a shared database every instance
   * publishes them, its own included, in the order they were committed (live/cluster-feed.ts).
   */
  stored?: (result: PollResult) => void;
  /** Told of each change of a merchant's health this instance published: the others publish it too. */
  healthChanged?: (status: MerchantStatus) => void;
}

/**
 * Turns what ingest reports into live events: finished polls become sales, milestones and merchant
 * health; the summaries ingest reads after stored sales (ingest/summary-ticker.ts) go out as they come.
 */
export class LiveFeed {
  private readonly healthy = new Map<string, boolean>();
  private stopped = false;

  constructor(private readonly opts: LiveFeedOptions) {}

  readonly onOutcome = (o: PollOutcome): void => {
    if (this.stopped) return;
    const { hub } = this.opts;
    // A failed poll's result: the sales a long history's batches stored before its body was cut.
    if (o.result) this.publishStored(o.result);
    const healthy = o.kind === "ok";
    if (this.healthy.get(o.merchantId) !== healthy) {
      this.healthy.set(o.merchantId, healthy);
      const status: MerchantStatus = {
        id: o.merchantId,
        alias: o.alias,
        ...(o.kind === "ok" ? { last_polled_at: rfc3339(o.polledAt) } : {}),
        healthy,
      };
      hub.publish("merchant", status);
      this.opts.healthChanged?.(status);
    }
  };

  /**
   * A merchant's health as another instance polling it (or the database, after a time without
   * listening) says: published unless this instance's screens were told so already.
   */
  readonly heard = (status: MerchantStatus): void => {
    if (this.stopped || this.healthy.get(status.id) === status.healthy) return;
    this.healthy.set(status.id, status.healthy);
    this.opts.hub.publish("merchant", status);
  };

  /** Sales a webhook pushed: the same events as a poll's, with no merchant health (nothing was polled). */
  readonly onWebhookSale = (result: PollResult): void => {
    if (!this.stopped) this.publishStored(result);
  };

  private publishStored(result: PollResult): void {
    if (this.opts.stored) {
      this.opts.stored(result);
      return;
    }
    const newest = result.newSales.slice(0, this.opts.maxSalesPerPoll ?? 100);
    // Oldest first, so a client prepending each sale ends with the newest on top.
    for (const sale of newest.toReversed()) this.opts.hub.publish("sale", sale);
    for (const t of result.triggers) this.opts.hub.publish("milestone", t);
  }

  readonly onSummary = (summary: Summary): void => {
    if (!this.stopped) this.opts.hub.publish("summary", summary);
  };

  stop(): void {
    this.stopped = true;
  }
}
