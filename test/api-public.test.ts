import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { recordPollFailure } from "../src/store/merchants.js";
import { addMerchant, get, ingest, line, product, sale, upstreamDate } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/*
 * The shop used by most tests below; every expected value is worked out by hand from it.
 * The clock stands at 2025-11-10T15:00:00Z, so RATE_WINDOW (5m) starts at 14:55:00 and 24h at
 * 2025-11-09T15:00:00Z.
 *
 * 173 "Bitcoin Coffee" (usd)                                  sats  fiat
 *   1001  2025-11-10T14:58:30.123456  Espresso 1×700, Croissant 1×700, Espresso 1×700   2100  2.10
 *   1002  2025-11-10T14:54:59          Espresso 1×900, Old Muffin 1×100 (inactive)       1000  1.00
 *   1003  2025-11-08T10:00:00          (amount only)                                       50  0.05
 *   1004  2025-11-01T08:00:00          (amount only)                                        2  0.00
 *   products: 480 Espresso 40 tx "38500.00000000"; 481 Croissant 12 tx "24999.5" (→ 25000);
 *             482 Old Muffin inactive; 483 Ghost deleted
 * 174 "Lightning Bistro" (eur)
 *   2001  2025-11-10T14:56:00          Pupusa 3×500                                      1501  1.35
 *   2002  2025-11-10T09:00:00          Pupusa 2×500, Soda 6×500                          4000  2.70
 *   products: 480 Pupusa 40 tx "20000"; 481 Soda 5 tx "2500"
 * 175 "Sats Bar": disabled, no sales.
 */
async function seedShop(t: TestApp): Promise<void> {
  await addMerchant(t, "173", "Bitcoin Coffee");
  await addMerchant(t, "174", "Lightning Bistro");
  await addMerchant(t, "175", "Sats Bar", { enabled: false });
  await ingest(
    t,
    "173",
    [
      sale(1003, 50, "2025-11-08T10:00:00.000000+00:00"),
      sale(1001, 2100, "2025-11-10T14:58:30.123456+00:00", [
        line(480, "Espresso", 1, 700),
        line(481, "Croissant", 1, 700),
        line(480, "Espresso", 1, 700),
      ]),
      sale(1004, 2, "2025-11-01T08:00:00.000000+00:00"),
      sale(1002, 1000, "2025-11-10T14:54:59.000000+00:00", [
        line(480, "Espresso", 1, 900),
        line(482, "Old Muffin", 1, 100),
      ]),
    ],
    [
      product(480, "Espresso", 40, "38500.00000000"),
      product(481, "Croissant", 12, "24999.5"),
      product(482, "Old Muffin", 99, "99000", { active: false }),
      product(483, "Ghost", 500, "1", { deleted: true }),
    ],
  );
  await ingest(
    t,
    "174",
    [
      sale(
        2002,
        4000,
        "2025-11-10T09:00:00.000000+00:00",
        [line(480, "Pupusa", 2, 500), line(481, "Soda", 6, 500)],
        {
          currency: "eur",
          amount: "2.70",
        },
      ),
      sale(2001, 1501, "2025-11-10T14:56:00.000000+00:00", [line(480, "Pupusa", 3, 500)], {
        currency: "eur",
        amount: "1.35",
      }),
    ],
    [product(480, "Pupusa", 40, "20000"), product(481, "Soda", 5, "2500")],
  );
}

const coffee = (transactions: number, volume_sats: number) => ({
  merchant_id: "173",
  alias: "Bitcoin Coffee",
  transactions,
  volume_sats,
});
const bistro = (transactions: number, volume_sats: number) => ({
  merchant_id: "174",
  alias: "Lightning Bistro",
  transactions,
  volume_sats,
});
const prod = (
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

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
});

