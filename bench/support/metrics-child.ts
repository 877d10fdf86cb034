/**
 * The service as main.ts starts it (the build in dist/, configured by the environment, logging to
 * stdout), but with HTTP requests left out of the metrics when its argument is "off": the other half
 * of the metrics section's pairs (bench/metrics.ts).
 */
import type { loadConfig as LoadConfig } from "../../src/config/config.js";
import type { createLogger as CreateLogger } from "../../src/log/logger.js";
import type { createService as CreateService } from "../../src/service.js";

const dist = (file: string) => new URL(`../../../dist/${file}`, import.meta.url).href;
const { loadConfig } = (await import(dist("config/config.js"))) as { loadConfig: typeof LoadConfig };
const { createLogger } = (await import(dist("log/logger.js"))) as { createLogger: typeof CreateLogger };
const { createService } = (await import(dist("service.js"))) as { createService: typeof CreateService };

const { config } = loadConfig(process.env);
const log = await createLogger(config);
const service = await createService(config, { log, appOptions: { countHttp: process.argv[2] !== "off" } });
await service.start();
process.on("SIGTERM", () => {
  void service.stop().then(() => log.flush(() => process.exit(0)));
});
