import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  addMerchant,
  addMilestone,
  expectError,
  get,
  ingest,
  line,
  product,
  sale,
  send,
} from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/*
 * `merchant_id` on the summary, the ticker and the product leaderboard (a booth screen's figures), and
 * the upcoming milestones a screen shows its progress towards. The clock stands at 2025-11-10T15:00:00Z,
 * so the 5-minute rate window starts at 14:55:00.
 *
 * 173 "Bitcoin Coffee" (usd): 1001 14:58:30 2100 sats (Espresso 2×700, Croissant 1×700), 2.10 usd;
 *                             1002 2025-11-08 50 sats (amount only), 0.05 usd.
 *   products: 480 Espresso 40 tx "38500"; 481 Croissant 12 tx "25000"
 * 174 "Lightning Bistro" (usd): 2001 14:56:00 1500 sats (Pupusa 3×500), 1.50 usd;
 *                               2002 09:00 4000 sats (Soda 8×500), 4.00 usd.
 *   products: 480 Pupusa 40 tx "20000"; 481 Soda 5 tx "2500"; 482 Old inactive
 * 175 "Sats Bar": disabled, no sales.
 */
async function seed(t: TestApp): Promise<void> {
  await addMerchant(t, "173", "Bitcoin Coffee");
  await addMerchant(t, "174", "Lightning Bistro");
  await addMerchant(t, "175", "Sats Bar", { enabled: false });
  await ingest(
    t,
    "173",
    [
      sale(1001, 2100, "2025-11-10T14:58:30.000000+00:00", [
        line(480, "Espresso", 2, 700),
        line(481, "Croissant", 1, 700),
      ]),
      sale(1002, 50, "2025-11-08T10:00:00.000000+00:00"),
    ],
    [product(480, "Espresso", 40, "38500"), product(481, "Croissant", 12, "25000")],
  );
  await ingest(
    t,
    "174",
    [
      sale(2001, 1500, "2025-11-10T14:56:00.000000+00:00", [line(480, "Pupusa", 3, 500)]),
      sale(2002, 4000, "2025-11-10T09:00:00.000000+00:00", [line(481, "Soda", 8, 500)]),
    ],
    [
      product(480, "Pupusa", 40, "20000"),
      product(481, "Soda", 5, "2500"),
      product(482, "Old", 99, "99000", { active: false }),
    ],
  );
}

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await seed(t);
});
afterEach(async () => {
  await t.close();
});

/** The refusals every filtered endpoint gives: a malformed id is a 400, an unknown one a 404. */
async function expectRefusals(path: string): Promise<void> {
  const join = path.includes("?") ? "&" : "?";
  for (const bad of ["", "not%20an%20id", "a%2Fb", "x".repeat(65)]) {
    const res = await t.app.inject({ url: `${path}${join}merchant_id=${bad}` });
    expectError(res, 400, /merchant_id/);
  }
  expectError(await t.app.inject({ url: `${path}${join}merchant_id=999` }), 404, 'unknown merchant "999"');
}

describe("GET /v1/summary?merchant_id=", () => {
  test("every figure is that merchant's", async () => {
    expect(await get(t, "/v1/summary?merchant_id=173")).toEqual({
      status: 200,
      body: {
        total_transactions: 2,
        total_volume_sats: 2150,
        average_transaction_size: 1075,
        active_merchants: 1,
        reporting_merchants: 1,
        total_merchants: 1,
        unique_products: 2,
        transactions_per_minute: 0.2,
        volume_per_minute: 420,
        rate_window_seconds: 300,
        fiat_volume: [{ currency: "usd", amount: 2.15 }],
        // Its own last successful poll: a booth's "Updated" is its merchant's.
        last_polled_at: "2025-11-10T15:00:00Z",
      },
    });
    const bistro = (await get(t, "/v1/summary?merchant_id=174")).body as Record<string, unknown>;
    expect(bistro).toMatchObject({ total_transactions: 2, total_volume_sats: 5500, unique_products: 2 });
    expect(bistro.fiat_volume).toEqual([{ currency: "usd", amount: 5.5 }]);
    // A disabled merchant with no sales: zeros, not a 404.
    expect((await get(t, "/v1/summary?merchant_id=175")).body).toMatchObject({
      total_transactions: 0,
      active_merchants: 0,
      total_merchants: 1,
      fiat_volume: [],
    });
  });

  test("without it, the summary is everyone's as before; with a source too, both filters hold", async () => {
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 4,
      total_volume_sats: 7650,
      total_merchants: 3,
      unique_products: 4,
    });
    expect((await get(t, "/v1/summary?merchant_id=173&source=pwf")).body).toMatchObject({
      total_transactions: 2,
    });
    expect((await get(t, "/v1/summary?merchant_id=173&source=wifi")).body).toMatchObject({
      total_transactions: 0,
      total_volume_sats: 0,
    });
  });

  test("refuses a malformed id (400) and an unknown one (404), on the admin summary too", async () => {
    await expectRefusals("/v1/summary");
    const admin = await t.app.inject({ url: "/v1/admin/summary?merchant_id=999", headers: t.auth });
    expectError(admin, 404, 'unknown merchant "999"');
  });
});

