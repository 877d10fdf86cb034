import { type AddressInfo, connect } from "node:net";
import { Compile } from "typebox/compile";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { LiveEvents, type MilestoneTrigger } from "../src/contract/index.js";
import { LiveFeed } from "../src/live/feed.js";
import { LiveHub } from "../src/live/hub.js";
import { inlineStore } from "../src/store/access.js";
import { getSummary } from "../src/store/dashboard.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { milestoneEvent, saleEvent, summaryEvent } from "./support/live-events.js";
import { openStream, type SseClient, waitFor } from "./support/sse.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(hubOpts: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}) {
  const store = await openDatabase(":memory:");
  const hub = new LiveHub({ maxClients: 10, ...hubOpts });
  const app = await buildApp({
    store: inlineStore(store.db),
    hub,
    config: {
      adminToken: "t".repeat(32),
      corsOrigins: ["https://screen.example"],
      tickerLimit: 20,
      leaderboardLimit: 10,
      rateWindowMs: 300_000,
      pollIntervalMs: 30_000,
      maxStreamClients: 10,
    },
    refetch: async () => true,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/stream`;
  const clients: SseClient[] = [];
  const open = async (headers: Record<string, string> = {}) => {
    const c = await openStream(url, headers);
    clients.push(c);
    return c;
  };
  cleanups.push(async () => {
    for (const c of clients) c.close();
    await app.close();
    await store.close();
  });
  return { app, hub, store, url, open };
}

const named = (c: SseClient) => c.events.filter((e) => e.event !== undefined);

describe("GET /v1/stream", () => {
  it("streams framed events with proxy-friendly headers and CORS", async () => {
    const { hub, open } = await serve();
    const c = await open({ origin: "https://screen.example" });
    expect(c.status).toBe(200);
    expect(c.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(c.headers["cache-control"]).toBe("no-store, no-transform");
    expect(c.headers["x-accel-buffering"]).toBe("no");
    expect(c.headers["access-control-allow-origin"]).toBe("https://screen.example");
    await waitFor(() => hub.clientCount === 1);
    const sale = saleEvent(1, "Line\nbreak café");
    hub.publish("sale", sale);
    await waitFor(() => named(c).length === 1);
    expect(named(c)[0]).toEqual({ id: "1", event: "sale", data: JSON.stringify(sale) });
    expect(JSON.parse(named(c)[0]?.data ?? "")).toEqual(sale);
  });

  it("replays what a reconnecting client missed, or tells it to reset", async () => {
    const { hub, open } = await serve({ replayBuffer: 3 });
    for (let i = 1; i <= 5; i++) hub.publish("sale", saleEvent(i));
    const resumed = await open({ "last-event-id": "3" });
    await waitFor(() => named(resumed).length === 2);
    expect(named(resumed).map((e) => [e.id, e.event])).toEqual([
      ["4", "sale"],
      ["5", "sale"],
    ]);
    const current = await open({ "last-event-id": "5" });
    for (const [lastId, why] of [
      ["1", "older than the buffer"],
      ["99", "ahead of this process"],
      ["abc", "not an id"],
    ]) {
      const c = await open({ "last-event-id": lastId as string });
      await waitFor(() => named(c).length === 1);
      expect(named(c)[0], why).toEqual({ id: "5", event: "reset", data: "{}" });
    }
    hub.publish("summary", summaryEvent(1));
    await waitFor(() => named(current).length === 1);
    expect(named(current)[0]?.event).toBe("summary");
  });

  it("refuses streams past the cap with 503 JSON", async () => {
    const { hub, open, url } = await serve({ maxClients: 2 });
    await open();
    await open();
    await waitFor(() => hub.clientCount === 2);
    const res = await fetch(url);
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ error: "too many live streams open; retry shortly" });
  });

  it("drops a client that stops reading, and keeps serving one that reads", async () => {
    const { hub, open } = await serve({ maxBufferedBytes: 256 * 1024, replayBuffer: 10 });
    const slow = await open();
    const fast = await open();
    await waitFor(() => hub.clientCount === 2);
    slow.pause();
    const payload = "x".repeat(16 * 1024);
    // Bursts of a few events, like polls landing; the reading client keeps up between bursts.
    for (let i = 0; i < 400; i++) {
      hub.publish("sale", saleEvent(i, payload));
      if (i % 5 === 4) await waitFor(() => named(fast).length === i + 1);
    }
    await waitFor(() => named(fast).length === 400, 10_000);
    expect(hub.droppedSlowClients).toBe(1);
    expect(hub.clientCount).toBe(1);
  });

  it("frames events as well-formed HTTP/1.1 chunks, and sends them bare to an HTTP/1.0 client", async () => {
    const { app, hub, url } = await serve();
    const { port } = new URL(url);
    /** The whole response a raw socket receives until the server closes it. */
    const raw = (version: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let text = "";
        socket.setEncoding("utf8");
        socket.on("data", (d: string) => {
          text += d;
        });
        socket.on("error", reject);
        socket.on("close", () => resolve(text));
        socket.write(`GET /v1/stream ${version}\r\nHost: 127.0.0.1\r\n\r\n`);
      });
    const http11 = raw("HTTP/1.1");
    const http10 = raw("HTTP/1.0");
    await waitFor(() => hub.clientCount === 2);
    hub.publish("sale", saleEvent(1));
    await new Promise((r) => setTimeout(r, 20));
    hub.publish("sale", saleEvent(2));
    hub.publish("milestone", milestoneEvent(3));
    await new Promise((r) => setTimeout(r, 20));
    await app.close();
    const expected =
      "retry: 2000\n: connected\n\n" +
      `id: 1\nevent: sale\ndata: ${JSON.stringify(saleEvent(1))}\n\n` +
      `id: 2\nevent: sale\ndata: ${JSON.stringify(saleEvent(2))}\n\n` +
      `id: 3\nevent: milestone\ndata: ${JSON.stringify(milestoneEvent(3))}\n\n`;

    const [head11, body11] = (await http11).split("\r\n\r\n", 2) as [string, string];
    expect(head11.toLowerCase()).toContain("transfer-encoding: chunked");
    let rest = (await http11).slice(head11.length + 4);
    let decoded = "";
    for (;;) {
      const eol = rest.indexOf("\r\n");
      const size = Number.parseInt(rest.slice(0, eol), 16);
      expect(rest.slice(0, eol), `chunk size line in ${JSON.stringify(body11)}`).toMatch(/^[0-9a-f]+$/);
      if (size === 0) break;
      decoded += rest.slice(eol + 2, eol + 2 + size);
      expect(rest.slice(eol + 2 + size, eol + 4 + size)).toBe("\r\n");
      rest = rest.slice(eol + 4 + size);
    }
    expect(decoded).toBe(expected);

    const [head10, body10] = (await http10).split("\r\n\r\n", 2) as [string, string];
    expect(head10.toLowerCase()).not.toContain("transfer-encoding");
    expect((await http10).slice(head10.length + 4)).toBe(expected);
    expect(body10.length).toBeGreaterThan(0);
  });

  it("sends heartbeats as a named ping event a page can hear, saying how often, without an id", async () => {
    const { open } = await serve({ heartbeatMs: 30 });
    const c = await open();
    await waitFor(() => c.events.some((e) => e.event === "ping"));
    const ping = c.events.find((e) => e.event === "ping");
    expect(ping).toEqual({ event: "ping", data: '{"interval_ms":30}' });
    expect(Compile(LiveEvents.ping).Check(JSON.parse(ping?.data ?? ""))).toBe(true);
  });

  it("closes every stream on shutdown", async () => {
    const { app, hub, open } = await serve();
    const a = await open();
    const b = await open();
    await waitFor(() => hub.clientCount === 2);
    await app.close();
    await Promise.all([a.ended, b.ended]);
    expect(hub.clientCount).toBe(0);
  });
});

describe("LiveFeed", () => {
  let store: OpenedDatabase;
  const makeFeed = async () => {
    store = await openDatabase(":memory:");
    const hub = new LiveHub({ maxClients: 1 });
    const published: { event: string; data: unknown }[] = [];
    hub.publish = ((event: string, data: unknown) => published.push({ event, data })) as LiveHub["publish"];
    const feed = new LiveFeed({ hub });
    cleanups.push(async () => {
      feed.stop();
      await store.close();
    });
    return { feed, published };
  };
  const sale = (id: number) => ({
    sale_id: id,
    merchant_id: "m",
    merchant_alias: "M",
    amount_sats: id,
    sale_date: `2025-11-10T12:00:0${id}Z`,
    source: "pwf",
  });
  const trigger: MilestoneTrigger = {
    id: 1,
    milestone_id: 2,
    name: "First",
    type: "transactions",
    threshold: 1,
    triggered_at: "2025-11-10T12:00:00Z",
    total_transactions: 2,
    total_volume_sats: 3,
  };

  it("pushes sales oldest first, milestones, health changes, and the summaries ingest reads", async () => {
    const { feed, published } = await makeFeed();
    const ok = (newSales: ReturnType<typeof sale>[], triggers: (typeof trigger)[] = []) =>
      feed.onOutcome({
        kind: "ok",
        merchantId: "m",
        alias: "M",
        source: "pwf",
        durationMs: 5,
        skippedCount: 0,
        polledAt: Date.parse("2025-11-10T12:00:10Z"),
        result: {
          storedCount: newSales.length,
          newSales,
          triggers,
          changed: newSales.length + triggers.length > 0,
        },
      });
    ok([sale(2), sale(1)], [trigger]);
    ok([sale(3)]);
    ok([]);
    feed.onOutcome({
      kind: "failed",
      merchantId: "m",
      alias: "M",
      source: "pwf",
      durationMs: 5,
      error: "upstream responded 500",
      failures: 1,
    });
    feed.onOutcome({
      kind: "failed",
      merchantId: "m",
      alias: "M",
      source: "pwf",
      durationMs: 5,
      error: "upstream responded 500",
      failures: 2,
    });
    // Ingest reads the summary after stored sales (summary-ticker.test.ts); the feed pushes it on.
    feed.onSummary(
      await getSummary(store.db, {
        now: Date.parse("2025-11-10T12:00:10Z"),
        rateWindowMs: 300_000,
        pollIntervalMs: 30_000,
      }),
    );
    expect(published.map((p) => p.event)).toEqual([
      "sale",
      "sale",
      "milestone",
      "merchant",
      "sale",
      "merchant",
      "summary",
    ]);
    expect(
      published.filter((p) => p.event === "sale").map((p) => (p.data as { sale_id: number }).sale_id),
    ).toEqual([1, 2, 3]);
    expect(published[3]?.data).toEqual({
      id: "m",
      alias: "M",
      last_polled_at: "2025-11-10T12:00:10Z",
      healthy: true,
    });
    expect(published[5]?.data).toEqual({ id: "m", alias: "M", healthy: false });
    expect(published[6]?.data).toMatchObject({ total_transactions: 0, fiat_volume: [] });
  });
});
