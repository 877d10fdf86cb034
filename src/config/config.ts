import { DurationError, parseDuration } from "../time/duration.js";
import { formatByteSize, parseByteSize } from "./byte-size.js";
import { ConfigError } from "./config-error.js";
import { databaseUrl } from "./database-url.js";

export { ConfigError };

/** Everything the service can be told, parsed once at start-up and frozen. Only main.ts reads the environment. */
export interface Config {
  readonly adminToken: string;
  readonly host: string;
  readonly port: number;
  readonly dbPath: string;
  /**
   * DATABASE_URL: a PostgreSQL database (postgres://…) the service runs on instead of the SQLite file
   * at dbPath, shared by every instance pointed at it. Holds a password: never logged, never answered.
   */
  readonly databaseUrl?: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly pollIntervalMs: number;
  readonly pollConcurrency: number;
  readonly httpTimeoutMs: number;
  readonly maxUpstreamBytes: number;
  readonly sourceBaseUrl: string;
  readonly tickerLimit: number;
  readonly leaderboardLimit: number;
  readonly rateWindowMs: number;
  readonly maxStreamClients: number;
  /** How often every stream gets a `ping` event: screens take silence past two of them for a dead feed. */
  readonly streamHeartbeatMs: number;
  /** Bounds on client connections; see server-limits.ts (src/http) for how each is applied. */
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly maxConnections: number;
  /** 0: no bound per address (behind a reverse proxy every connection has the proxy's). */
  readonly maxConnectionsPerIp: number;
  readonly logLevel: LogLevel;
  readonly logFormat: "json" | "pretty";
  /** The WiFi webhook's shared secret; undefined: the webhook is open. Never logged, never answered. */
  readonly webhookSecret: string | undefined;
  /** Echoed by GET /v1/wifi/config; "" when unset. */
  readonly wifiLightningAddress: string;
  /** `/metrics` wants `Authorization: Bearer` this; undefined: open. Never logged, never answered. */
  readonly metricsToken?: string | undefined;
  /** Outgoing webhooks: bound on one delivery attempt, retry backoff base and cap, attempts before giving up. */
  readonly webhookTimeoutMs: number;
  readonly webhookRetryBaseMs: number;
  readonly webhookRetryCapMs: number;
  readonly webhookMaxAttempts: number;
}

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export interface ConfigResult {
  config: Config;
  /** Start-up warnings that are not fatal (a short admin token). */
  warnings: string[];
}

type Env = Record<string, string | undefined>;

/** DB_PATH as the service reads it; also what `npm run backup` copies (cli/backup.ts). */
export function databasePath(env: Env): string {
  return read(env, "DB_PATH", "dashboard.db");
}

export function loadConfig(env: Env): ConfigResult {
  const warnings: string[] = [];
  const adminToken = env.ADMIN_TOKEN ?? "";
  if (adminToken.trim() === "") throw new ConfigError("ADMIN_TOKEN must be set");
  if (adminToken.length < 32) {
    warnings.push("ADMIN_TOKEN is shorter than 32 characters; use a long random token in production");
  }
  const { host, port } = parseAddr(read(env, "ADDR", ":8080"));
  const maxStreamClients = intInRange(env, "MAX_STREAM_CLIENTS", "5000", 1, 1_000_000);
  const config: Config = {
    adminToken,
    host,
    port,
    dbPath: databasePath(env),
    databaseUrl: databaseUrl(env),
    corsOrigins: parseOrigins(read(env, "CORS_ORIGINS", "*")),
    pollIntervalMs: positiveDuration(env, "POLL_INTERVAL", "30s"),
    pollConcurrency: intInRange(env, "POLL_CONCURRENCY", "5", 1, 1000),
    httpTimeoutMs: positiveDuration(env, "HTTP_TIMEOUT", "10s"),
    // A real million-sale history is about 350 MB: 1 GiB leaves room for about three million sales.
    // Memory does not depend on it (a long body is parsed as it streams, upstream/response-body.ts);
    // it bounds what a broken upstream can make one poll read, before HTTP_TIMEOUT does.
    maxUpstreamBytes: byteSize(env, "MAX_UPSTREAM_BYTES", "1GiB", 2 ** 10, 2 ** 40),
    sourceBaseUrl: parseBaseUrl(read(env, "SOURCE_BASE_URL", "https://api.paywithflash.com")),
    tickerLimit: intInRange(env, "TICKER_LIMIT", "20", 1, 1000),
    leaderboardLimit: intInRange(env, "LEADERBOARD_LIMIT", "10", 1, 1000),
    rateWindowMs: positiveDuration(env, "RATE_WINDOW", "5m"),
    maxStreamClients,
    streamHeartbeatMs: positiveDuration(env, "STREAM_HEARTBEAT", "15s"),
    ...connectionLimits(env, maxStreamClients),
    logLevel: oneOf(env, "LOG_LEVEL", "info", LOG_LEVELS),
    logFormat: oneOf(env, "LOG_FORMAT", "json", ["json", "pretty"] as const),
    webhookSecret: headerSecret(env, "WEBHOOK_SECRET"),
    wifiLightningAddress: lightningAddress(env),
    metricsToken: headerSecret(env, "METRICS_TOKEN"),
    ...webhookDelivery(env),
  };
  return { config: Object.freeze(config), warnings };
}

