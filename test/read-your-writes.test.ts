import { afterEach, describe, expect, it } from "vitest";
import { createService, type Service } from "../src/service.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { line, product, sale } from "./support/api-helpers.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import { posBody } from "./support/upstream.js";

let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

const NOW = Date.parse("2025-11-10T15:00:00Z");
const auth = { authorization: `Bearer ${TEST_TOKEN}` };

/** The real service, its read cache keeping answers for a minute, with two merchants that have sold. */
async function start() {
  const s = await createService(testConfig(), {
    log: captureLogger().log,
    ingest: "inline",
    now: () => NOW,
    readCache: { maxStaleMs: 60_000, refreshAfterMs: 60_000, minRefreshMs: 60_000 },
  });
  service = s;
  const call = async (method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: object) => {
    const res = await s.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json() as Record<string, unknown> & Record<string, unknown>[];
  };
  for (const id of ["m1", "m2"])
    await call("POST", "/v1/admin/merchants", { id, public_key: `k-${id}`, alias: id });
  const db = s.inline?.database.db;
  if (!db) throw new Error("inline ingest exposes its database");
  await applyPoll(
    db,
    "m1",
    parsePosPayload(posBody([sale(1, 1000, "2025-11-10T14:50:00.000000+00:00")])),
    NOW,
  );
  await applyPoll(
    db,
    "m2",
    parsePosPayload(
      posBody(
        [sale(2, 500, "2025-11-10T14:55:00.000000+00:00", [line(7, "Empanada", 1, 500)])],
        [product(7, "Empanada", 1, "500")],
      ),
    ),
    NOW,
  );
  return { call };
}

describe("an operator's own change is in every read that follows it", () => {
  it("disabling, renaming and deleting a merchant, and milestones, show at once in cached reads", async () => {
    const { call } = await start();
    // Warm the cache: these answers would otherwise be sent for a minute.
    const reads = [
      "/v1/summary",
      "/v1/leaderboard/merchants?window=all",
      "/v1/ticker",
      "/v1/admin/milestones",
    ];
    for (const url of reads) await call("GET", url);
    expect(await call("GET", "/v1/summary")).toMatchObject({ active_merchants: 2, total_volume_sats: 1500 });

    await call("PUT", "/v1/admin/merchants/m2", { enabled: false });
    expect(await call("GET", "/v1/summary")).toMatchObject({ active_merchants: 1, total_merchants: 2 });

    await call("PUT", "/v1/admin/merchants/m1", { alias: "Bitcoin Coffee" });
    const board = await call("GET", "/v1/leaderboard/merchants?window=all");
    expect(board.map((m) => m.merchant_alias ?? m.alias)).toContain("Bitcoin Coffee");
    const ticker = await call("GET", "/v1/ticker");
    expect(ticker.find((t) => t.merchant_id === "m1")).toMatchObject({ merchant_alias: "Bitcoin Coffee" });

    await call("DELETE", "/v1/admin/merchants/m2");
    expect(await call("GET", "/v1/summary")).toMatchObject({ total_merchants: 1, total_volume_sats: 1000 });
    expect((await call("GET", "/v1/ticker")).map((t) => t.merchant_id)).toEqual(["m1"]);

    const created = await call("POST", "/v1/admin/milestones", {
      name: "Big",
      type: "volume",
      threshold: 10 ** 9,
    });
    expect((await call("GET", "/v1/admin/milestones")).map((m) => m.id)).toEqual([created.id]);
    await call("PUT", `/v1/admin/milestones/${created.id}`, { name: "Bigger" });
    expect((await call("GET", "/v1/admin/milestones"))[0]).toMatchObject({ name: "Bigger" });
    await call("DELETE", `/v1/admin/milestones/${created.id}`);
    expect(await call("GET", "/v1/admin/milestones")).toEqual([]);
  });

  it("a deleted merchant is gone from every cached dashboard read at once", async () => {
    const { call } = await start();
    const reads = [
      "/v1/summary",
      "/v1/ticker",
      "/v1/leaderboard/merchants?window=all",
      "/v1/leaderboard/merchants?window=1h&metric=transactions",
      "/v1/leaderboard/products?window=all",
      "/v1/leaderboard/products?window=1h",
      "/v1/timeseries?window=1h&bucket=5m",
    ];
    const before = new Map<string, string>();
    for (const url of reads) before.set(url, JSON.stringify(await call("GET", url)));
    for (const url of reads) expect(before.get(url), url).toMatch(/m2|Empanada|1500|"transactions":1\b/);
    await call("DELETE", "/v1/admin/merchants/m2");
    for (const url of reads) {
      const after = JSON.stringify(await call("GET", url));
      expect(after, url).not.toBe(before.get(url));
      expect(after, url).not.toMatch(/"m2"|Empanada|1500/);
    }
  });

  it("a scene created, edited, disabled or deleted shows at once in the cached GET /v1/scenes", async () => {
    const { call } = await start();
    const playlist = async () => (await call("GET", "/v1/scenes")).map((s) => `${s.id}:${s.name}`);
    expect(await playlist()).toEqual([
      "overview:Overview",
      "merchants:Merchants",
      "products:Products",
      "trends:Trends",
    ]);
    await call("POST", "/v1/admin/scenes", { id: "merch", name: "Merch", enabled: true, content: "Cap" });
    expect((await playlist()).at(-1)).toBe("merch:Merch");
    await call("PUT", "/v1/admin/scenes/merch", { name: "Shop" });
    expect((await playlist()).at(-1)).toBe("merch:Shop");
    await call("PUT", "/v1/admin/scenes/overview", { enabled: false });
    expect(await playlist()).not.toContain("overview:Overview");
    await call("DELETE", "/v1/admin/scenes/merch");
    expect(await playlist()).toEqual(["merchants:Merchants", "products:Products", "trends:Trends"]);
  });
});
