/**
 * Live push on every instance sharing one PostgreSQL (issue 18): one ClusterNotifier per process, in
 * the HTTP thread, whose messages the ClusterFeed turns into this instance's stream events and cache
 * refreshes. Loaded only on PostgreSQL (service.ts): SQLite's start-up never loads pg.
 */
import type { FastifyBaseLogger } from "fastify";
import { ClusterNotifier } from "../cluster/cluster-notifier.js";
import type { Config } from "../config/config.js";
import type { MerchantStatus } from "../contract/index.js";
import { SummaryTicker } from "../ingest/summary-ticker.js";
import type { StoreAccess } from "../store/access.js";
import type { PollResult } from "../store/poll-transaction.js";
import { ClusterFeed } from "./cluster-feed.js";
import type { LiveHub } from "./hub.js";

/** As often as ingest's own summaries (runtime.ts): one per burst of the other instances' sales. */
const SUMMARY_EVERY_MS = 250;
/**
 * A catch-up looks for sales stored this long before listening was found to stop (cluster-feed.ts):
 * a silent cut is found by the next ping (10 s), and a poll's transaction outlasts neither by far.
 */
const LOOK_BACK_MS = 60_000;

export interface ClusterPushOptions {
  url: string;
  instanceId: string;
  config: Pick<Config, "rateWindowMs" | "pollIntervalMs">;
  ingest: { store: Pick<StoreAccess, "read"> };
  /** The read cache (api/read-cache.ts). */
  cache: { invalidate(): void; invalidateNow(): void };
  hub: LiveHub;
  /** What publishes the playlist and the event settings after an operator's change here (app.ts). */
  feeds: { scenesChanged(): void; eventChanged(): void };
  /** Where the other instances' merchant health goes (live/feed.ts). */
  heardHealth(status: MerchantStatus): void;
  log: FastifyBaseLogger;
  reconnect?: { initialMs: number; maxMs: number } | undefined;
  now?: (() => number) | undefined;
}

export interface ClusterPush {
  /** Why this instance is not listening now; undefined while it is (/v1/health). */
  failure(): { error: string; since: number } | undefined;
  /** What this instance's own poll or webhook stored (live/feed.ts): published as ClusterFeed says. */
  ownStored(result: PollResult): void;
  /** A change of a merchant's health this instance published: the others publish it too. */
  announceHealth(status: MerchantStatus): void;
  stop(): Promise<void>;
}

/** Starts listening; resolves after the first attempt, listening or retrying in the background. */
export async function startClusterPush(opts: ClusterPushOptions): Promise<ClusterPush> {
  const now = opts.now ?? Date.now;
  const { store } = opts.ingest;
  const { rateWindowMs, pollIntervalMs } = opts.config;
  const summaries = new SummaryTicker({
    read: async () => {
      const summary = await store.read("summary", { now: now(), rateWindowMs, pollIntervalMs });
      // Null only for a merchant filter naming no merchant; this read has none.
      if (!summary) throw new Error("no summary");
      return summary;
    },
    emit: (summary) => opts.hub.publish("summary", summary),
    log: opts.log,
    everyMs: SUMMARY_EVERY_MS,
  });
  const feed = new ClusterFeed({
    store,
    hub: opts.hub,
    instanceId: opts.instanceId,
    refresh: (at) => (at ? opts.cache.invalidateNow() : opts.cache.invalidate()),
    ...opts.feeds,
    pokeSummary: () => summaries.poke(),
    heardHealth: opts.heardHealth,
    log: opts.log,
  });
  let failure: { error: string; since: number } | undefined;
  let stoppedListeningAt = now();
  const notifier = new ClusterNotifier({
    url: opts.url,
    instanceId: opts.instanceId,
    // Its own too: every instance publishes the sales in the order notifications come (cluster-feed.ts).
    hearOwn: true,
    onMessage: feed.onMessage,
    onResync: () => feed.onResync(stoppedListeningAt - LOOK_BACK_MS),
    onState: (listening, reason) => {
      if (listening) failure = undefined;
      else {
        const error = `not hearing the other instances' writes: ${reason ?? "not listening"}`;
        failure = { error, since: failure?.since ?? now() };
        stoppedListeningAt = failure.since;
      }
    },
    log: opts.log,
    ...(opts.reconnect ? { reconnect: opts.reconnect } : {}),
  });
  // Where the database is now, read before the first message is handled (the feed's queue).
  void feed.start();
  await notifier.start();
  return {
    failure: () => failure,
    ownStored: (result) => feed.ownStored(result, failure === undefined),
    // Not listening: the others read it from the database when they catch up, as after any gap.
    announceHealth: (status) =>
      void notifier.notify("merchant", status).catch((err: unknown) => {
        opts.log.error({ err }, "merchant health could not be announced");
      }),
    stop: async () => {
      feed.stop();
      summaries.stop();
      await notifier.stop();
    },
  };
}
