import { afterEach, describe, expect, it } from "vitest";
import { upsertMerchant } from "../src/store/merchants.js";
import { addMerchant, ingest, sale } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/** The service's read cache as wired in the app: what a change makes visible, and when. */

const NOW = Date.parse("2025-11-10T15:00:00Z");
let t: TestApp;
afterEach(async () => {
  await t.close();
});

const settle = () => new Promise((r) => setImmediate(r));
const summary = async () => (await t.app.inject("/v1/summary")).json() as { total_merchants: number };

describe("read cache", () => {
  it("answers from the cache until an admin change, then refreshes: one stale answer at most", async () => {
    // Never refreshed by age here, so only invalidation can bring a new answer.
    const cache = { maxStaleMs: 3_600_000, refreshAfterMs: 3_600_000 };
    t = await makeTestApp({ now: NOW, cache });
    expect((await summary()).total_merchants).toBe(0);
    // A write the app does not see (straight into the store) is not noticed...
    await upsertMerchant(t.store.db, { id: "a", public_key: "k", alias: "A" }, NOW);
    expect((await summary()).total_merchants).toBe(0);
    await settle();
    expect((await summary()).total_merchants).toBe(0);
    // ...an admin change is: the next read may still be the old answer, the one after is fresh.
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/admin/merchants",
      headers: t.auth,
      payload: { id: "b", public_key: "k", alias: "B" },
    });
    expect(res.statusCode).toBe(201);
    await summary();
    await settle();
    expect((await summary()).total_merchants).toBe(2);
  });

  it("keeps answers for different parameters apart and rejects bad parameters before the cache", async () => {
    const cache = { maxStaleMs: 3_600_000, refreshAfterMs: 3_600_000 };
    t = await makeTestApp({ now: NOW, cache });
    await addMerchant(t, "a", "A");
    await ingest(t, "a", [
      sale(1, 100, "2025-11-10T14:59:00.000000+00:00"),
      sale(2, 200, "2025-11-10T14:00:00.000000+00:00"),
    ]);
    const ticker = async (q: string) => (await t.app.inject(`/v1/ticker${q}`)).json() as unknown[];
    expect(await ticker("?limit=1")).toHaveLength(1);
    expect(await ticker("?limit=2")).toHaveLength(2);
    expect((await t.app.inject("/v1/ticker?limit=0")).statusCode).toBe(400);
    expect((await t.app.inject("/v1/leaderboard/merchants?window=bogus")).statusCode).toBe(400);
  });
});
