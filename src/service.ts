/**
 * The one place the service is wired: ingest (database and poller, on its own thread), the read cache,
 * the live hub and feed, and the HTTP app, built together and started and stopped together. main.ts
 * calls it with the environment's configuration; tests call it the same way.
 */
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { ReadCache, type ReadCacheOptions } from "./api/read-cache.js";
import type { AppDeps } from "./app.js";
import { newInstanceId } from "./cluster/instance-id.js";
import type { Config } from "./config/config.js";
import type { Ingest, IngestEvents, LocalIngest } from "./ingest/runtime.js";
import { spawnIngestThread } from "./ingest/thread-client.js";
import type { ClusterPush, ClusterPushOptions } from "./live/cluster-push.js";
import type { LiveFeed } from "./live/feed.js";
import type { LiveHub } from "./live/hub.js";
import { liveParts } from "./live/service-live.js";
import { ServiceMetrics } from "./metrics/service-metrics.js";
import { type KeyedSourceClients, sourceConnections } from "./sources/connections.js";
import type { StoreAccess } from "./store/access.js";
import { POLLED_SOURCES } from "./store/poll-statements.js";
import type { WriteFailure } from "./store/write-health.js";

/** Dashboard answers may be this old (ms) when sent; sales themselves reach screens through the stream at once. */
export const READ_CACHE: ReadCacheOptions = {
  maxStaleMs: 1000,
  maxStaleWhileRefreshingMs: 5000,
  refreshAfterMs: 500,
  // After a poll stores something, cached answers refresh, but each at most this often: at a few dozen
  // stored polls a second, a 24 h leaderboard recomputed after each one took most of a core at 10M sales.
  minRefreshMs: 250,
};

export interface ServiceOptions {
  log: FastifyBaseLogger;
  /** Folder of the built web app (index.html); the API alone is served when absent. */
  webRoot?: string;
  /** The clock of the API's windows (and, with inline ingest, of the poller). */
  now?: () => number;
  /** With inline ingest: the poller's backoff jitter (tests that plan which polls happen). */
  random?: () => number;
  /**
   * "thread" (the service): ingest owns the database on its own thread. "inline": in this thread, with
   * the writer connection exposed as `database`, for tests that seed or inspect rows directly.
   */
  ingest?: "thread" | "inline";
  /** How long dashboard answers are kept (tests turn caching off with maxStaleMs 0). */
  readCache?: ReadCacheOptions;
  /**
   * The BTCPay and LNbits clients the admin API's "test connection" calls; the real ones
   * (sources/registry.ts) when absent. Polls always use the real ones, built in the ingest thread.
   */
  sourceClients?: KeyedSourceClients;
  /**
   * `countHttp: false` leaves HTTP requests out of the metrics (to measure what counting costs, bench/);
   * `onRoute` is told of every route as it is added (a test lists them).
   */
  appOptions?: Pick<AppDeps, "countHttp" | "onRoute">;
  /** On PostgreSQL: the live push listener's reconnection waits (tests shorten them). */
  cluster?: { reconnect?: { initialMs: number; maxMs: number } };
}

export interface Service {
  app: FastifyInstance;
  ingest: Ingest;
  hub: LiveHub;
  metrics: ServiceMetrics;
  /** Only with `ingest: "inline"`. */
  inline: LocalIngest | undefined;
  /** On PostgreSQL: this instance's name among those sharing the database (cluster/instance-id.ts). */
  instanceId: string | undefined;
  /** Listens on the configured address, then starts polling. */
  start(): Promise<void>;
  /** Closes streams and the HTTP server, then stops ingest (polls in flight end or are cancelled). */
  stop(): Promise<void>;
}

/** How long requests still in progress may take to finish once the service is told to stop. */
const CLOSE_GRACE_MS = 1000;

