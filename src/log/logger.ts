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
 *
 * The buffer holds bytes, not text. In text mode SonicBoom measures the byte length of the whole
 * chunk it is filling at every write, which joins that chunk's lines into one new string each time:
 * under load, while a write is in flight, the chunk grows to 16 KiB and every request line copied
 * it. That was 5.4 KB of the 20.6 KB a cached `/v1/summary` allocated, the largest single share
 * (V8's sampling heap profiler, 4,000 req/s on 1M sales with live ingest, 2026-12-08); with bytes,
 * 15.0 KB, and the HTTP thread ran a fifth fewer young-generation collections for the same requests
 * (147–170 against 199–210 per 20,000).
 */
function stdout(): DestinationStream {
  if (!isMainThread) return pino.destination({ dest: 1, sync: true });
  const bytes = pino.destination({
    dest: 1,
    sync: false,
    minLength: 4096,
    maxLength: 16 << 20,
    periodicFlush: 250,
    contentMode: "buffer",
  });
  // SonicBoom's types know only its text mode; in buffer mode its write takes a Buffer. Looked up at
  // each write: pino swaps it for a no-op once stdout's reader has gone (EPIPE).
  const sink = bytes as unknown as { write(chunk: Buffer): boolean };
  return {
    write: (line: string) => sink.write(Buffer.from(line)),
    // pino's flush (main.ts, before it exits) asks the stream it writes to.
    flush: (done?: (err?: Error) => unknown) => bytes.flush(done),
  } as DestinationStream;
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
