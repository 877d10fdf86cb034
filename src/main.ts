/**
 * The running service: the only place that reads the environment, opens the database, starts the
 * poller, listens, and shuts all of it down on SIGINT/SIGTERM.
 */
import { fileURLToPath } from "node:url";
import { ReadCache } from "./api/read-cache.js";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { Poller } from "./ingest/poller.js";
import { LiveFeed } from "./live/feed.js";
import { LiveHub } from "./live/hub.js";
import { createLogger } from "./log.js";
import { openDatabase } from "./store/db.js";
import { inlineReader, startReaderWorker } from "./store/reader.js";
import { createUpstreamClient } from "./upstream/client.js";

const SHUTDOWN_LIMIT_MS = 20_000;
// Dashboard answers may be this old (ms) when sent; sales themselves reach screens through the stream at once.
const READ_MAX_STALE_MS = 1000;
const READ_REFRESH_MS = 250;

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

  const store = await openDatabase(config.dbPath);
  // A second connection only sees the same data when the database is a file.
  const reader =
    config.dbPath === ":memory:" ? inlineReader(store.db) : await startReaderWorker(config.dbPath);
  const cache = new ReadCache({ maxStaleMs: READ_MAX_STALE_MS, refreshAfterMs: READ_REFRESH_MS });
  const hub = new LiveHub({ maxClients: config.maxStreamClients });
  const feed = new LiveFeed({ reader, hub, rateWindowMs: config.rateWindowMs, log });
  const poller = new Poller({
    db: store.db,
    fetchMerchant: createUpstreamClient({ baseUrl: config.sourceBaseUrl, timeoutMs: config.httpTimeoutMs }),
    intervalMs: config.pollIntervalMs,
    concurrency: config.pollConcurrency,
    log,
    onOutcome: (outcome) => {
      if (outcome.kind === "ok" && outcome.result.changed) cache.invalidate();
      feed.onOutcome(outcome);
    },
    onCycleEnd: store.optimize,
    stopGraceMs: Math.min(config.httpTimeoutMs, 10_000),
  });
  const app = await buildApp({
    db: store.db,
    reader,
    cache,
    config,
    logger: log,
    hub,
    webRoot: fileURLToPath(new URL("./web", import.meta.url)),
    refetch: (id) => poller.refetch(id),
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    log.fatal({ err: e }, `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    await reader.close();
    await store.close();
    exit(1);
    return;
  }
  poller.start();

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
    await poller.stop();
    feed.stop();
    await reader.close();
    await store.close();
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