describe("empty database", () => {
  test("every public endpoint answers [] or zeros, never null", async () => {
    expect(await get(t, "/v1/health")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await get(t, "/v1/summary")).toEqual({
      status: 200,
      body: {
        total_transactions: 0,
        total_volume_sats: 0,
        average_transaction_size: 0,
        active_merchants: 0,
        reporting_merchants: 0,
        total_merchants: 0,
        unique_products: 0,
        transactions_per_minute: 0,
        volume_per_minute: 0,
        rate_window_seconds: 300,
        fiat_volume: [],
      },
    });
    for (const url of [
      "/v1/ticker",
      "/v1/leaderboard/merchants",
      "/v1/leaderboard/merchants?window=all",
      "/v1/leaderboard/merchants?window=5m&metric=volume",
      "/v1/leaderboard/products",
      "/v1/leaderboard/products?window=1h",
      "/v1/milestones/triggers",
      "/v1/milestones/triggers?since=2000-01-01T00:00:00Z",
    ]) {
      expect(await get(t, url), url).toEqual({ status: 200, body: [] });
    }
  });

  test("merchants without sales count in the summary but not in any leaderboard", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    await addMerchant(t, "174", "Lightning Bistro", { enabled: false });
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 0,
      average_transaction_size: 0,
      active_merchants: 1,
      total_merchants: 2,
    });
    expect((await get(t, "/v1/leaderboard/merchants?window=all")).body).toEqual([]);
    expect((await get(t, "/v1/leaderboard/merchants")).body).toEqual([]);
  });
});

