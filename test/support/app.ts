import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { pino } from "pino";
import type { ReadCacheOptions } from "../../src/api/read-cache.js";
import type { Config } from "../../src/config/config.js";
import { createService } from "../../src/service.js";
import type { KeyedSourceClients } from "../../src/sources/connections.js";
import type { OpenedDatabase } from "../../src/store/db.js";
import type { DeliveryWorker } from "../../src/webhooks/delivery-worker.js";
import { freshTestDatabase, takePreparedDatabase, testEngine } from "./test-database.js";
import { type FakeUpstream, startFakeUpstream } from "./upstream.js";

export const TEST_TOKEN = "test-admin-token-0123456789abcdef0123456789";

export interface TestApp {
  app: FastifyInstance;
  store: OpenedDatabase;
  /** Merchants whose upstream has been asked for since the app started (a refetch reaches it). */
  readonly refetched: string[];
  /** The upstream stand-in the service polls (404 for every merchant until a test sets an answer). */
  upstream: FakeUpstream;
  /** Headers that authenticate as admin. */
  auth: Record<string, string>;
  clock: { now: number };
  /** The outgoing webhooks' sender: not started (nothing polls either) unless a test starts it. */
  deliveries: DeliveryWorker;
  close(): Promise<void>;
}

/**
 * A configuration as loadConfig makes it, for tests: silent, on a fresh in-memory database, or, in the
 * PostgreSQL project, a fresh database of its own (test-database.ts).
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const onPostgres =
    testEngine() === "postgres" && overrides.databaseUrl === undefined
      ? { databaseUrl: takePreparedDatabase(overrides.dbPath) }
      : {};
  return Object.freeze({
    adminToken: TEST_TOKEN,
    host: "127.0.0.1",
    port: 0,
    dbPath: ":memory:",
    corsOrigins: ["*"],
    pollIntervalMs: 60_000,
    pollConcurrency: 4,
    httpTimeoutMs: 2000,
    maxUpstreamBytes: 2 ** 30,
    sourceBaseUrl: "http://127.0.0.1:9",
    tickerLimit: 20,
    leaderboardLimit: 10,
    rateWindowMs: 5 * 60_000,
    maxStreamClients: 100,
    streamHeartbeatMs: 15_000,
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    keepAliveTimeoutMs: 10_000,
    connectionTimeoutMs: 60_000,
    maxConnections: 200,
    maxConnectionsPerIp: 2500,
    logLevel: "silent",
    logFormat: "json",
    webhookSecret: undefined,
    wifiLightningAddress: "",
    webhookTimeoutMs: 2000,
    webhookRetryBaseMs: 50,
    webhookRetryCapMs: 200,
    webhookMaxAttempts: 3,
    ...onPostgres,
    ...overrides,
  } satisfies Config);
}

/**
 * The real service (createService) with ingest in this thread, on this run's engine (test-database.ts),
 * so tests can seed rows through `store`; a settable clock; an upstream stand-in that records which
 * merchants were asked for; no read cache unless given one. Nothing polls unless a test asks (refetch).
 */
export async function makeTestApp(
  overrides: Partial<Config> & {
    now?: number;
    cache?: ReadCacheOptions;
    sourceClients?: KeyedSourceClients;
    log?: FastifyBaseLogger;
  } = {},
): Promise<TestApp> {
  const upstream = await startFakeUpstream();
  const clock = { now: overrides.now ?? Date.parse("2025-11-10T15:00:00Z") };
  const { cache, now: _now, sourceClients, log, ...config } = overrides;
  const database = await freshTestDatabase(undefined, config.dbPath);
  const service = await createService(
    testConfig({ sourceBaseUrl: upstream.url, ...database.config, ...config }),
    {
      log: log ?? pino({ level: "silent" }),
      ingest: "inline",
      ...(sourceClients ? { sourceClients } : {}),
      now: () => clock.now,
      readCache: cache ?? { maxStaleMs: 0, refreshAfterMs: 0 },
    },
  );
  const inline = service.inline;
  if (!inline) throw new Error("inline ingest exposes its database");
  const store = inline.database;
  return {
    app: service.app,
    store,
    upstream,
    get refetched() {
      return upstream.requests.map((r) => r.merchantId);
    },
    clock,
    deliveries: inline.deliveries,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    close: async () => {
      await service.stop();
      await upstream.close();
      await database.drop();
    },
  };
}
