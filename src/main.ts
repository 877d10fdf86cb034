/**
 * The running service: the only place that reads the environment, opens the database, starts the
 * poller, listens, and shuts all of it down on SIGINT/SIGTERM.
 */
import { fileURLToPath } from "node:url";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { Poller } from "./ingest/poller.js";
import { LiveFeed } from "./live/feed.js";
import { LiveHub } from "./live/hub.js";
import { createLogger } from "./log.js";
import { openDatabase } from "./store/db.js";
import { createUpstreamClient } from "./upstream/client.js";

const SHUTDOWN_LIMIT_MS = 20_000;

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
  const log = createLogger(config);
  for (const w of warnings) log.warn(w);

  const store = await openDatabase(config.dbPath);
  const hub = new LiveHub({ maxClients: config.maxStreamClients });
  const feed = new LiveFeed({ db: store.db, hub, rateWindowMs: config.rateWindowMs, log });
  const poller = new Poller({
    db: store.db,
    fetchMerchant: createUpstreamClient({ baseUrl: config.sourceBaseUrl, timeoutMs: config.httpTimeoutMs }),
    intervalMs: config.pollIntervalMs,
    concurrency: config.pollConcurrency,
    log,
    onOutcome: feed.onOutcome,
    onCycleEnd: store.optimize,
    stopGraceMs: Math.min(config.httpTimeoutMs, 10_000),
  });
  const app = await buildApp({
    db: store.db,
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
    await store.close();
    process.exit(1);
  }
  poller.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received; shutting down`);
    setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await app.close();
    await poller.stop();
    feed.stop();
    await store.close();
    log.info("shutdown complete");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((e) => {
  console.error(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