describe("with the shop's sales", () => {
  beforeEach(async () => {
    await seedShop(t);
  });

  test("GET /v1/summary: totals, average to 2 decimals, merchants, products, rates and fiat", async () => {
    expect(await get(t, "/v1/summary")).toEqual({
      status: 200,
      body: {
        total_transactions: 6,
        total_volume_sats: 8653, // 2100 + 1000 + 50 + 2 + 1501 + 4000
        average_transaction_size: 1442.17, // 8653 / 6 = 1442.1666…
        active_merchants: 2, // 175 is disabled
        reporting_merchants: 2, // no poll of 173 or 174 failed
        total_merchants: 3,
        unique_products: 4, // 173/480, 173/481, 174/480, 174/481; not the inactive or the deleted one
        transactions_per_minute: 0.4, // 1001 and 2001 since 14:55:00, over 5 minutes; 1002 is 1 s too old
        volume_per_minute: 720.2, // (2100 + 1501) / 5
        rate_window_seconds: 300, // RATE_WINDOW
        fiat_volume: [
          { currency: "eur", amount: 4.05 }, // 1.35 + 2.70
          { currency: "usd", amount: 3.15 }, // 2.10 + 1.00 + 0.05 + 0.00
        ],
        last_polled_at: "2025-11-10T15:00:00Z", // the seed's polls; nobody is failing, so no not_reporting_*
      },
    });
  });

  test("GET /v1/summary: 'updated' is the last successful poll, and merchants failing for over two poll intervals are not reporting", async () => {
    // POLL_INTERVAL is 60 s here. 173 and 174 were last polled at 15:00 (seedShop); both now fail.
    t.clock.now = Date.parse("2025-11-10T15:01:30Z");
    await recordPollFailure(t.store.db, "173", "upstream timed out");
    await recordPollFailure(t.store.db, "174", "upstream timed out");
    const early = (await get(t, "/v1/summary")).body as Record<string, unknown>;
    // Failed attempts do not move it; 90 s of silence is not yet two intervals.
    expect(early).toMatchObject({ last_polled_at: "2025-11-10T15:00:00Z", reporting_merchants: 0 });
    expect(early).not.toHaveProperty("not_reporting_merchants");
    expect(early).not.toHaveProperty("not_reporting_since");

    t.clock.now = Date.parse("2025-11-10T15:02:01Z");
    await recordPollFailure(t.store.db, "173", "upstream timed out");
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      last_polled_at: "2025-11-10T15:00:00Z",
      not_reporting_merchants: 2,
      not_reporting_since: "2025-11-10T15:00:00Z",
    });

    await ingest(t, "174", []); // 174 recovers at 15:02:01
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      last_polled_at: "2025-11-10T15:02:01Z",
      reporting_merchants: 1,
      not_reporting_merchants: 1,
      not_reporting_since: "2025-11-10T15:00:00Z",
    });
    await ingest(t, "173", []);
    const healthy = (await get(t, "/v1/summary")).body as Record<string, unknown>;
    expect(healthy).not.toHaveProperty("not_reporting_merchants");
    expect(healthy).not.toHaveProperty("not_reporting_since");
  });

  test("GET /v1/summary: a merchant whose last poll failed is enabled but not reporting, until a poll succeeds", async () => {
    await recordPollFailure(t.store.db, "174", "upstream timed out");
    await recordPollFailure(t.store.db, "175", "upstream timed out"); // disabled: counted by neither
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      active_merchants: 2,
      reporting_merchants: 1,
      total_merchants: 3,
    });
    await ingest(t, "174", []);
    expect((await get(t, "/v1/summary")).body).toMatchObject({ active_merchants: 2, reporting_merchants: 2 });
  });

  test("GET /v1/summary: the rates follow the clock", async () => {
    t.clock.now = Date.parse("2025-11-10T15:03:00Z"); // window from 14:58:00: only 1001
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 6,
      transactions_per_minute: 0.2,
      volume_per_minute: 420,
    });
    t.clock.now = Date.parse("2025-11-10T16:00:00Z");
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 6,
      transactions_per_minute: 0,
      volume_per_minute: 0,
    });
  });

  test("GET /v1/ticker: newest first with fiat and currency", async () => {
    const { status, body } = await get(t, "/v1/ticker");
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        sale_id: 1001,
        merchant_id: "173",
        merchant_alias: "Bitcoin Coffee",
        amount_sats: 2100,
        sale_date: "2025-11-10T14:58:30.123Z",
        fiat_amount: 2.1,
        currency: "usd",
        source: "pwf",
      },
      {
        sale_id: 2001,
        merchant_id: "174",
        merchant_alias: "Lightning Bistro",
        amount_sats: 1501,
        sale_date: "2025-11-10T14:56:00Z",
        fiat_amount: 1.35,
        currency: "eur",
        source: "pwf",
      },
      {
        sale_id: 1002,
        merchant_id: "173",
        merchant_alias: "Bitcoin Coffee",
        amount_sats: 1000,
        sale_date: "2025-11-10T14:54:59Z",
        fiat_amount: 1,
        currency: "usd",
        source: "pwf",
      },
      {
        sale_id: 2002,
        merchant_id: "174",
        merchant_alias: "Lightning Bistro",
        amount_sats: 4000,
        sale_date: "2025-11-10T09:00:00Z",
        fiat_amount: 2.7,
        currency: "eur",
        source: "pwf",
      },
      {
        sale_id: 1003,
        merchant_id: "173",
        merchant_alias: "Bitcoin Coffee",
        amount_sats: 50,
        sale_date: "2025-11-08T10:00:00Z",
        fiat_amount: 0.05,
        currency: "usd",
        source: "pwf",
      },
      {
        sale_id: 1004,
        merchant_id: "173",
        merchant_alias: "Bitcoin Coffee",
        amount_sats: 2,
        sale_date: "2025-11-01T08:00:00Z",
        fiat_amount: 0,
        currency: "usd",
        source: "pwf",
      },
    ]);
  });

  test("GET /v1/ticker?limit=2 gives the two newest", async () => {
    const { body } = await get(t, "/v1/ticker?limit=2");
    expect((body as { sale_id: number }[]).map((r) => r.sale_id)).toEqual([1001, 2001]);
  });

  test("GET /v1/ticker shows a merchant's new alias", async () => {
    await t.app.inject({
      method: "PUT",
      url: "/v1/admin/merchants/174",
      headers: t.auth,
      payload: { alias: "Bistro Nuevo" },
    });
    const { body } = await get(t, "/v1/ticker?limit=2");
    expect((body as { merchant_alias: string }[]).map((r) => r.merchant_alias)).toEqual([
      "Bitcoin Coffee",
      "Bistro Nuevo",
    ]);
  });

  test("GET /v1/leaderboard/merchants: default is transactions over 24h, ties broken by volume", async () => {
    const expected = [bistro(2, 5501), coffee(2, 3100)];
    expect(await get(t, "/v1/leaderboard/merchants")).toEqual({ status: 200, body: expected });
    expect((await get(t, "/v1/leaderboard/merchants?window=24h&metric=transactions")).body).toEqual(expected);
  });

  test("GET /v1/leaderboard/merchants: windows 5m, 3m, 1m, 1.5h and all", async () => {
    expect((await get(t, "/v1/leaderboard/merchants?window=5m")).body).toEqual([
      coffee(1, 2100),
      bistro(1, 1501),
    ]);
    // From 14:57:00 only 1001: the bistro (sales, none in the window) and 175 (no sales) are left out.
    expect((await get(t, "/v1/leaderboard/merchants?window=3m")).body).toEqual([coffee(1, 2100)]);
    expect((await get(t, "/v1/leaderboard/merchants?window=1m")).body).toEqual([]);
    expect((await get(t, "/v1/leaderboard/merchants?window=1h30m")).body).toEqual([
      coffee(2, 3100),
      bistro(1, 1501),
    ]);
    expect((await get(t, "/v1/leaderboard/merchants?window=all")).body).toEqual([
      coffee(4, 3152),
      bistro(2, 5501),
    ]);
  });

  test("GET /v1/leaderboard/merchants?metric=volume", async () => {
    expect((await get(t, "/v1/leaderboard/merchants?metric=volume&window=all")).body).toEqual([
      bistro(2, 5501),
      coffee(4, 3152),
    ]);
    expect((await get(t, "/v1/leaderboard/merchants?metric=volume")).body).toEqual([
      bistro(2, 5501),
      coffee(2, 3100),
    ]);
    expect((await get(t, "/v1/leaderboard/merchants?metric=volume&window=5m")).body).toEqual([
      coffee(1, 2100),
      bistro(1, 1501),
    ]);
  });

  test("GET /v1/leaderboard/merchants?limit=1", async () => {
    expect((await get(t, "/v1/leaderboard/merchants?limit=1&window=all")).body).toEqual([coffee(4, 3152)]);
  });

  test("GET /v1/leaderboard/products: all time from the upstream's cumulative figures, active only", async () => {
    const byTransactions = [
      prod("173", 480, "Espresso", 40, 38500),
      prod("174", 480, "Pupusa", 40, 20000),
      prod("173", 481, "Croissant", 12, 25000),
      prod("174", 481, "Soda", 5, 2500),
    ];
    expect(await get(t, "/v1/leaderboard/products")).toEqual({ status: 200, body: byTransactions });
    expect((await get(t, "/v1/leaderboard/products?window=all")).body).toEqual(byTransactions);
    expect((await get(t, "/v1/leaderboard/products?metric=volume")).body).toEqual([
      prod("173", 480, "Espresso", 40, 38500),
      prod("173", 481, "Croissant", 12, 25000),
      prod("174", 480, "Pupusa", 40, 20000),
      prod("174", 481, "Soda", 5, 2500),
    ]);
    expect((await get(t, "/v1/leaderboard/products?metric=volume&limit=2")).body).toEqual([
      prod("173", 480, "Espresso", 40, 38500),
      prod("173", 481, "Croissant", 12, 25000),
    ]);
  });

  test("GET /v1/leaderboard/products?window=…: recounted from the sale lines in the window", async () => {
    // Since 14:00: 1001 (Espresso on two lines counts as one sale), 1002 (Old Muffin is inactive), 2001.
    expect(await get(t, "/v1/leaderboard/products?window=1h")).toEqual({
      status: 200,
      body: [
        prod("173", 480, "Espresso", 2, 2300), // 700 + 700 + 900
        prod("174", 480, "Pupusa", 1, 1500), // 3 × 500
        prod("173", 481, "Croissant", 1, 700),
      ],
    });
    // Since 14:55:00: 1001 and 2001; the tie on transactions goes to the larger volume.
    expect((await get(t, "/v1/leaderboard/products?window=5m")).body).toEqual([
      prod("174", 480, "Pupusa", 1, 1500),
      prod("173", 480, "Espresso", 1, 1400),
      prod("173", 481, "Croissant", 1, 700),
    ]);
    // Since yesterday 15:00: 2002 adds Pupusa 2 × 500 and Soda 6 × 500.
    expect((await get(t, "/v1/leaderboard/products?window=24h")).body).toEqual([
      prod("174", 480, "Pupusa", 2, 2500),
      prod("173", 480, "Espresso", 2, 2300),
      prod("174", 481, "Soda", 1, 3000),
      prod("173", 481, "Croissant", 1, 700),
    ]);
    expect((await get(t, "/v1/leaderboard/products?window=24h&metric=volume")).body).toEqual([
      prod("174", 481, "Soda", 1, 3000),
      prod("174", 480, "Pupusa", 2, 2500),
      prod("173", 480, "Espresso", 2, 2300),
      prod("173", 481, "Croissant", 1, 700),
    ]);
    expect((await get(t, "/v1/leaderboard/products?window=24h&metric=volume&limit=1")).body).toEqual([
      prod("174", 481, "Soda", 1, 3000),
    ]);
    expect((await get(t, "/v1/leaderboard/products?window=1m")).body).toEqual([]);
  });

  test("a product that becomes inactive or deleted leaves the product leaderboards", async () => {
    await ingest(
      t,
      "174",
      [],
      [
        product(480, "Pupusa", 40, "20000", { active: false }),
        product(481, "Soda", 5, "2500", { deleted: true }),
      ],
    );
    expect((await get(t, "/v1/leaderboard/products")).body).toEqual([
      prod("173", 480, "Espresso", 40, 38500),
      prod("173", 481, "Croissant", 12, 25000),
    ]);
    expect((await get(t, "/v1/leaderboard/products?window=24h")).body).toEqual([
      prod("173", 480, "Espresso", 2, 2300),
      prod("173", 481, "Croissant", 1, 700),
    ]);
    expect((await get(t, "/v1/summary")).body).toMatchObject({ unique_products: 2 });
  });

  test("newer cumulative product figures replace the old ones", async () => {
    await ingest(
      t,
      "174",
      [],
      [product(480, "Pupusa grande", 41, "20500.0"), product(481, "Soda", 5, "2500")],
    );
    expect((await get(t, "/v1/leaderboard/products?limit=2")).body).toEqual([
      prod("174", 480, "Pupusa grande", 41, 20500),
      prod("173", 480, "Espresso", 40, 38500),
    ]);
  });
});

