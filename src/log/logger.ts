import { isMainThread } from "node:worker_threads";
import { type DestinationStream, type Logger, pino } from "pino";
import type { Config } from "../config/config.js";

const SERVICE = "live-pos-dashboard";

/**
 * Request lines are most of what the service logs, one per request. Written one by one, each was a
 * write of its own and `/v1/summary` served 44–50 % of bare node:http's requests in three paired
 * benchmark runs; through pino's own buffer (lines go out 4 KiB at a time) 60–67 %, against 72–89 %
 * for the old hand-written line writer (bench quick runs, 2026-12-02, see issue 12). The buffer is
 * flushed at least every 250 ms, so a quiet server's lines still appear at once, and pino flushes it
 * when the main thread exits; it holds at most 16 MiB if stdout stalls. The ingest thread, which
 * pino cannot flush at its exit, writes each line at once: it logs a line per poll, not per request.
 */
function stdout(): DestinationStream {
  if (!isMainThread) return pino.destination({ dest: 1, sync: true });
  return pino.destination({ dest: 1, sync: false, minLength: 4096, maxLength: 16 << 20, periodicFlush: 250 });
}

/**
 * One logger for the HTTP server and the poller. Admin tokens are redacted wherever headers are logged.
 * JSON lines go to `out`, by default stdout (see above).
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
  return pino(options, out ?? stdout());
}
