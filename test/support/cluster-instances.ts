/**
 * Instances A and B: two real services (createService, ingest inline) on one fresh PostgreSQL database
 * of the run's throwaway cluster, listening on ports of their own, as two instances behind a load
 * balancer; with what the cluster tests do to them. Call clusterHarness() once at a test file's top
 * level: it stops and drops what each test made after it.
 */
import type { AddressInfo } from "node:net";
import pg from "pg";
import { pino } from "pino";
import { afterEach, expect } from "vitest";
import { createService, type Service } from "../../src/service.js";
import { TEST_TOKEN, testConfig } from "./app.js";
import { openStream, type SseClient, waitFor } from "./sse.js";
import { freshTestDatabase, postgresAdminUrl } from "./test-database.js";

export const WAIT_MS = 15_000;
export const auth = { authorization: `Bearer ${TEST_TOKEN}` };

export const named = (c: SseClient, event: string) =>
  c.events.filter((e) => e.event === event).map((e) => JSON.parse(e.data ?? "") as Record<string, unknown>);

export const hash = (n: number) => n.toString(16).padStart(64, "a");
export const wifiSale = (s: Service, n: number) =>
  s.ingest.storeWebhookSale({ paymentHash: hash(n), amountSats: 1000 + n, date: Date.now() });

/** Runs `text` as the cluster's superuser. */
export async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function clusterHarness() {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A and B on one fresh database; B keeps dashboard answers a minute unless told otherwise. */
  async function twoInstances() {
    const database = await freshTestDatabase("postgres");
    cleanups.push(() => database.drop());
    const config = testConfig({ ...database.config });
    const make = async (cacheMs: number) => {
      const s = await createService(config, {
        log: pino({ level: "silent" }),
        ingest: "inline",
        readCache: { maxStaleMs: cacheMs, refreshAfterMs: cacheMs, minRefreshMs: cacheMs },
        cluster: { reconnect: { initialMs: 20, maxMs: 200 } },
      });
      cleanups.push(() => s.stop());
      // Listening without polling: nothing here has an upstream.
      await s.app.listen({ host: "127.0.0.1", port: 0 });
      return s;
    };
    const a = await make(0);
    const b = await make(60_000);
    const databaseUrl = database.config.databaseUrl ?? "";
    return { a, b, databaseUrl, databaseName: new URL(databaseUrl).pathname.slice(1) };
  }

  async function stream(s: Service, headers: Record<string, string> = {}): Promise<SseClient> {
    const port = (s.app.server.address() as AddressInfo).port;
    const c = await openStream(`http://127.0.0.1:${port}/v1/stream`, headers);
    cleanups.push(() => c.close());
    await waitFor(() => c.events.some((e) => e.comment === "connected"), WAIT_MS);
    return c;
  }

  async function call(s: Service, method: "GET" | "POST" | "PUT", url: string, payload?: object) {
    const res = await s.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json() as Record<string, unknown>;
  }

  /**
   * Ends the instance's LISTEN connection while the database takes no new connection (those of the
   * pools stay open, so the instances can still write), until `allow_connections true`.
   */
  async function cutListening(s: Service, databaseName: string): Promise<void> {
    await admin(`alter database ${databaseName} allow_connections false`);
    cleanups.push(() => admin(`alter database ${databaseName} allow_connections true`));
    await admin(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where application_name = '${`live-pos-dashboard-listen-${s.instanceId}`.slice(0, 63)}'`,
    );
  }

  return { twoInstances, stream, call, cutListening, cleanups };
}
