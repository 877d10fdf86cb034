/**
 * PostgreSQL dies under two instances and comes back (issue 18): while it is down the instances keep
 * answering with the last figures they have and say they are degraded; once it is back they resume
 * on their own, and every sale the upstream served, before, during and after, is stored exactly once.
 * A cluster of its own (the run's shared one must not be killed under the other test files).
 */
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  type PostgresCluster,
  startPostgresCluster,
} from "../src/demo/postgres/cluster.js";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import { createService, type Service } from "../src/service.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";

let cluster: PostgresCluster | undefined;
let mock: MockUpstream | undefined;
const services: Service[] = [];

beforeAll(async () => {
  cluster = await startPostgresCluster();
  const database = await createTestDatabase(cluster.url);
  mock = await startMockUpstream({ generate: false, history: true, merchants: 4, seed: 11 });
  for (let i = 0; i < 2; i++) {
    const config = testConfig({
      databaseUrl: database.url,
      sourceBaseUrl: mock.url,
      pollIntervalMs: 300,
      httpTimeoutMs: 1000,
    });
    const service = await createService(config, {
      log: pino({ level: "silent" }),
      ingest: "inline",
      readCache: { maxStaleMs: 1000, refreshAfterMs: 250 },
    });
    services.push(service);
    await service.start();
  }
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await mock?.stop();
  await cluster?.stop();
});

async function get(s: Service, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await s.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  return { status: res.statusCode, body: res.json() };
}

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const served = () => (mock as MockUpstream).groundTruth().merchants.reduce((n, m) => n + m.sales.length, 0);
const total = async (s: Service) => (await get(s, "/v1/summary")).body.total_transactions as number;

describe("PostgreSQL restarted under two instances", () => {
  it("keeps answering, says degraded while down, and stores every sale once when back", {
    timeout: 90_000,
  }, async () => {
    const [a, b] = services as [Service, Service];
    const m = mock as MockUpstream;
    for (const x of m.merchants()) {
      const res = await a.app.inject({
        method: "POST",
        url: "/v1/admin/merchants",
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
        payload: { id: x.id, public_key: x.publicKey, alias: x.name },
      });
      expect(res.statusCode).toBeLessThan(300);
    }
    await until(
      "the history stored",
      async () => (await total(a)) === served() && (await total(b)) === served(),
    );
    const before = served();

    await (cluster as PostgresCluster).kill();
    for (const x of m.merchants()) m.addSale(x.id);
    // Both go on answering with the figures they had, and say why they are not current.
    await until("both degraded", async () => {
      const health = await Promise.all([get(a, "/v1/health"), get(b, "/v1/health")]);
      return health.every((h) => h.body.status === "degraded");
    });
    // Past the cache's own staleness bound (1 s): these answers come from before the outage.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const s of [a, b]) {
      const summary = await get(s, "/v1/summary");
      expect(summary.status).toBe(200);
      expect(summary.body.total_transactions).toBe(before);
    }

    await (cluster as PostgresCluster).restart();
    for (const x of m.merchants()) m.addSale(x.id);
    await until("the sales of the outage and after stored", async () => {
      const [ta, tb] = await Promise.all([total(a), total(b)]);
      return ta === served() && tb === served();
    });
    await until("both healthy again", async () => {
      const health = await Promise.all([get(a, "/v1/health"), get(b, "/v1/health")]);
      return health.every((h) => h.body.status === "ok");
    });
    // The running totals agree with the rows themselves: no sale stored twice, none lost.
    const db = a.inline?.database.db;
    if (!db) throw new Error("inline ingest exposes its database");
    const rows = await db
      .selectFrom("transactions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirst();
    expect(rows?.n).toBe(served());
    expect(served()).toBe(before + 2 * m.merchants().length);
  });
});