describe("defaults and limits", () => {
  test("ticker: 20 rows by default, newest first; limit=1000 and limit=1 are accepted", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const base = Date.parse("2025-11-10T12:00:00Z");
    // 25 sales one minute apart, given oldest first; sale i is worth 100 + i sats.
    const sales = Array.from({ length: 25 }, (_, i) =>
      sale(5000 + i, 100 + i, upstreamDate(base + i * 60_000)),
    );
    await ingest(t, "173", sales);
    const { body } = await get(t, "/v1/ticker");
    const ids = (body as { sale_id: number }[]).map((r) => r.sale_id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => 5024 - i));
    expect((body as unknown[])[19]).toEqual({
      sale_id: 5005,
      merchant_id: "173",
      merchant_alias: "Bitcoin Coffee",
      amount_sats: 105,
      sale_date: "2025-11-10T12:05:00Z",
      fiat_amount: 0.1,
      currency: "usd",
      source: "pwf",
    });
    expect(((await get(t, "/v1/ticker?limit=1000")).body as unknown[]).length).toBe(25);
    expect(
      ((await get(t, "/v1/ticker?limit=1")).body as { sale_id: number }[]).map((r) => r.sale_id),
    ).toEqual([5024]);
  });

  test("ticker: the configured TICKER_LIMIT is the default", async () => {
    const small = await makeTestApp({ tickerLimit: 3 });
    try {
      await addMerchant(small, "173", "Bitcoin Coffee");
      await ingest(
        small,
        "173",
        [1, 2, 3, 4, 5].map((i) => sale(i, 10 * i, `2025-11-10T14:0${i}:00.000000+00:00`)),
      );
      const { body } = await get(small, "/v1/ticker");
      expect((body as { sale_id: number }[]).map((r) => r.sale_id)).toEqual([5, 4, 3]);
    } finally {
      await small.close();
    }
  });

  test("merchant leaderboard: 10 by default; exact ties are ordered by merchant id, the same every time", async () => {
    // Twelve merchants, m00..m11, each with one sale of 1000 sats in the last hour: all tied.
    // Created in reverse order so that insertion order cannot pass for the tie-break.
    for (let i = 11; i >= 0; i--) {
      const id = `m${String(i).padStart(2, "0")}`;
      await addMerchant(t, id, `Shop ${i}`);
      await ingest(t, id, [sale(1, 1000, "2025-11-10T14:30:00.000000+00:00")]);
    }
    const expected = Array.from({ length: 10 }, (_, i) => ({
      merchant_id: `m${String(i).padStart(2, "0")}`,
      alias: `Shop ${i}`,
      transactions: 1,
      volume_sats: 1000,
    }));
    for (const url of [
      "/v1/leaderboard/merchants",
      "/v1/leaderboard/merchants?metric=volume",
      "/v1/leaderboard/merchants?window=all",
      "/v1/leaderboard/merchants?window=all&metric=volume",
    ]) {
      expect((await get(t, url)).body, url).toEqual(expected);
      expect((await get(t, url)).body, url).toEqual(expected);
    }
    expect(((await get(t, "/v1/leaderboard/merchants?limit=1000")).body as unknown[]).length).toBe(12);
    expect(((await get(t, "/v1/leaderboard/merchants?limit=3")).body as unknown[]).length).toBe(3);
  });

  test("product leaderboard: 10 by default", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    // Twelve products; product 100 + i has i + 1 transactions.
    const products = Array.from({ length: 12 }, (_, i) =>
      product(100 + i, `P${i}`, i + 1, String(10 * (i + 1))),
    );
    await ingest(t, "173", [], products);
    const { body } = await get(t, "/v1/leaderboard/products");
    expect(body).toEqual(
      Array.from({ length: 10 }, (_, k) => prod("173", 111 - k, `P${11 - k}`, 12 - k, 10 * (12 - k))),
    );
  });

  test("the configured LEADERBOARD_LIMIT is the default for both leaderboards", async () => {
    const small = await makeTestApp({ leaderboardLimit: 2 });
    try {
      for (const id of ["a", "b", "c"]) {
        await addMerchant(small, id, id.toUpperCase());
        await ingest(
          small,
          id,
          [sale(1, 10, "2025-11-10T14:30:00.000000+00:00", [line(1, "X", 1, 10)])],
          [product(1, "X", 1, "10")],
        );
      }
      expect(((await get(small, "/v1/leaderboard/merchants")).body as unknown[]).length).toBe(2);
      expect(((await get(small, "/v1/leaderboard/products")).body as unknown[]).length).toBe(2);
      expect(((await get(small, "/v1/leaderboard/products?window=1h")).body as unknown[]).length).toBe(2);
    } finally {
      await small.close();
    }
  });

  test("summary rates over a configured RATE_WINDOW are rounded to 2 decimals", async () => {
    const app3 = await makeTestApp({ rateWindowMs: 3 * 60_000 });
    try {
      await addMerchant(app3, "173", "Bitcoin Coffee");
      await ingest(app3, "173", [
        sale(1, 1000, "2025-11-10T14:58:00.000000+00:00"),
        sale(2, 7, "2025-11-10T14:56:59.000000+00:00"), // outside the 3 minutes
      ]);
      expect((await get(app3, "/v1/summary")).body).toMatchObject({
        total_transactions: 2,
        total_volume_sats: 1007,
        average_transaction_size: 503.5,
        transactions_per_minute: 0.33, // 1 / 3
        volume_per_minute: 333.33, // 1000 / 3
      });
    } finally {
      await app3.close();
    }
  });
});
