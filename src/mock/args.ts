/**
 * Command-line options of the mock, parsed without side effects so every case can be tested.
 * Mirrors the seed's Go `cmd/mockserver` flags (`-addr :9999 -interval 10s -no-gen`), plus knobs
 * for seeds, speed, fleet size and fault injection.
 */
import { parseArgs } from "node:util";
import { parseDuration } from "../time/duration.js";

export interface MockCliOptions {
  host: string;
  port: number;
  intervalMs: number;
  generate: boolean;
  seed: number;
  speed: number;
  merchants: number;
  failRate: number;
  latencyMs: number;
  garbageRate: number;
  /** ms epoch the mock's clock starts at (then advancing with real time); undefined: real time. */
  start: number | undefined;
}

export type MockCliParse =
  | { kind: "run"; options: MockCliOptions }
  | { kind: "help" }
  | { kind: "error"; message: string };

export const USAGE = `Usage: npm run mock -- [options]

Mock PayWithFlash upstream: GET /user-pos/{id}?user_public_key={key}, GET /admin/merchants,
POST /admin/merchants/{id}/reset, GET /health.

  --addr ADDR          listen address (default :9999). ":PORT" binds 127.0.0.1 only (Go would
                       bind every interface); use 0.0.0.0:PORT or [::]:PORT to expose it.
  --interval DURATION  generation tick, Go duration syntax (default 10s)
  --no-gen             no generation: only the start-up history is served
  --seed N             random seed, an integer (default 42)
  --start TIME         the mock's clock starts at TIME (RFC 3339, e.g. 2025-06-01T12:00:00Z) and
                       runs at real speed: the same --seed and --start give the same data at the
                       same time since start (default: the real clock)
  --speed X            X times more sales per real minute (default 1); dates stay real
  --merchants N        number of merchants, cycling the 20 profiles (default 20)
  --fail-rate P        share of /user-pos requests answered 500, 0..1 (default 0)
  --latency DURATION   delay added to /user-pos answers (default 0s)
  --garbage-rate P     share of /user-pos requests answered 200 with non-JSON, 0..1 (default 0)
  --help               this text

Go-style single-dash flags (-addr :9999 -no-gen) are accepted too.`;

const OPTIONS = {
  addr: { type: "string" },
  interval: { type: "string" },
  "no-gen": { type: "boolean" },
  seed: { type: "string" },
  start: { type: "string" },
  speed: { type: "string" },
  merchants: { type: "string" },
  "fail-rate": { type: "string" },
  latency: { type: "string" },
  "garbage-rate": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

class InvalidOption extends Error {}

function invalid(option: string, value: string, expected: string): never {
  throw new InvalidOption(`invalid value ${JSON.stringify(value)} for --${option}: ${expected}`);
}

export function parseMockArgs(argv: readonly string[]): MockCliParse {
  const normalised = normaliseGoFlags(argv);
  let values: {
    [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string;
  };
  try {
    ({ values } = parseArgs({ args: normalised, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    return { kind: "error", message: (err as Error).message.replace(/\s+/g, " ") };
  }
  if (values.help) return { kind: "help" };
  try {
    const { host, port } = parseAddr(values.addr ?? ":9999");
    return {
      kind: "run",
      options: {
        host,
        port,
        intervalMs: duration("interval", values.interval ?? "10s", 1),
        generate: !values["no-gen"],
        seed: integer("seed", values.seed ?? "42", Number.MIN_SAFE_INTEGER),
        speed: positiveNumber("speed", values.speed ?? "1"),
        merchants: integer("merchants", values.merchants ?? "20", 1, 100_000),
        failRate: share("fail-rate", values["fail-rate"] ?? "0"),
        latencyMs: duration("latency", values.latency ?? "0s", 0),
        garbageRate: share("garbage-rate", values["garbage-rate"] ?? "0"),
        start: values.start === undefined ? undefined : instant("start", values.start),
      },
    };
  } catch (err) {
    if (err instanceof InvalidOption) return { kind: "error", message: err.message };
    throw err;
  }
}

/**
 * Go's flag package takes long names after a single dash, and takes the next argument as a
 * flag's value even when it starts with a dash (`-latency -1s` is then a clear "invalid value");
 * node's parseArgs would read the first as short flags and refuse the second as ambiguous.
 */
function normaliseGoFlags(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (/^-[a-z][a-z-]+(=.*)?$/s.test(arg)) arg = `-${arg}`;
    const name = /^--([a-z-]+)$/.exec(arg)?.[1];
    const option =
      name !== undefined && Object.hasOwn(OPTIONS, name) ? OPTIONS[name as keyof typeof OPTIONS] : undefined;
    if (option?.type === "string" && i + 1 < argv.length) {
      out.push(`${arg}=${argv[++i]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Go listen syntax: ":9999", "127.0.0.1:9999", "localhost:9999", "[::1]:9999". */
export function parseAddr(addr: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(addr);
  const plain = /^([^:[\]]*):(\d+)$/.exec(addr);
  const match = bracketed ?? plain;
  if (match === null) invalid("addr", addr, "expected [HOST]:PORT, e.g. :9999, 127.0.0.1:9999 or [::1]:9999");
  const port = Number(match[2]);
  if (port > 65535) invalid("addr", addr, "port must be 0..65535");
  // Safer default than Go's all-interfaces bind for a demo server on shared machines.
  return { host: match[1] || "127.0.0.1", port };
}

function duration(option: string, value: string, min: number): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    return invalid(option, value, "expected a Go duration such as 10s, 500ms or 1m30s");
  }
  if (ms < min) invalid(option, value, min > 0 ? `must be at least ${min}ms` : "must not be negative");
  return ms;
}

function integer(option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n)) invalid(option, value, "expected an integer");
  if (n < min || n > max) invalid(option, value, `must be between ${min} and ${max}`);
  return n;
}

/** RFC 3339 with an explicit zone, so the same text is the same instant on every machine. */
function instant(option: string, value: string): number {
  const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/i.exec(value);
  const ms = Date.parse(value);
  // Date.parse rolls 2025-02-30 over into March; a typo should not silently start elsewhere.
  const day = rfc3339 && new Date(Date.UTC(Number(rfc3339[1]), Number(rfc3339[2]) - 1, Number(rfc3339[3])));
  if (!day || !Number.isFinite(ms) || day.getUTCDate() !== Number(rfc3339[3]))
    invalid(option, value, "expected an RFC 3339 instant such as 2025-06-01T12:00:00Z");
  return ms;
}

function decimal(option: string, value: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) invalid(option, value, "expected a number");
  return Number(value);
}

function positiveNumber(option: string, value: string): number {
  const n = decimal(option, value);
  if (!(n > 0) || !Number.isFinite(n)) invalid(option, value, "must be a positive number");
  return n;
}

function share(option: string, value: string): number {
  const n = decimal(option, value);
  if (!(n >= 0 && n <= 1)) invalid(option, value, "must be between 0 and 1");
  return n;
}
