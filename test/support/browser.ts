/**
 * The whole system for browser tests: the mock upstream, and the service as main.ts builds it (ingest
 * thread on a temp-file database, live feed, the app serving the built web app), plus headless Chromium.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { type Browser, chromium } from "playwright-core";
import type { Config } from "../../src/config/config.js";
import type { RefetchAnswer } from "../../src/ingest/thread-protocol.js";
import { type MockUpstream, startMockUpstream } from "../../src/mock/index.js";
import type { createService as CreateService, ServiceOptions } from "../../src/service.js";
import { testConfig } from "./app.js";

// The ingest thread loads compiled JavaScript, so the service comes from the build (`npm test` builds first).
const { createService } = (await import(new URL("../../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

export const ADMIN_TOKEN = "browser-test-admin-token-0123456789abcdef";
export const WEB_ROOT = resolve(import.meta.dirname, "../../dist/web");
export const CHROMIUM = "/usr/bin/chromium";

export interface Stack {
  baseUrl: string;
  mock: MockUpstream;
  /** Polls one merchant now, as an operator's refetch does. */
  refetch(merchantId: string): Promise<RefetchAnswer>;
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

/**
 * `config`: settings on top of the stack's own (e.g. WEBHOOK_SECRET, WIFI_LIGHTNING_ADDRESS);
 * `service`: options of createService besides the log and web root (e.g. sourceClients).
 */
export async function startStack(
  config: Partial<Config> = {},
  serviceOptions: Pick<ServiceOptions, "sourceClients"> = {},
): Promise<Stack> {
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
    const service = await createService(
      testConfig({
        adminToken: ADMIN_TOKEN,
        dbPath: join(dir, "test.db"),
        corsOrigins: [],
        sourceBaseUrl: mock.url,
        pollIntervalMs: 500,
        httpTimeoutMs: 5_000,
        maxStreamClients: 50,
        ...config,
      }),
      { log: pino({ level: "silent" }), webRoot: WEB_ROOT, ...serviceOptions },
    );
    cleanups.push(() => service.stop());
    const { app } = service;
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("app is not listening on TCP");
    const baseUrl = `http://127.0.0.1:${address.port}`;

    const now = Date.now();
    for (const m of mock.merchants()) {
      await service.ingest.store.change("upsertMerchant", {
        input: { id: m.id, public_key: m.publicKey, alias: m.name },
        now,
      });
    }
    service.ingest.startPolling();

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

    const refetch = (id: string) => service.ingest.refetch(id);
    return { baseUrl, mock, refetch, app, browser, api, servedSales, close };
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
