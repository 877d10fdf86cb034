import type { AddressInfo } from "node:net";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { ReadCache } from "../src/api/read-cache.js";
import { writesRequestLinesDirectly } from "../src/api/request-log.js";
import { buildApp } from "../src/app.js";
import { createLogger } from "../src/log.js";
import { inlineStore } from "../src/store/access.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { captureLogger } from "./support/log.js";

const TOKEN = "test-admin-token-0123456789abcdef0123456789";
let app: FastifyInstance | undefined;
let store: OpenedDatabase | undefined;

afterEach(async () => {
  await app?.close();
  await store?.close();
  app = undefined;
  store = undefined;
});

/** The real app on a real port, with a read cache that keeps answers fresh for a minute. */
async function start(corsOrigins: string[] = ["*"], logger?: FastifyBaseLogger) {
  store = await openDatabase(":memory:");
  const db = store.db;
  await upsertMerchant(db, { id: "m1", public_key: "k", alias: "Shop" }, 1);
  const captured = captureLogger();
  const a = await buildApp({
    store: inlineStore(db),
    cache: new ReadCache({ maxStaleMs: 60_000, refreshAfterMs: 60_000 }),
    config: {
      adminToken: TOKEN,
      corsOrigins,
      tickerLimit: 20,
      leaderboardLimit: 10,
      rateWindowMs: 300_000,
      maxStreamClients: 10,
    },
    logger: logger ?? captured.log,
    refetch: async () => true,
  });
  app = a;
  // Counts what reaches Fastify's router; what the shortcut answers never does.
  let routed = 0;
  a.addHook("onRequest", async () => {
    routed++;
  });
  await a.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  const requestLines = () => captured.lines.filter((l) => typeof l.reqId === "string");
  return { url, routed: () => routed, requestLines };
}

const headersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name !== "date" && name !== "keep-alive"));

describe("cached reads answered before routing", () => {
  it("answers a URL Fastify has answered with the same status, headers and body, and logs each request", async () => {
    const s = await start();
    const first = await fetch(`${s.url}/v1/leaderboard/merchants?window=all&limit=5`);
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    expect(s.routed()).toBe(1);
    const second = await fetch(`${s.url}/v1/leaderboard/merchants?window=all&limit=5`);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(firstBody);
    expect(headersOf(second)).toEqual(headersOf(first));
    expect(s.routed()).toBe(1);

    const lines = s.requestLines();
    expect(lines).toHaveLength(2);
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(2);
    for (const l of lines) {
      expect(l).toMatchObject({
        method: "GET",
        path: "/v1/leaderboard/merchants?window=all&limit=5",
        ip: "127.0.0.1",
        status: 200,
        bytes: Buffer.byteLength(firstBody),
      });
      expect(l.msg).toMatch(/^GET \/v1\/leaderboard\/merchants\?window=all&limit=5 200 \d+B in \d+\.\dms$/);
    }
  });

  it("with the service's own logger, both paths write their request lines directly, not through pino", async () => {
    const written: string[] = [];
    const log = await createLogger(
      { logLevel: "info", logFormat: "json" },
      { write: (t: string) => written.push(t) },
    );
    const s = await start(["*"], log);
    expect(writesRequestLinesDirectly(app?.log as object)).toBe(true);
    for (let i = 0; i < 2; i++) expect((await fetch(`${s.url}/v1/summary`)).status).toBe(200);
    expect(s.routed()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    const lines = written
      .join("")
      .split("\n")
      .filter((l) => l.includes('"reqId"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.path, l.status, l.service])).toEqual([
      ["/v1/summary", 200, "live-pos-dashboard"],
      ["/v1/summary", 200, "live-pos-dashboard"],
    ]);
  });

  it("leaves everything else to Fastify: other URLs, bad input, HEAD", async () => {
    const s = await start();
    await fetch(`${s.url}/v1/summary`);
    // A different spelling of the same query is a different URL: validated by Fastify again.
    await fetch(`${s.url}/v1/summary?screen=hall`);
    expect(s.routed()).toBe(2);
    for (let i = 0; i < 2; i++) {
      const bad = await fetch(`${s.url}/v1/ticker?limit=0`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toHaveProperty("error");
    }
    expect(s.routed()).toBe(4);
    const head = await fetch(`${s.url}/v1/summary`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(s.routed()).toBe(5);
  });

  it("sends a request with an Origin through Fastify when the allowed origins are a list", async () => {
    const s = await start(["https://screen.example"]);
    await fetch(`${s.url}/v1/summary`);
    await fetch(`${s.url}/v1/summary`);
    expect(s.routed()).toBe(1);
    const allowed = await fetch(`${s.url}/v1/summary`, { headers: { origin: "https://screen.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://screen.example");
    const other = await fetch(`${s.url}/v1/summary`, { headers: { origin: "https://elsewhere.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(s.routed()).toBe(3);
  });

  it("an admin change reaches the shortcut's answers too", async () => {
    const s = await start();
    const count = async () =>
      ((await (await fetch(`${s.url}/v1/summary`)).json()) as { total_merchants: number }).total_merchants;
    expect(await count()).toBe(1);
    const created = await fetch(`${s.url}/v1/admin/merchants`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "m2", public_key: "k2", alias: "Second" }),
    });
    expect(created.status).toBe(201);
    // At most one answer from before the change (refreshed in the background), then the new one.
    const seen = [await count(), await count(), await count()];
    expect(seen.at(-1)).toBe(2);
    expect(seen.indexOf(2)).toBeLessThanOrEqual(1);
  });
});