/** Builds the whole service; rejects with a clear message when the database cannot be opened. */
export async function createService(config: Config, opts: ServiceOptions): Promise<Service> {
  const cache = new ReadCache(opts.readCache ?? READ_CACHE);
  // On PostgreSQL other instances may share the database: this one's writes are announced under it.
  const instanceId = config.databaseUrl === undefined ? undefined : newInstanceId();
  let push: ClusterPush | undefined;
  const { hub, feed } = liveParts(config, instanceId !== undefined, () => push);
  let storageFailure: WriteFailure | undefined;
  // Ingest is not there yet when the metrics are made; nothing is scraped before it is.
  let ingestStore: StoreAccess | undefined;
  const metrics = serviceMetrics(hub, cache, () => ingestStore, opts.now ?? Date.now);
  const events = ingestEvents(cache, feed, metrics, (failure) => {
    storageFailure = failure;
  });
  const { ingest, inline, ingestReady } = await beginIngest({ ...config, instanceId }, opts, events);
  ingestStore = ingest.store;
  let app: FastifyInstance;
  const feeds = { scenesChanged: () => {}, eventChanged: () => {} };
  try {
    const deps = appDeps(config, opts, ingest, { cache, hub, metrics }, () => storageFailure);
    deps.livePushFailure = () => push?.failure();
    // Loaded only now, after the ingest thread was spawned: the web server's modules (Fastify, its
    // plugins, TypeBox: ~600 files) then load while that thread loads its own, not before it starts.
    const { buildApp } = await import("./app.js");
    app = await buildApp({ ...deps, onChangeFeeds: (made) => Object.assign(feeds, made) });
    await app.ready();
  } catch (e) {
    await ingestReady;
    await ingest.stop();
    throw e;
  }
  const { error } = await ingestReady;
  if (error !== undefined) {
    await app.close();
    throw error;
  }
  if (instanceId !== undefined)
    push = await listen(config, opts, { instanceId, ingest, cache, hub, feeds, heardHealth: feed.heard });

  let stopped = false;
  return {
    app,
    ingest,
    hub,
    metrics,
    inline,
    instanceId,
    async start() {
      await app.listen({ host: config.host, port: config.port });
      ingest.startPolling();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // close() waits for every request in progress, and one still arriving (a slow upload) would hold
      // it until REQUEST_TIMEOUT, past any stop budget: answers in progress get a moment, then every
      // connection left is closed.
      const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      feed.stop();
      await push?.stop();
      await ingest.stop();
    },
  };
}

/**
 * One listener per process for the other instances' writes (live/cluster-push.ts), on PostgreSQL only:
 * loaded here, so that SQLite's start-up never loads pg.
 */
async function listen(
  config: Config,
  opts: ServiceOptions,
  parts: Pick<ClusterPushOptions, "instanceId" | "ingest" | "cache" | "hub" | "feeds" | "heardHealth">,
): Promise<ClusterPush | undefined> {
  if (config.databaseUrl === undefined) return undefined;
  const { startClusterPush } = await import("./live/cluster-push.js");
  const { now, log } = opts;
  return startClusterPush({
    url: config.databaseUrl,
    config,
    log,
    now,
    reconnect: opts.cluster?.reconnect,
    ...parts,
  });
}

/**
 * Ingest in this thread (tests), or on its own: the thread loads its modules and opens the database
 * while this thread builds the app, each on its own core (README, Start-up). `ingestReady` is settled at
 * once, so no failure of it goes unhandled.
 */
async function beginIngest(
  config: Config & { instanceId?: string | undefined },
  opts: ServiceOptions,
  events: IngestEvents,
): Promise<{ ingest: Ingest; inline: LocalIngest | undefined; ingestReady: Promise<{ error?: unknown }> }> {
  if (opts.ingest === "inline") {
    const inline = await openInline(config, opts, events);
    return { ingest: inline, inline, ingestReady: Promise.resolve({}) };
  }
  const spawned = spawnIngestThread({ config, log: opts.log, ...events });
  const ingestReady = spawned.ready.then(
    () => ({}),
    (error: unknown) => ({ error }),
  );
  return { ingest: spawned.ingest, inline: undefined, ingestReady };
}

