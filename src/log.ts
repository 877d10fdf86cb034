import { type Logger, pino } from "pino";
import type { Config } from "./config/config.js";

/** One logger for the HTTP server and the poller. Admin tokens are redacted wherever headers are logged. */
export async function createLogger(config: Pick<Config, "logLevel" | "logFormat">): Promise<Logger> {
  const options = {
    level: config.logLevel,
    base: { service: "live-pos-dashboard" },
    redact: {
      paths: [
        "req.headers.authorization",
        'req.headers["x-admin-token"]',
        "headers.authorization",
        'headers["x-admin-token"]',
      ],
      censor: "[redacted]",
    },
  };
  if (config.logFormat === "pretty") {
    // Loaded only when asked for: the JSON default should not carry the pretty printer's modules.
    const { default: pretty } = await import("pino-pretty");
    return pino(
      options,
      pretty({
        colorize: process.stdout.isTTY,
        sync: true,
        ignore:
          "pid,hostname,service,reqId,method,path,ip,status,bytes,ms,merchant_id,new_tx,skipped,failures,retry_in_ms",
      }),
    );
  }
  return pino(options);
}
