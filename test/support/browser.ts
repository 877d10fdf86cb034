/**
 * The whole system in one process for browser tests: the mock upstream, a temp-file database, the
 * live hub and feed, the poller and the real app serving the built web app, plus headless Chromium.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { type Browser, chromium } from "playwright-core";
import { buildApp } from "../../src/app.js";
import { Poller } from "../../src/ingest/poller.js";
import { LiveFeed } from "../../src/live/feed.js";
import { LiveHub } from "../../src/live/hub.js";
import { type MockUpstream, startMockUpstream } from "../../src/mock/index.js";
import { inlineStore } from "../../src/store/access.js";
import { type OpenedDatabase, openDatabase } from "../../src/store/db.js";
import { getMerchant, upsertMerchant } from "../../src/store/merchants.js";
import { createUpstreamClient } from "../../src/upstream/client.js";

export const ADMIN_TOKEN = "browser-test-admin-token-0123456789abcdef";
export const WEB_ROOT = resolve(import.meta.dirname, "../../dist/web");
export const CHROMIUM = "/usr/bin/chromium";

export interface Stack {
  baseUrl: string;
  mock: MockUpstream;
  poller: Poller;
  store: OpenedDatabase;
  app: FastifyInstance;
  browser: Browser;
  /** JSON from the app's API; admin routes get the bearer token. */
  api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  /** Upstream sales the mock currently serves, across every merchant. */
  servedSales(): number;
  close(): Promise<void>;
}

export interface Summary {
  total_transactions: number;
  total_volume_sats: number;
}

export async function startStack(): Promise<Stack> {
  if (!existsSync(join(WEB_ROOT, "index.html"))) {
    throw new Error(`${WEB_ROOT}/index.html is missing: run \`npm run build:web\` (npm test builds first)`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);

  const dir = mkdtempSync(join(tmpdir(), "browser-test-"));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // best effort: keep closing the rest
      }
    }
  };
  try {
    const mock = await startMockUpstream({ seed: 7, generate: false, port: 0 });
    cleanups.push(() => mock.stop());
    const store = await openDatabase(join(dir, "test.db"));
    cleanups.push(() => store.close());
    const log = pino({ level: "silent" });
    const hub = new LiveHub({ maxClients: 50 });
    const feed = new LiveFeed({ store: inlineStore(store.db), hub, rateWindowMs: 5 * 60_000, log });
    cleanups.push(() => feed.stop());
    const poller = new Poller({
      db: store.db,
      fetchMerchant: createUpstreamClient({ baseUrl: mock.url, timeoutMs: 5_000 }),
      intervalMs: 500,
      concurrency: 4,
      log,
      onOutcome: feed.onOutcome,
    });
    cleanups.push(() => poller.stop());
    const app = await buildApp({
      store: inlineStore(store.db),
      config: {
        adminToken: ADMIN_TOKEN,
        corsOrigins: [],
        tickerLimit: 20,
        leaderboardLimit: 10,
        rateWindowMs: 5 * 60_000,
        maxStreamClients: 50,
      },
      hub,
      webRoot: WEB_ROOT,
      refetch: async (id) =>
        (await getMerchant(store.db, id)) !== undefined && poller.refetch(id) !== "stopped",
    });
    cleanups.push(() => app.close());
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("app is not listening on TCP");
    const baseUrl = `http://127.0.0.1:${address.port}`;

    const now = Date.now();
    for (const m of mock.merchants()) {
      await upsertMerchant(store.db, { id: m.id, public_key: m.publicKey, alias: m.name }, now);
    }
    poller.start();

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    cleanups.push(() => browser.close());

    const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
      const headers: Record<string, string> = {};
      if (path.startsWith("/v1/admin")) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
      if (init.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(baseUrl + path, {
        method: init.method ?? "GET",
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${res.status} ${await res.text()}`);
      return (res.status === 204 ? undefined : await res.json()) as T;
    };
    const servedSales = () =>
      mock.groundTruth().merchants.reduce((n, m) => n + m.sales.filter((s) => s.served).length, 0);

    return { baseUrl, mock, poller, store, app, browser, api, servedSales, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Retries `read` until `ok` holds or the timeout passes; returns the last value read. */
export async function waitUntil<T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  { timeoutMs = 10_000, everyMs = 50, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until every sale the mock serves is stored (the summary counts them all). */
export function settle(stack: Stack): Promise<Summary> {
  return waitUntil(
    () => stack.api<Summary>("/v1/summary"),
    (s) => s.total_transactions === stack.servedSales(),
    { what: "the poller to store every served sale" },
  );
}
