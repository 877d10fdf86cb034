import { afterAll, beforeAll, describe, it } from "vitest";
import {
  getMerchantLeaderboard,
  getProductLeaderboard,
  readSummary,
  readTicker,
} from "../src/store/dashboard.js";
import type { Db } from "../src/store/db.js";
import { readProductLeaderboard } from "../src/store/product-leaderboard.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";
import { expectAnswer, expectNumbers } from "./support/read-expect.js";
import { HOUR, NOW, seedReads } from "./support/read-fixture.js";

/*
 * The dashboard's reads (summary, ticker, both leaderboards) on SQLite and PostgreSQL: the same rows
 * (read-fixture.ts) give the same fixed answers on each. Windows are chosen to read each part of the
 * split (raw sales, minute rollups, hour rollups; see store/windows.ts).
 */

const SUMMARY = { now: NOW, rateWindowMs: 5 * 60_000, pollIntervalMs: 30_000 };
const standing = (merchant_id: string, alias: string, transactions: number, volume_sats: number) => ({
  merchant_id,
  alias,
  transactions,
  volume_sats,
});
const product = (
  merchant_id: string,
  product_id: number,
  name: string,
  transactions: number,
  volume_sats: number,
) => ({
  merchant_id,
  product_id,
  name,
  transactions,
  volume_sats,
});
const COFFEE_RAW = product("alpha", 1, "Coffee", 2, 2_000_000_003);
const TEA_RAW = product("alpha", 2, "Tea", 1, 2_499_999_997);