/** What the HTTP app is built from: the store through the cache, ingest's calls, the source clients. */
function appDeps(
  config: Config,
  opts: ServiceOptions,
  ingest: Ingest,
  parts: { cache: ReadCache; hub: LiveHub; metrics: ServiceMetrics },
  storageFailure: () => WriteFailure | undefined,
): AppDeps {
  return {
    store: seeingOwnChanges(ingest.store, parts.cache),
    cache: parts.cache,
    config,
    logger: opts.log,
    hub: parts.hub,
    webRoot: opts.webRoot,
    now: opts.now,
    refetch: (id) => ingest.refetch(id),
    storeWebhookSale: (sale) => ingest.storeWebhookSale(sale),
    hint: (id, hint) => ingest.hint(id, hint),
    sources: sourceConnections(opts.sourceClients ?? (() => loadSourceClients(config))),
    limits: config,
    storageFailure,
    metrics: parts.metrics,
    ...opts.appOptions,
  };
}

/**
 * Ingest in this thread (tests). Loaded only here: the running service's HTTP thread never opens the
 * database itself, and the store's modules (Kysely, every SQL file) cost its start-up (README, Start-up).
 */
async function openInline(
  config: Config & { instanceId?: string | undefined },
  opts: ServiceOptions,
  events: IngestEvents,
): Promise<LocalIngest> {
  const { openIngest } = await import("./ingest/runtime.js");
  return openIngest(config, opts.log, events, { now: opts.now, random: opts.random });
}

/** The real BTCPay and LNbits clients, loaded on the first "test connection", not at start-up. */
async function loadSourceClients(config: Config): Promise<KeyedSourceClients> {
  const { createSourceClients } = await import("./sources/registry/index.js");
  return createSourceClients({ timeoutMs: config.httpTimeoutMs, maxBytes: config.maxUpstreamBytes });
}

/** The metrics read the hub, the cache and the merchants' stored poll times when scraped. */
function serviceMetrics(
  hub: LiveHub,
  cache: ReadCache,
  store: () => StoreAccess | undefined,
  now: () => number,
): ServiceMetrics {
  return new ServiceMetrics({
    streamClients: () => hub.clientCount,
    streamEvents: () => hub.published,
    cache: () => cache,
    merchants: async () => (await store()?.read("merchants", {})) ?? [],
    polledSources: POLLED_SOURCES,
    now,
  });
}

/** The one path by which a change reaches screens: cached answers refresh, and polls become live events. */
function ingestEvents(
  cache: ReadCache,
  feed: LiveFeed,
  metrics: ServiceMetrics,
  onStorage: (failure: WriteFailure | undefined) => void,
): IngestEvents {
  return {
    onChange: () => cache.invalidate(),
    onOutcome: (outcome) => {
      metrics.pollOutcome(outcome);
      feed.onOutcome(outcome);
    },
    onUpstreamBytes: (bytes) => metrics.upstreamBytes(bytes),
    onSummary: feed.onSummary,
    // Before its `sale` event goes out: the WiFi scene re-reads its figures on that event, and only then,
    // so an answer cached from before the sale would stay on screen until the next one. Webhook sales
    // are rare (a WiFi upgrade bought), so recomputing every answer once per sale costs little.
    onWebhookSale: (result) => {
      metrics.webhookSale(result);
      cache.invalidateNow();
      feed.onWebhookSale(result);
    },
    onStorage,
  };
}

/**
 * The store as the API uses it: once an operator's change has been made, no cached answer from before
 * it is sent (a merchant disabled or deleted must not come back in the next summary). Polls only mark
 * answers for a refresh (events.onChange): screens may see sales up to a second late.
 */
function seeingOwnChanges(store: StoreAccess, cache: ReadCache): StoreAccess {
  return {
    read: (name, args) => store.read(name, args),
    change: (name, args) => store.change(name, args).finally(() => cache.invalidateNow()),
  };
}
