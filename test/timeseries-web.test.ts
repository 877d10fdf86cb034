import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { inlineStore } from "../src/store/access.js";
import { openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { posBody, saleRow } from "./support/upstream.js";

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const NOW = Date.parse("2025-11-10T15:00:30Z");
const at = (iso: string) => iso.replace("Z", ".000000+00:00");

async function seed() {
  t = await makeTestApp({ now: NOW });
  for (const id of ["a", "b"]) await upsertMerchant(t.store.db, { id, public_key: "k", alias: id }, NOW);
  const sales = (rows: [number, number, string][]) =>
    parsePosPayload(posBody(rows.map(([id, sats, when]) => saleRow(id, sats, at(when)))));
  await applyPoll(
    t.store.db,
    "a",
    sales([
      [1, 100, "2025-11-10T15:00:10Z"],
      [2, 200, "2025-11-10T14:59:59Z"],
      [3, 300, "2025-11-10T14:58:00Z"],
      [4, 999, "2025-11-10T13:00:00Z"],
    ]),
    NOW,
  );
  await applyPoll(t.store.db, "b", sales([[1, 50, "2025-11-10T15:00:00Z"]]), NOW);
}

describe("GET /v1/timeseries", () => {
  it("gives every bucket of the window, oldest first, zeros included", async () => {
    await seed();
    const res = await t.app.inject("/v1/timeseries?window=5m&bucket=1m");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      window_seconds: 300,
      bucket_seconds: 60,
      buckets: [
        { start: "2025-11-10T14:56:00Z", transactions: 0, volume_sats: 0 },
        { start: "2025-11-10T14:57:00Z", transactions: 0, volume_sats: 0 },
        { start: "2025-11-10T14:58:00Z", transactions: 1, volume_sats: 300 },
        { start: "2025-11-10T14:59:00Z", transactions: 1, volume_sats: 200 },
        { start: "2025-11-10T15:00:00Z", transactions: 2, volume_sats: 150 },
      ],
    });
  });

  it("counts recent minute buckets from the minute rollups, older windows from the sales, alike", async () => {
    await seed();
    type Series = { buckets: { start: string; transactions: number; volume_sats: number }[] };
    const series = async (q: string) => (await t.app.inject(`/v1/timeseries?${q}`)).json() as Series;
    // 60m starts inside the two hours the minute rollups hold; 24h starts before them.
    const recent = await series("window=60m&bucket=1m");
    const day = await series("window=24h&bucket=1m");
    expect(recent.buckets).toEqual(day.buckets.slice(-60));
    expect(recent.buckets.reduce((n, b) => n + b.transactions, 0)).toBe(4);
    // Without the raw sales, only the rollups can still answer: the recent window does, the day does not.
    await sql`delete from transactions`.execute(t.store.db);
    expect((await series("window=60m&bucket=5m")).buckets.reduce((n, b) => n + b.transactions, 0)).toBe(4);
    expect((await series("window=24h&bucket=1m")).buckets.reduce((n, b) => n + b.transactions, 0)).toBe(0);
  });

  it("filters by merchant and defaults to 60 one-minute buckets", async () => {
    await seed();
    const all = (await t.app.inject("/v1/timeseries")).json();
    expect(all.buckets).toHaveLength(60);
    const b = (await t.app.inject("/v1/timeseries?window=2m&bucket=1m&merchant_id=b")).json();
    expect(b.buckets.map((x: { transactions: number }) => x.transactions)).toEqual([0, 1]);
  });

  it("adds whole-hour buckets from the hourly rollup, equal to the minute buckets they cover", async () => {
    await seed();
    type Body = { buckets: { start: string; transactions: number; volume_sats: number }[] };
    for (const filter of ["", "&merchant_id=a"]) {
      const hours = (await t.app.inject(`/v1/timeseries?window=3h&bucket=1h${filter}`)).json() as Body;
      const minutes = (await t.app.inject(`/v1/timeseries?window=3h&bucket=1m${filter}`)).json() as Body;
      const perHour = new Map<string, { transactions: number; volume_sats: number }>();
      for (const m of minutes.buckets) {
        const hour = `${m.start.slice(0, 13)}:00:00Z`;
        const sum = perHour.get(hour) ?? { transactions: 0, volume_sats: 0 };
        sum.transactions += m.transactions;
        sum.volume_sats += m.volume_sats;
        perHour.set(hour, sum);
      }
      expect(hours.buckets.map((b) => b.start)).toEqual([
        "2025-11-10T13:00:00Z",
        "2025-11-10T14:00:00Z",
        "2025-11-10T15:00:00Z",
      ]);
      for (const b of hours.buckets) {
        expect({ transactions: b.transactions, volume_sats: b.volume_sats }, b.start).toEqual(
          perHour.get(b.start),
        );
      }
    }
    const all = (await t.app.inject("/v1/timeseries?window=3h&bucket=1h")).json() as Body;
    expect(all.buckets.map((b) => b.transactions)).toEqual([1, 2, 2]);
  });

  it.each([
    ["window=abc", /invalid window/],
    ["window=all", /finite window/],
    ["bucket=0s", /at least 1s/],
    ["bucket=1500ms", /whole number of seconds/],
    ["window=1m&bucket=5m", /longer than the window/],
    ["window=48h&bucket=1m", /more than 1440 buckets/],
    ["merchant_id=bad%20id", /merchant_id/],
  ])("rejects %s", async (query, message) => {
    t = await makeTestApp();
    const res = await t.app.inject(`/v1/timeseries?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(message);
  });
});

describe("the built web app", () => {
  const dir = mkdtempSync(join(tmpdir(), "web-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>dash</title>");
  writeFileSync(join(dir, "assets", "app-abc123.js"), "console.log(1)");
  afterEach(() => {});

  async function webApp() {
    const store = await openDatabase(":memory:");
    const app = await buildApp({
      store: inlineStore(store.db),
      webRoot: dir,
      config: {
        adminToken: "t".repeat(32),
        corsOrigins: ["*"],
        tickerLimit: 20,
        leaderboardLimit: 10,
        rateWindowMs: 300_000,
        pollIntervalMs: 30_000,
        maxStreamClients: 10,
      },
      refetch: async () => true,
    });
    t = {
      app,
      store,
      close: async () => {
        await app.close();
        await store.close();
      },
    } as TestApp;
    return app;
  }

  it("serves index.html at / and for app routes, hashed assets with long caching", async () => {
    const app = await webApp();
    const root = await app.inject("/");
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain("<title>dash</title>");
    const admin = await app.inject("/admin");
    expect(admin.statusCode).toBe(200);
    expect(admin.headers["content-type"]).toContain("text/html");
    expect(admin.headers["cache-control"]).toBe("no-cache");
    const asset = await app.inject("/assets/app-abc123.js");
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("keeps JSON 404s for API paths and missing files", async () => {
    const app = await webApp();
    const api = await app.inject("/v1/nothing");
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: "no route for GET /v1/nothing" });
    expect((await app.inject("/assets/missing.js")).statusCode).toBe(404);
    expect((await app.inject({ method: "POST", url: "/admin" })).statusCode).toBe(404);
  });

  it("cleans up", () => {
    rmSync(dir, { recursive: true, force: true });
  });
});
