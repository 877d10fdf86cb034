/**
 * Live push from the other instances sharing the database (issue 18): what their writes announce
 * (store/announce.ts, through the ClusterNotifier) becomes, on this instance's hub, the events its own
 * ingest would have published: `sale`s read back from the database in the ticker's shape, `milestone`s,
 * the playlist and event settings after an operator's change, and a summary. Cached answers refresh on
 * the same messages, so an operator's change made on another instance shows in this one's next answer.
 *
 * This instance's own sales and milestones come the same way, so that every instance publishes them
 * in one order, the order PostgreSQL delivers notifications in (commit order), each at its position
 * (hub.ts): a client resuming on another instance gets what that one published after the same sale.
 * Only while not listening does the instance publish its own at once (`ownStored`), out of that order.
 *
 * After a time without listening (a dropped connection, PostgreSQL restarted) the announcements sent
 * meanwhile are lost: `resync` refreshes everything and publishes what was stored since the last sale
 * and trigger this instance saw, out of order too. Sales and triggers already published are not
 * published again.
 */
import type { FastifyBaseLogger } from "fastify";
import {
  type ChangeNotice,
  decodeChange,
  decodeHealth,
  decodeSales,
  MAX_SALE_IDS,
  type SalesNotice,
} from "../cluster/live-news.js";
import type { ClusterMessage } from "../cluster/notify-message.js";
import type { Merchant, MerchantStatus, MilestoneTrigger, TickerRow } from "../contract/index.js";
import type { StoreAccess } from "../store/access.js";
import type { LiveMarks, LiveSale } from "../store/live-news.js";
import type { PollResult } from "../store/poll-transaction.js";
import type { LiveHub, SharedPosition } from "./hub.js";

export interface ClusterFeedOptions {
  store: Pick<StoreAccess, "read">;
  hub: LiveHub;
  /** This instance: its own messages refresh nothing (its writes did already) and need no summary. */
  instanceId: string;
  /** Cached answers must refresh: before the next answer (`now`), or in the background. */
  refresh(now: boolean): void;
  /** Reads and publishes the playlist, as after an operator's change here. */
  scenesChanged(): void;
  /** Reads and publishes the event settings and a summary, as after an operator's change here. */
  eventChanged(): void;
  /** A summary follows soon (several messages in a burst give one). */
  pokeSummary(): void;
  /** A merchant's health as another instance, or the database after a resync, says (live/feed.ts). */
  heardHealth(status: MerchantStatus): void;
  log: Pick<FastifyBaseLogger, "warn" | "error">;
}

const SCENE_CHANGES = new Set(["upsertScene", "updateScene", "deleteScene"]);
const EVENT_CHANGES = new Set(["updateEventSettings", "setEventLogo"]);
/**
 * Sales and triggers remembered as published: far more than a burst of messages names, or than a
 * catch-up's look back below the marks finds published already (store/live-news.ts).
 */
const REMEMBERED_SALES = 20_000;
const REMEMBERED_TRIGGERS = 1000;

