import { type DestinationStream, type Logger, pino } from "pino";
import type { Config } from "./config/config.js";

const SERVICE = "live-pos-dashboard";
const INFO = 30;

const flushedOnExit = new Set<WeakRef<TurnBatchedDestination>>();

/**
 * Lines logged during one turn of the event loop, written to `out` in one write at the end of it.
 * At tens of thousands of requests a second, a write (and with pino's default, a thread-pool round
 * trip) per request line cost a third of a cached read; a batch costs one write per turn. Lines keep
 * their order, and nothing waits longer than the turn that logged it.
 */
export class TurnBatchedDestination implements DestinationStream {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly out: { write(text: string): unknown }) {
    flushedOnExit.add(new WeakRef(this));
    if (flushedOnExit.size === 1) {
      // Whatever ends the process or thread (exit, uncaught error), the lines of its last turn are written.
      process.on("exit", () => {
        for (const ref of flushedOnExit) ref.deref()?.flushNow();
      });
    }
  }

  write(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  /** Called by `logger.flush()`. */
  flush(done?: (err?: Error) => void): void {
    this.flushNow();
    done?.();
  }

  readonly flushNow = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join("");
    this.pending = [];
    this.out.write(text);
  };
}

/** Loggers whose lines are pino's JSON, with the writer that takes ready-made info lines for them. */
const infoLineWriters = new WeakMap<object, Writer>();

/**
 * One logger for the HTTP server and the poller. Admin tokens are redacted wherever headers are logged.
 * JSON lines go to `out` (stdout by default, written synchronously so a pipe's back-pressure is felt
 * here, not as unbounded memory), batched per turn of the event loop.
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
  const destination = new TurnBatchedDestination(out ?? pino.destination({ dest: 1, sync: true }));
  const log = pino(options, destination);
  const prefix = `{"level":${INFO},"time":`;
  const base = `,"service":${JSON.stringify(SERVICE)},`;
  infoLineWriters.set(log, {
    log,
    write: (fields, msgJson) =>
      destination.write(`${prefix}${Date.now()}${base}${fields},"msg":${msgJson}}\n`),
  });
  return log;
}

/**
 * For the one line every request gets: a writer that takes the line's fields and message already as
 * JSON (no redaction applies to them) and writes exactly what `log.info(fields, msg)` would. `log` may
 * be a logger made by createLogger's JSON format or a child of it that writes the same lines (Fastify's
 * `app.log` is such a child: no bindings, serializers only for req/res/err). `keys` are the fields'
 * names, so that a child with a serializer for one of them is not taken for its parent. Undefined for
 * other loggers, and when info lines are off.
 */
export function infoLineWriter(
  log: object,
  keys: readonly string[],
): ((fields: string, msgJson: string) => void) | undefined {
  let verdicts = sameLines.get(keys);
  if (!verdicts) {
    verdicts = new WeakMap();
    sameLines.set(keys, verdicts);
  }
  let known = verdicts.get(log);
  if (known === undefined) {
    known = rootWriter(log, keys) ?? null;
    verdicts.set(log, known);
  }
  return known && (log as Logger).isLevelEnabled("info") ? known.write : undefined;
}

type Writer = { log: Logger; write: (fields: string, msgJson: string) => void };

/** Per field list, then per logger asked about: the writer of the logger its lines equal, or null. */
const sameLines = new WeakMap<readonly string[], WeakMap<object, Writer | null>>();

function rootWriter(log: object, keys: readonly string[]): Writer | undefined {
  // A pino child's prototype is its parent.
  for (let at: object | null = log; at !== null; at = Object.getPrototypeOf(at)) {
    const known = infoLineWriters.get(at);
    if (known) return writesLike(log as Logger, known.log, keys) ? known : undefined;
  }
  return undefined;
}

function writesLike(child: Logger, root: Logger, keys: readonly string[]): boolean {
  // Everything a child can change about how a line is written (msgPrefixSym is missing from pino's types).
  const symbols = pino.symbols as unknown as Record<string, symbol>;
  const same = ["chindingsSym", "msgPrefixSym", "stringifySym", "stringifiersSym", "mixinSym", "hooksSym"];
  type Internals = Record<symbol, unknown>;
  const c = child as unknown as Internals;
  const r = root as unknown as Internals;
  const serializers = (l: Internals) => (l[pino.symbols.serializersSym] ?? {}) as Record<string, unknown>;
  // A child always gets a new formatters object; its level and log formatters are what matter here.
  const formatters = (l: Internals) => l[pino.symbols.formattersSym] as { level?: unknown; log?: unknown };
  return (
    formatters(c).level === formatters(r).level &&
    formatters(c).log === formatters(r).log &&
    same.every((name) => {
      const sym = symbols[name] as symbol;
      return c[sym] === r[sym];
    }) &&
    keys.every((k) => serializers(c)[k] === serializers(r)[k])
  );
}
