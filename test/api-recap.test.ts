import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { MerchantStanding, Recap, Summary } from "../src/contract/index.js";
import { expectError, get, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { AWKWARD_NAME, seedExportShop } from "./support/export-shop.js";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await seedExportShop(t);
});
afterEach(async () => t.close());

const recap = async (query = "") => {
  const res = await get(t, `/v1/recap${query}`);
  expect(res.status).toBe(200);
  return res.body as Recap;
};

describe("GET /v1/recap", () => {
  test("by default from the first sale to now: the dashboard's all-time figures, no token needed", async () => {
    const r = await recap();
    const summary = (await get(t, "/v1/summary")).body as Summary;
    const board = (await get(t, "/v1/leaderboard/merchants?window=all")).body as MerchantStanding[];
    expect(r.from).toBe("2025-11-08T10:00:00Z");
    expect(r.to).toBe("2025-11-10T15:00:00Z");
    expect(r.totals).toMatchObject({
      total_transactions: summary.total_transactions,
      total_volume_sats: summary.total_volume_sats,
      average_transaction_size: summary.average_transaction_size,
      active_merchants: summary.active_merchants,
      total_merchants: summary.total_merchants,
      unique_products: summary.unique_products,
      fiat_volume: summary.fiat_volume,
      rate_window_seconds: (Date.parse(r.to) - Date.parse(r.from)) / 1000,
    });
    expect(r.totals.total_transactions).toBe(6);
    expect(r.merchants).toEqual(board);
    expect(r.milestones.map((m) => [m.name, m.triggered_at])).toEqual([
      ["Three sales", "2025-11-10T14:59:00Z"],
      ["Five sales", "2025-11-10T14:59:30Z"],
    ]);
    // 1002, 2001, 1001 and the WiFi sale
    expect(r.busiest_hour).toEqual({ start: "2025-11-10T14:00:00Z", transactions: 4, volume_sats: 4811 });
    // 53 hours in 96 buckets or fewer: 1 h each, from 11-08 10:00 to 11-10 14:00.
    expect(r.timeline.bucket_seconds).toBe(3600);
    expect(r.timeline.buckets).toHaveLength(53);
    expect(r.timeline.buckets.reduce((n, b) => n + b.transactions, 0)).toBe(6);
  });

  test("a range that ended: only its sales, merchants, products, buckets and milestones", async () => {
    const r = await recap("?from=2025-11-10T14:55:00Z&to=2025-11-10T14:59:00Z");
    // 2001 (14:56, no lines) and 1001 (14:58:30); 1002 (14:54:59) before, the WiFi sale (14:59) at the end.
    expect(r.merchants).toEqual([
      { merchant_id: "173", alias: "Bitcoin Coffee", transactions: 1, volume_sats: 2100 },
      { merchant_id: "174", alias: "Lightning Bistro", transactions: 1, volume_sats: 1501 },
    ]);
    expect(r.totals).toMatchObject({
      total_transactions: 2,
      total_volume_sats: 3601,
      average_transaction_size: 1800.5,
      transactions_per_minute: 0.5,
      fiat_volume: [
        { currency: "eur", amount: 1.35 },
        { currency: "usd", amount: 2.1 },
      ],
    });
    expect(r.top_products).toEqual([
      { merchant_id: "173", product_id: 480, name: "Espresso", transactions: 1, volume_sats: 1400 },
      { merchant_id: "173", product_id: 481, name: AWKWARD_NAME, transactions: 1, volume_sats: 700 },
    ]);
    expect(r.timeline).toEqual({
      window_seconds: 240,
      bucket_seconds: 60,
      buckets: [
        { start: "2025-11-10T14:55:00Z", transactions: 0, volume_sats: 0 },
        { start: "2025-11-10T14:56:00Z", transactions: 1, volume_sats: 1501 },
        { start: "2025-11-10T14:57:00Z", transactions: 0, volume_sats: 0 },
        { start: "2025-11-10T14:58:00Z", transactions: 1, volume_sats: 2100 },
      ],
    });
    expect(r.milestones).toEqual([]);
    const withFirst = await recap("?from=2025-11-10T14:55:00Z&to=2025-11-10T14:59:10Z");
    expect(withFirst.milestones.map((m) => m.name)).toEqual(["Three sales"]);
  });

  test("from defaults to the event's doors", async () => {
    const res = await send(t, "PUT", "/v1/admin/event", { doors_opened_at: "2025-11-10T14:00:00Z" });
    expect(res.status).toBe(200);
    const r = await recap();
    expect(r.from).toBe("2025-11-10T14:00:00Z");
    expect(r.totals.total_transactions).toBe(4);
  });

  test("an empty range has zeros, no busiest hour and empty lists", async () => {
    const r = await recap("?from=2025-11-09T00:00:00Z&to=2025-11-09T06:00:00Z");
    expect(r.totals).toMatchObject({ total_transactions: 0, total_volume_sats: 0, fiat_volume: [] });
    expect(r).toMatchObject({ merchants: [], top_products: [], busiest_hour: null, milestones: [] });
  });

  test("bad bounds are a 400", async () => {
    for (const [query, message] of [
      ["?from=soon", /^invalid from "soon"/],
      ["?to=2025-13-01T00:00:00Z", /^invalid to/],
      ["?from=2025-11-10T15:00:00Z&to=2025-11-10T15:00:00Z", /must be before to/],
    ] as const) {
      expectError(await t.app.inject({ method: "GET", url: `/v1/recap${query}` }), 400, message);
    }
  });
});