export class ClusterFeed {
  /** The last sale row and trigger seen: a resync publishes what came after. */
  private marks: LiveMarks | undefined;
  /** Where this instance started: nothing stored before was its to publish. */
  private floor: LiveMarks | undefined;
  private readonly sales = new Remembered(REMEMBERED_SALES);
  private readonly triggers = new Remembered(REMEMBERED_TRIGGERS);
  /** Messages are handled one at a time, in the order they were committed. */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: ClusterFeedOptions) {}

  /** Reads where the database is now, before any message is handled. */
  start(): Promise<void> {
    return this.enqueue("start", async () => {
      this.marks = (await this.opts.store.read("liveCatchUp", { from: null, limit: 0 })).marks;
      this.floor = this.marks;
    });
  }

  readonly onMessage = (m: ClusterMessage): void => {
    const sales = decodeSales(m);
    const own = m.origin === this.opts.instanceId;
    if (sales) void this.enqueue("sales", () => this.onSales(sales, own));
    else {
      const change = decodeChange(m);
      const health = change ? undefined : decodeHealth(m);
      if (change) {
        if (!own) void this.enqueue("change", async () => this.onChange(change));
      } else if (health) {
        if (!own) void this.enqueue("health", async () => this.opts.heardHealth(health));
      } else this.opts.log.warn({ kind: m.kind }, "live notification of an unknown kind ignored");
    }
  };

  /**
   * After listening again: everything may have changed meanwhile. `since`: a time before the
   * listening stopped, from when on a sale below the marks may have been committed unheard.
   */
  readonly onResync = (since: number): Promise<void> => this.enqueue("resync", () => this.catchUp(since));

  /**
   * What this instance's own poll or webhook stored. While listening its notification brings it, in
   * order; while not, screens would not see it until the resync: it goes out now, out of order.
   */
  ownStored(result: PollResult, listening: boolean): void {
    if (listening || this.stopped) return;
    const sales = result.newSales.slice(0, MAX_SALE_IDS).toReversed();
    void this.enqueue("own", async () => this.publishRows(sales, result.triggers, null));
  }

  stop(): void {
    this.stopped = true;
  }

  private enqueue(what: string, work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(
      () => (this.stopped ? undefined : work()),
      () => undefined,
    );
    // A failed read leaves screens as they are; the next message or resync brings them up to date.
    this.queue = this.queue.catch((err: unknown) => {
      if (!this.stopped) this.opts.log.error({ err }, `live notification (${what}) could not be handled`);
    });
    return this.queue;
  }

  private async onSales(n: SalesNotice, own: boolean): Promise<void> {
    const { store } = this.opts;
    // Before the `sale` event, as for a webhook sale here: the WiFi scene re-reads its figures on it.
    if (!own) this.opts.refresh(n.webhook);
    const sales =
      n.count > 0
        ? await store.read("announcedSales", {
            merchantId: n.merchantId,
            ...(n.saleIds ? { saleIds: n.saleIds } : {}),
            limit: MAX_SALE_IDS,
          })
        : [];
    const triggers =
      n.triggerCount > 0
        ? await store.read("announcedTriggers", {
            ...(n.triggerIds ? { ids: n.triggerIds } : {}),
            limit: n.triggerCount,
          })
        : [];
    this.publish(sales, triggers, true);
    if (!own) this.opts.pokeSummary();
  }

  private onChange(c: ChangeNotice): void {
    this.opts.refresh(true);
    if (SCENE_CHANGES.has(c.change)) this.opts.scenesChanged();
    if (EVENT_CHANGES.has(c.change)) this.opts.eventChanged();
  }

  private async catchUp(since: number): Promise<void> {
    this.opts.refresh(true);
    this.opts.scenesChanged();
    this.opts.eventChanged();
    const { marks, floor } = this;
    const missed = await this.opts.store.read("liveCatchUp", {
      from: marks && floor ? { after: marks, floor, since } : null,
      limit: MAX_SALE_IDS,
    });
    this.publish(missed.sales, missed.triggers, false);
    this.raise(missed.marks.saleRow, missed.marks.trigger);
    for (const m of await this.opts.store.read("merchants", {})) {
      const status = storedHealth(m);
      if (status) this.opts.heardHealth(status);
    }
    this.opts.pokeSummary();
  }

  /** `inOrder`: heard in commit order, each at its position; otherwise out of order (hub.ts). */
  private publish(sales: readonly LiveSale[], triggers: readonly MilestoneTrigger[], inOrder: boolean): void {
    for (const s of sales) this.raise(s.rowId, 0);
    for (const t of triggers) this.raise(0, t.id);
    if (inOrder) {
      for (const s of sales) this.publishSale(s.row, `s${s.rowId}`);
      for (const t of triggers) this.publishTrigger(t, `m${t.id}`);
    } else
      this.publishRows(
        sales.map((s) => s.row),
        triggers,
        null,
      );
  }

  private publishRows(sales: readonly TickerRow[], triggers: readonly MilestoneTrigger[], at: null): void {
    for (const row of sales) this.publishSale(row, at);
    for (const t of triggers) this.publishTrigger(t, at);
  }

  private publishSale(row: TickerRow, at: SharedPosition | null): void {
    if (this.sales.add(`${row.merchant_id}:${row.sale_id}`)) this.opts.hub.publish("sale", row, at);
  }

  private publishTrigger(t: MilestoneTrigger, at: SharedPosition | null): void {
    if (this.triggers.add(String(t.id))) this.opts.hub.publish("milestone", t, at);
  }

  private raise(saleRow: number, trigger: number): void {
    const m = this.marks ?? { saleRow: 0, trigger: 0 };
    this.marks = { saleRow: Math.max(m.saleRow, saleRow), trigger: Math.max(m.trigger, trigger) };
  }
}

/** A merchant's health as its stored poll state says, or undefined when it was never polled. */
function storedHealth(m: Merchant): MerchantStatus | undefined {
  const healthy = m.consecutive_failures === 0;
  if (healthy && m.last_polled_at === undefined) return undefined;
  return { id: m.id, alias: m.alias, ...(healthy ? { last_polled_at: m.last_polled_at } : {}), healthy };
}

/** The keys most recently added, at most `limit`. */
class Remembered {
  private readonly keys = new Set<string>();

  constructor(private readonly limit: number) {}

  /** False when `key` is remembered already. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }
}
