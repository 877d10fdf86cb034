import type { FastifyInstance } from "fastify";
import type { ReadCache } from "../../src/api/read-cache.js";
import { type AppDeps, buildApp } from "../../src/app.js";
import { inlineStore } from "../../src/store/access.js";
import { type OpenedDatabase, openDatabase } from "../../src/store/db.js";
import { getMerchant } from "../../src/store/merchants.js";

export const TEST_TOKEN = "test-admin-token-0123456789abcdef0123456789";

export interface TestApp {
  app: FastifyInstance;
  store: OpenedDatabase;
  refetched: string[];
  /** Headers that authenticate as admin. */
  auth: Record<string, string>;
  clock: { now: number };
  close(): Promise<void>;
}

/** The real app on a fresh in-memory database, with a settable clock and a recorded refetch. */
export async function makeTestApp(
  overrides: Partial<AppDeps["config"]> & { dbPath?: string; now?: number; cache?: ReadCache } = {},
): Promise<TestApp> {
  const store = await openDatabase(overrides.dbPath ?? ":memory:");
  const clock = { now: overrides.now ?? Date.parse("2025-11-10T15:00:00Z") };
  const refetched: string[] = [];
  const { cache, dbPath: _dbPath, now: _now, ...config } = overrides;
  const app = await buildApp({
    store: inlineStore(store.db),
    ...(cache ? { cache } : {}),
    config: {
      adminToken: TEST_TOKEN,
      corsOrigins: ["*"],
      tickerLimit: 20,
      leaderboardLimit: 10,
      rateWindowMs: 5 * 60_000,
      maxStreamClients: 100,
      ...config,
    },
    now: () => clock.now,
    refetch: async (id) => {
      if (!(await getMerchant(store.db, id))) return false;
      refetched.push(id);
      return true;
    },
  });
  return {
    app,
    store,
    refetched,
    clock,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}
