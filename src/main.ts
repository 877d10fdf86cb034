/**
 * The running service: the only place that reads the environment, starts the ingest thread (which
 * owns the database and the poller), listens, and shuts all of it down on SIGINT/SIGTERM.
 */
import { fileURLToPath } from "node:url";
import { ReadCache } from "./api/read-cache.js";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { type IngestThread, startIngestThread } from "./ingest/thread-client.js";
import { LiveFeed } from "./live/feed.js";
import { LiveHub } from "./live/hub.js";
import { createLogger } from "./log.js";

const SHUTDOWN_LIMIT_MS = 20_000;
// Dashboard answers may be this old (ms) when sent; sales themselves reach screens through the stream at once.
const READ_MAX_STALE_MS = 1000;
const READ_REFRESH_MS = 500;
// After a poll stores something, cached answers refresh, but each at most this often: at a few dozen
// stored polls a second, a 24 h leaderboard recomputed after each one took most of a core at 10M sales.
const READ_MIN_REFRESH_MS = 250;
// Sales published within this window reach each screen in one write; nobody sees 20 ms.
const STREAM_COALESCE_MS = 20;

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const { config, warnings } = loaded;
  const log = await createLogger(config);
  // Flush the logger before exiting so the last lines are never lost, whatever its destination.
  const exit = (code: number) => log.flush(() => process.exit(code));
  for (const w of warnings) log.warn(w);

  const cache = new ReadCache({
    maxStaleMs: READ_MAX_STALE_MS,
    refreshAfterMs: READ_REFRESH_MS,
    minRefreshMs: READ_MIN_REFRESH_MS,
  });
  const hub = new LiveHub({ maxClients: config.maxStreamClients, coalesceMs: STREAM_COALESCE_MS });
  let feed: LiveFeed | undefined;
  let ingest: IngestThread;
  try {
    ingest = await startIngestThread({
      config,
      log,
      onOutcome: (outcome) => {
        if (outcome.kind === "ok" && outcome.result.changed) cache.invalidate();
        feed?.onOutcome(outcome);
      },
    });
  } catch (e) {
    log.fatal((e as Error).message);
    exit(1);
    return;
  }
  const liveFeed = new LiveFeed({ store: ingest.store, hub, rateWindowMs: config.rateWindowMs, log });
  feed = liveFeed;
  const app = await buildApp({
    store: ingest.store,
    cache,
    config,
    logger: log,
    hub,
    webRoot: fileURLToPath(new URL("./web", import.meta.url)),
    refetch: (id) => ingest.refetch(id),
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    log.fatal({ err: e }, `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    await ingest.stop();
    exit(1);
    return;
  }
  ingest.startPolling();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received; shutting down`);
    setTimeout(() => {
      log.error("shutdown took too long; exiting");
      exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await app.close();
    // Before the thread stops, so no summary is asked of a thread that is going away.
    liveFeed.stop();
    await ingest.stop();
    log.info("shutdown complete");
    exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((e) => {
  console.error(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