function read(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v.trim() === "" ? fallback : v.trim();
}

function invalid(name: string, value: string, why: string): ConfigError {
  return new ConfigError(`invalid ${name}=${JSON.stringify(value)}: ${why}`);
}

function positiveDuration(env: Env, name: string, fallback: string): number {
  const raw = read(env, name, fallback);
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch (e) {
    throw invalid(name, raw, e instanceof DurationError ? e.message : "not a duration");
  }
  if (ms <= 0) throw invalid(name, raw, "must be greater than 0");
  return ms;
}

function intInRange(env: Env, name: string, fallback: string, min: number, max: number): number {
  const raw = read(env, name, fallback);
  if (!/^\d+$/.test(raw)) throw invalid(name, raw, "must be a whole number");
  const n = Number(raw);
  if (n < min || n > max) throw invalid(name, raw, `must be between ${min} and ${max}`);
  return n;
}

// A timer past 2^31-1 ms is silently cut to 1 ms by Node; a day is far beyond any sane bound anyway.
const MAX_TIMEOUT_MS = 24 * 3600_000;

/** Server-side timeouts and connection caps, checked against each other so Node never rejects them. */
function connectionLimits(env: Env, maxStreamClients: number) {
  const timeout = (name: string, fallback: string) => {
    const ms = Math.ceil(positiveDuration(env, name, fallback));
    if (ms > MAX_TIMEOUT_MS) throw invalid(name, read(env, name, fallback), "must be at most 24h");
    return ms;
  };
  const requestTimeoutMs = timeout("REQUEST_TIMEOUT", "30s");
  const headersTimeoutMs = timeout("HEADERS_TIMEOUT", "10s");
  if (headersTimeoutMs > requestTimeoutMs) {
    // The request's bound includes its headers; Node refuses a headers bound past it.
    throw invalid("HEADERS_TIMEOUT", read(env, "HEADERS_TIMEOUT", "10s"), "must not exceed REQUEST_TIMEOUT");
  }
  // By default every allowed stream plus as many short REST connections beside them.
  const maxConnections = intInRange(env, "MAX_CONNECTIONS", String(2 * maxStreamClients), 1, 10_000_000);
  if (maxConnections < maxStreamClients) {
    // Streams would be refused at accept before MAX_STREAM_CLIENTS' 503 could ever answer.
    throw invalid("MAX_CONNECTIONS", String(maxConnections), "must be at least MAX_STREAM_CLIENTS");
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: timeout("KEEP_ALIVE_TIMEOUT", "10s"),
    connectionTimeoutMs: timeout("CONNECTION_TIMEOUT", "60s"),
    maxConnections,
    maxConnectionsPerIp: intInRange(env, "MAX_CONNECTIONS_PER_IP", "2500", 0, 10_000_000),
  };
}

const MAX_SECRET_LENGTH = 512;

/**
 * WEBHOOK_SECRET, trimmed like every variable (an HTTP header cannot carry leading or trailing spaces
 * either); empty means unset. Refusals never echo the value: it is a secret.
 */