describe.each(ENGINES)("dashboard reads on %s", (engine) => {
  let store: EngineStore;
  let db: Db;
  beforeAll(async () => {
    store = await openStore(engine);
    db = store.db;
    await seedReads(db);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("summary: running totals above 2^32, the 5-minute rate from minute rows, fiat, since the doors", async () => {
    const s = await readSummary(db, SUMMARY);
    expectAnswer(s, {
      total_transactions: 6,
      total_volume_sats: 5_000_006_234,
      average_transaction_size: 833_334_372.33,
      active_merchants: 3,
      reporting_merchants: 2,
      total_merchants: 4,
      unique_products: 5,
      transactions_per_minute: 0.6,
      volume_per_minute: 900_000_600,
      rate_window_seconds: 300,
      fiat_volume: [
        { currency: "eur", amount: 3.25 },
        { currency: "usd", amount: 14.4 },
      ],
      last_polled_at: "2025-11-10T15:30:20Z",
      // beta: failing, and silent since it was added an hour ago.
      not_reporting_merchants: 1,
      not_reporting_since: "2025-11-10T14:30:30Z",
      since_doors: {
        doors_opened_at: "2025-11-10T11:30:30Z",
        total_transactions: 5,
        total_volume_sats: 4_500_006_234,
        average_transaction_size: 900_001_246.8,
        fiat_volume: [{ currency: "usd", amount: 14.4 }],
      },
    });
    expectNumbers(s?.total_volume_sats, s?.since_doors?.total_volume_sats, s?.fiat_volume[0]?.amount);
  });

  it("summary of one source: its sales, everyone's merchant and product counts", async () => {
    expectAnswer(await readSummary(db, { ...SUMMARY, source: "wifi" }), {
      total_transactions: 2,
      total_volume_sats: 5000,
      average_transaction_size: 2500,
      active_merchants: 3,
      reporting_merchants: 2,
      total_merchants: 4,
      unique_products: 5,
      transactions_per_minute: 0.2,
      volume_per_minute: 600,
      rate_window_seconds: 300,
      fiat_volume: [{ currency: "usd", amount: 0.8 }],
      last_polled_at: "2025-11-10T15:30:20Z",
      not_reporting_merchants: 1,
      not_reporting_since: "2025-11-10T14:30:30Z",
      since_doors: {
        doors_opened_at: "2025-11-10T11:30:30Z",
        total_transactions: 2,
        total_volume_sats: 5000,
        average_transaction_size: 2500,
        fiat_volume: [{ currency: "usd", amount: 0.8 }],
      },
    });
  });

  it("summary of one merchant: its figures alone, a 1-hour rate; null for a merchant that does not exist", async () => {
    expectAnswer(await readSummary(db, { ...SUMMARY, rateWindowMs: HOUR, merchantId: "alpha" }), {
      total_transactions: 3,
      total_volume_sats: 5_000_000_000,
      average_transaction_size: 1_666_666_666.67,
      active_merchants: 1,
      reporting_merchants: 1,
      total_merchants: 1,
      unique_products: 2,
      transactions_per_minute: 0.03,
      volume_per_minute: 75_000_000,
      rate_window_seconds: 3600,
      fiat_volume: [
        { currency: "eur", amount: 3.25 },
        { currency: "usd", amount: 12.5 },
      ],
      last_polled_at: "2025-11-10T15:30:20Z",
      since_doors: {
        doors_opened_at: "2025-11-10T11:30:30Z",
        total_transactions: 2,
        total_volume_sats: 4_500_000_000,
        average_transaction_size: 2_250_000_000,
        fiat_volume: [{ currency: "usd", amount: 12.5 }],
      },
    });
    expectAnswer(await readSummary(db, { ...SUMMARY, merchantId: "nobody" }), null);
  });

  it("ticker: newest first, two sales at one instant by id, NULL fiat left out, the 1969 sale last", async () => {
    const rows = await readTicker(db, { limit: 10 });
    const sale = (
      sale_id: number,
      merchant_id: string,
      merchant_alias: string,
      amount_sats: number,
      sale_date: string,
    ) => ({ sale_id, merchant_id, merchant_alias, amount_sats, sale_date });
    expectAnswer(rows, [
      { ...sale(2, "alpha", "Alpha", 2_000_000_000, "2025-11-10T15:30:10Z"), source: "pwf" },
      {
        ...sale(1, "alpha", "Alpha", 2_500_000_000, "2025-11-10T15:30:10Z"),
        fiat_amount: 12.5,
        currency: "usd",
        source: "pwf",
      },
      {
        ...sale(2, "wifi1", "WiFi Bar", 3000, "2025-11-10T15:29:00Z"),
        source: "wifi",
        external_id: "hash-def",
      },
      {
        ...sale(1, "wifi1", "WiFi Bar", 2000, "2025-11-10T15:00:30Z"),
        fiat_amount: 0.8,
        currency: "usd",
        source: "wifi",
        external_id: "hash-abc",
      },
      {
        ...sale(7, "beta", "Beta", 1234, "2025-11-10T12:30:30Z"),
        fiat_amount: 1.1,
        currency: "usd",
        source: "pwf",
      },
      {
        ...sale(3, "alpha", "Alpha", 500_000_000, "1969-07-20T20:17:40Z"),
        fiat_amount: 3.25,
        currency: "eur",
        source: "pwf",
      },
    ]);
    expectNumbers(...(rows ?? []).flatMap((r) => [r.sale_id, r.amount_sats]));
    expectAnswer(
      (await readTicker(db, { limit: 1 }))?.map((r) => r.sale_id),
      [2],
    );
    expectAnswer(
      (await readTicker(db, { limit: 5, source: "wifi" }))?.map((r) => r.sale_id),
      [2, 1],
    );
    expectAnswer(
      (await readTicker(db, { limit: 5, merchantId: "beta" }))?.map((r) => r.sale_id),
      [7],
    );
    expectAnswer(await readTicker(db, { limit: 5, merchantId: "nobody" }), null);
  });

  it("merchant leaderboard, all time: running totals, merchants with no sale left out", async () => {
    const rows = await getMerchantLeaderboard(db, { metric: "volume", sinceMs: null, limit: 10 });
    expectAnswer(rows, [
      standing("alpha", "Alpha", 3, 5_000_000_000),
      standing("wifi1", "WiFi Bar", 2, 5000),
      standing("beta", "Beta", 1, 1234),
    ]);
    expectNumbers(rows[0]?.transactions, rows[0]?.volume_sats);
    expectAnswer(
      await getMerchantLeaderboard(db, { metric: "transactions", sinceMs: null, limit: 1, source: "wifi" }),
      [standing("wifi1", "WiFi Bar", 2, 5000)],
    );
  });

  it("merchant leaderboard over windows: raw sales (25 s), minute rows (5 m), hour rows (24 h)", async () => {
    const raw = await getMerchantLeaderboard(db, { metric: "volume", sinceMs: NOW - 25_000, limit: 10 });
    expectAnswer(raw, [standing("alpha", "Alpha", 2, 4_500_000_000)]);
    expectNumbers(raw[0]?.transactions, raw[0]?.volume_sats);
    expectAnswer(
      await getMerchantLeaderboard(db, { metric: "volume", sinceMs: NOW - 5 * 60_000, limit: 10 }),
      [standing("alpha", "Alpha", 2, 4_500_000_000), standing("wifi1", "WiFi Bar", 1, 3000)],
    );
    // alpha and wifi1 tie on transactions: the volume decides.
    expectAnswer(
      await getMerchantLeaderboard(db, { metric: "transactions", sinceMs: NOW - 24 * HOUR, limit: 10 }),
      [
        standing("alpha", "Alpha", 2, 4_500_000_000),
        standing("wifi1", "WiFi Bar", 2, 5000),
        standing("beta", "Beta", 1, 1234),
      ],
    );
    expectAnswer(
      await getMerchantLeaderboard(db, {
        metric: "volume",
        sinceMs: NOW - 5 * 60_000,
        limit: 10,
        source: "wifi",
      }),
      [standing("wifi1", "WiFi Bar", 1, 3000)],
    );
  });

  it("product leaderboard, all time: the source's totals, ties by merchant then product, deleted and unsold left out", async () => {
    expectAnswer(await getProductLeaderboard(db, { metric: "transactions", sinceMs: null, limit: 10 }), [
      product("alpha", 1, "Coffee", 5, 2_000_000_010),
      product("alpha", 2, "Tea", 2, 2_999_999_997),
      product("beta", 9, "Cake", 1, 1235),
      product("beta", 10, "Pie", 1, 1235),
    ]);
    expectAnswer(
      await getProductLeaderboard(db, { metric: "volume", sinceMs: null, limit: 2, merchantId: "beta" }),
      [product("beta", 9, "Cake", 1, 1235), product("beta", 10, "Pie", 1, 1235)],
    );
    expectAnswer(
      await getProductLeaderboard(db, { metric: "volume", sinceMs: null, limit: 10, source: "wifi" }),
      [],
    );
    expectAnswer(
      await readProductLeaderboard(db, { metric: "volume", sinceMs: null, limit: 10, merchantId: "nobody" }),
      null,
    );
  });

  it("product leaderboard from raw lines: 0.5 × 5 sats is 3 on both engines (half rounds up)", async () => {
    const raw = await getProductLeaderboard(db, { metric: "volume", sinceMs: NOW - 25_000, limit: 10 });
    expectAnswer(raw, [TEA_RAW, COFFEE_RAW]);
    expectNumbers(raw[0]?.volume_sats, raw[1]?.transactions);
    // beta's raw sale (lines 3 × 411 and 0.5 × 3) beside the hour rows of later hours.
    expectAnswer(
      await getProductLeaderboard(db, { metric: "transactions", sinceMs: NOW - 3 * HOUR - 5000, limit: 10 }),
      [COFFEE_RAW, TEA_RAW, product("beta", 9, "Cake", 1, 1235)],
    );
  });

  it("product leaderboard from minute and hour rows, one merchant's", async () => {
    expectAnswer(
      await getProductLeaderboard(db, { metric: "transactions", sinceMs: NOW - 5 * 60_000, limit: 10 }),
      [COFFEE_RAW, TEA_RAW],
    );
    expectAnswer(
      await getProductLeaderboard(db, {
        metric: "volume",
        sinceMs: NOW - 24 * HOUR,
        limit: 10,
        merchantId: "beta",
      }),
      [product("beta", 9, "Cake", 1, 1235)],
    );
  });
});
