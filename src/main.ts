/**
 * The running service: reads the environment (the only place that does), builds the service
 * (service.ts), starts it, and stops it on SIGINT/SIGTERM.
 */
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "./config/config.js";
import { createLogger } from "./log/logger.js";
import { createService, type Service } from "./service.js";

/**
 * A shutdown that somehow hangs still ends, and says so, before the 10 s a supervisor (Docker's
 * default) waits before SIGKILL, which would say nothing. It takes well under a second otherwise:
 * polls in flight are cancelled, not waited for (ingest/poller.ts).
 */
const SHUTDOWN_LIMIT_MS = 8000;

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

  let service: Service;
  try {
    service = await createService(config, { log, webRoot: fileURLToPath(new URL("./web", import.meta.url)) });
  } catch (e) {
    log.fatal((e as Error).message);
    exit(1);
    return;
  }
  try {
    await service.start();
  } catch (e) {
    log.fatal({ err: e }, `cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`);
    await service.stop();
    exit(1);
    return;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received; shutting down`);
    setTimeout(() => {
      log.error("shutdown took too long; exiting");
      exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    await service.stop();
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