/** A secret sent in a header (WEBHOOK_SECRET, METRICS_TOKEN); undefined when unset. */
function headerSecret(env: Env, name: string): string | undefined {
  const raw = read(env, name, "");
  if (raw === "") return undefined;
  if (raw.length > MAX_SECRET_LENGTH)
    throw new ConfigError(`invalid ${name}: longer than ${MAX_SECRET_LENGTH} characters (value not shown)`);
  // It must fit in a header (X-Webhook-Secret) as LNbits sends it: printable ASCII.
  if (![...raw].every((c) => c >= " " && c <= "~"))
    throw new ConfigError(`invalid ${name}: only printable ASCII characters are allowed (value not shown)`);
  return raw;
}

/** Outgoing webhooks' delivery; the first retry comes within WEBHOOK_RETRY_BASE (full jitter). */
function webhookDelivery(env: Env) {
  const bounded = (name: string, fallback: string) => {
    const ms = Math.ceil(positiveDuration(env, name, fallback));
    if (ms > MAX_TIMEOUT_MS) throw invalid(name, read(env, name, fallback), "must be at most 24h");
    return ms;
  };
  const webhookRetryBaseMs = bounded("WEBHOOK_RETRY_BASE", "2s");
  const webhookRetryCapMs = bounded("WEBHOOK_RETRY_CAP", "5m");
  if (webhookRetryCapMs < webhookRetryBaseMs)
    throw invalid(
      "WEBHOOK_RETRY_CAP",
      read(env, "WEBHOOK_RETRY_CAP", "5m"),
      "must be at least WEBHOOK_RETRY_BASE",
    );
  return {
    webhookTimeoutMs: bounded("WEBHOOK_TIMEOUT", "10s"),
    webhookRetryBaseMs,
    webhookRetryCapMs,
    webhookMaxAttempts: intInRange(env, "WEBHOOK_MAX_ATTEMPTS", "10", 1, 100),
  };
}

/** WIFI_LIGHTNING_ADDRESS: shown as is on screens (name@domain, or whatever the operator pays to). */
function lightningAddress(env: Env): string {
  const raw = read(env, "WIFI_LIGHTNING_ADDRESS", "");
  // An email address's own bound; a longer one is a mistake, not an address.
  if (raw.length > 320)
    throw invalid("WIFI_LIGHTNING_ADDRESS", raw.slice(0, 40), "longer than 320 characters");
  if ([...raw].some((c) => c < " " || c === "\u007f"))
    throw invalid("WIFI_LIGHTNING_ADDRESS", raw, "must not contain control characters");
  return raw;
}

function byteSize(env: Env, name: string, fallback: string, min: number, max: number): number {
  const raw = read(env, name, fallback);
  const bytes = parseByteSize(raw);
  if (bytes === undefined) throw invalid(name, raw, "expected bytes, or a size such as 512MiB or 1GiB");
  if (bytes < min || bytes > max)
    throw invalid(name, raw, `must be between ${formatByteSize(min)} and ${formatByteSize(max)}`);
  return bytes;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = read(env, name, fallback).toLowerCase();
  if (!(allowed as readonly string[]).includes(raw)) {
    throw invalid(name, raw, `must be one of ${allowed.join(", ")}`);
  }
  return raw as T;
}

/** Go's listen address forms: `:8080` (all interfaces), `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`. */
export function parseAddr(raw: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw invalid("ADDR", raw, "expected host:port, :port or [ipv6]:port");
  const host = m[1] ?? (m[2] === "" || m[2] === undefined ? "0.0.0.0" : m[2]);
  return { host, port };
}

function parseOrigins(raw: string): string[] {
  const origins = raw
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o !== "");
  for (const o of origins) {
    if (o !== "*" && !/^https?:\/\/[^/\s]+$/.test(o)) {
      throw invalid("CORS_ORIGINS", raw, `"${o}" is not an origin like https://example.com`);
    }
  }
  return origins;
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("SOURCE_BASE_URL", raw, "not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid("SOURCE_BASE_URL", raw, "must be http or https");
  }
  return raw.replace(/\/+$/, "");
}