describe("GET /v1/ticker?merchant_id=", () => {
  test("lists only that merchant's sales, newest first", async () => {
    const rows = (await get(t, "/v1/ticker?merchant_id=174")).body as {
      merchant_id: string;
      sale_id: number;
    }[];
    expect(rows.map((r) => [r.merchant_id, r.sale_id])).toEqual([
      ["174", 2001],
      ["174", 2002],
    ]);
    const one = (await get(t, "/v1/ticker?merchant_id=173&limit=1")).body as { sale_id: number }[];
    expect(one.map((r) => r.sale_id)).toEqual([1001]);
    expect(await get(t, "/v1/ticker?merchant_id=175")).toEqual({ status: 200, body: [] });
    expect(((await get(t, "/v1/ticker")).body as unknown[]).length).toBe(4);
  });

  test("refuses a malformed id (400) and an unknown one (404)", async () => {
    await expectRefusals("/v1/ticker");
  });
});

describe("GET /v1/leaderboard/products?merchant_id=", () => {
  const names = (body: unknown) => (body as { merchant_id: string; name: string }[]).map((p) => p.name);

  test("ranks only that merchant's products, all time and in a window", async () => {
    expect(names((await get(t, "/v1/leaderboard/products?merchant_id=173")).body)).toEqual([
      "Espresso",
      "Croissant",
    ]);
    expect((await get(t, "/v1/leaderboard/products?merchant_id=174&window=24h&metric=volume")).body).toEqual([
      { merchant_id: "174", product_id: 481, name: "Soda", transactions: 1, volume_sats: 4000 },
      { merchant_id: "174", product_id: 480, name: "Pupusa", transactions: 1, volume_sats: 1500 },
    ]);
    expect(names((await get(t, "/v1/leaderboard/products?merchant_id=173&window=5m")).body)).toEqual([
      "Espresso",
      "Croissant",
    ]);
    expect(names((await get(t, "/v1/leaderboard/products")).body)).toEqual([
      "Espresso",
      "Pupusa",
      "Croissant",
      "Soda",
    ]);
  });

  test("refuses a malformed id (400) and an unknown one (404)", async () => {
    await expectRefusals("/v1/leaderboard/products");
    await expectRefusals("/v1/leaderboard/products?window=1h");
  });
});

describe("an unknown merchant through the read cache", () => {
  test("answers 404 until an operator adds it, then that merchant's figures", async () => {
    const cached = await makeTestApp({ cache: { maxStaleMs: 60_000, refreshAfterMs: 60_000 } });
    try {
      for (const url of ["/v1/summary?merchant_id=180", "/v1/ticker?merchant_id=180"]) {
        expect((await get(cached, url)).status, url).toBe(404);
        expect((await get(cached, url)).status, url).toBe(404); // the cached answer, still a 404
      }
      await addMerchant(cached, "180", "Late Stand");
      expect(await get(cached, "/v1/ticker?merchant_id=180")).toEqual({ status: 200, body: [] });
      expect((await get(cached, "/v1/summary?merchant_id=180")).body).toMatchObject({ total_merchants: 1 });
    } finally {
      await cached.close();
    }
  });
});

describe("GET /v1/milestones/upcoming", () => {
  test("lists enabled milestones not fired yet, by threshold, without the operator's fields", async () => {
    const far = await addMilestone(t, { name: "1M sats", type: "volume", threshold: 1_000_000 });
    const near = await addMilestone(t, { name: "Ten sales", type: "transactions", threshold: 10 });
    await addMilestone(t, { name: "Off", type: "transactions", threshold: 20, enabled: false });
    const fires = await addMilestone(t, { name: "Five sales", type: "transactions", threshold: 5 });
    expect((await get(t, "/v1/milestones/upcoming")).body).toEqual([
      { id: fires, name: "Five sales", type: "transactions", threshold: 5 },
      { id: near, name: "Ten sales", type: "transactions", threshold: 10 },
      { id: far, name: "1M sats", type: "volume", threshold: 1_000_000 },
    ]);
    // The fifth sale fires "Five sales": it is no longer upcoming.
    await ingest(t, "174", [sale(2003, 10, "2025-11-10T14:59:00.000000+00:00")]);
    const ids = ((await get(t, "/v1/milestones/upcoming")).body as { id: number }[]).map((m) => m.id);
    expect(ids).toEqual([near, far]);
    // Re-armed, it is upcoming again (and fires at the next evaluation, its threshold being passed).
    await send(t, "PUT", `/v1/admin/milestones/${fires}`, { reset_trigger: true });
    const again = ((await get(t, "/v1/milestones/upcoming")).body as { id: number }[]).map((m) => m.id);
    expect(again).toEqual([fires, near, far]);
  });

  test("answers [] when nothing is to come", async () => {
    expect(await get(t, "/v1/milestones/upcoming")).toEqual({ status: 200, body: [] });
  });
});
