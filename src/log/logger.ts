import { type Logger, pino } from "pino";
import type { Config } from "../config/config.js";

const SERVICE = "live-pos-dashboard";
/**
 * One logger for the HTTP server and the poller. Admin tokens are redacted wherever headers are logged.
 * JSON lines go to `out` (stdout by default, written synchronously so a pipe's back-pressure is felt
 * here, not as unbounded memory).
 */
export async function createLogger(
  config: Pick<Config, "logLevel" | "logFormat">,
  out?: { write(text: string): unknown },
): Promise<Logger> {
  const options = {
    level: config.logLevel,
    base: { service: SERVICE },
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
  return pino(options, out ?? pino.destination({ dest: 1, sync: true }));
}
