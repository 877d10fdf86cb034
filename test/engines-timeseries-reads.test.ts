import { afterAll, beforeAll, describe, it } from "vitest";
import type { Db } from "../src/store/db.js";
import { readRecap } from "../src/store/recap.js";
import { getTimeseries } from "../src/store/timeseries.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";
import { expectAnswer, expectNumbers, iso } from "./support/read-expect.js";
import { BEFORE_1970, DOORS, HOUR, MINUTE, NOW, seedReads } from "./support/read-fixture.js";

/*
 * The trend chart and the recap on SQLite and PostgreSQL: the same rows (read-fixture.ts) give the
 * same fixed answers. Bucket indexes are integer divisions of (instant - first bucket), dates before
 * 1970 included; minute charts read the minute rollups where they cover the window, raw sales else.
 */

/** The chart's answer: `count` buckets from `first`, zeros but for those given by index. */
function series(windowMs: number, bucketMs: number, first: number, filled: Record<number, [number, number]>) {
  const count = Math.ceil(windowMs / bucketMs);
  return {
    window_seconds: windowMs / 1000,
    bucket_seconds: bucketMs / 1000,
    buckets: Array.from({ length: count }, (_, i) => ({
      start: iso(first + i * bucketMs),
      transactions: filled[i]?.[0] ?? 0,
      volume_sats: filled[i]?.[1] ?? 0,
    })),
  };
}
const at = (s: string) => Date.parse(s);

describe.each(ENGINES)("chart and recap reads on %s", (engine) => {
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

  it("1 hour by minute, from the minute rollups; one source's", async () => {
    const chart = await getTimeseries(db, { now: NOW, windowMs: HOUR, bucketMs: MINUTE });
    const first = at("2025-11-10T14:31:00Z");
    expectAnswer(
      chart,
      series(HOUR, MINUTE, first, { 29: [1, 2000], 58: [1, 3000], 59: [2, 4_500_000_000] }),
    );
    expectNumbers(chart.buckets[59]?.volume_sats, chart.buckets[59]?.transactions);
    expectAnswer(
      await getTimeseries(db, { now: NOW, windowMs: HOUR, bucketMs: MINUTE, source: "wifi" }),
      series(HOUR, MINUTE, first, { 29: [1, 2000], 58: [1, 3000] }),
    );
  });

  it("3 hours by minute: older than the minute rollups, from raw sales", async () => {
    expectAnswer(
      await getTimeseries(db, { now: NOW, windowMs: 3 * HOUR, bucketMs: MINUTE }),
      series(3 * HOUR, MINUTE, at("2025-11-10T12:31:00Z"), {
        149: [1, 2000],
        178: [1, 3000],
        179: [2, 4_500_000_000],
      }),
    );
  });

  it("5 minutes by 10 seconds, from raw sales; 24 hours by hour, from the hour rollups, one merchant's", async () => {
    expectAnswer(
      await getTimeseries(db, { now: NOW, windowMs: 5 * MINUTE, bucketMs: 10_000 }),
      series(5 * MINUTE, 10_000, at("2025-11-10T15:25:40Z"), { 20: [1, 3000], 27: [2, 4_500_000_000] }),
    );
    const day = at("2025-11-09T16:00:00Z");
    expectAnswer(
      await getTimeseries(db, { now: NOW, windowMs: 24 * HOUR, bucketMs: HOUR }),
      series(24 * HOUR, HOUR, day, { 20: [1, 1234], 23: [4, 4_500_005_000] }),
    );
    expectAnswer(
      await getTimeseries(db, { now: NOW, windowMs: 24 * HOUR, bucketMs: HOUR, merchantId: "beta" }),
      series(24 * HOUR, HOUR, day, { 20: [1, 1234] }),
    );
  });

  it("before 1970: negative instants land in their buckets, raw, by minute and by hour", async () => {
    expectAnswer(
      await getTimeseries(db, { now: BEFORE_1970 + 5000, windowMs: MINUTE, bucketMs: 10_000 }),
      series(MINUTE, 10_000, at("1969-07-20T20:16:50Z"), { 5: [1, 500_000_000] }),
    );
    expectAnswer(
      await getTimeseries(db, { now: BEFORE_1970, windowMs: 5 * MINUTE, bucketMs: MINUTE }),
      series(5 * MINUTE, MINUTE, at("1969-07-20T20:13:00Z"), { 4: [1, 500_000_000] }),
    );
    expectAnswer(
      await getTimeseries(db, { now: BEFORE_1970 + 30 * MINUTE, windowMs: 2 * HOUR, bucketMs: HOUR }),
      series(2 * HOUR, HOUR, at("1969-07-20T19:00:00Z"), { 1: [1, 500_000_000] }),
    );
  });

  it("recap since the doors: standings, top products, 5-minute timeline, busiest hour, fiat, triggers oldest first", async () => {
    const recap = await readRecap(db, { now: NOW, rateWindowMs: 5 * MINUTE, pollIntervalMs: 30_000 });
    const doors = at("2025-11-10T11:30:00Z");
    expectAnswer(recap, {
      from: "2025-11-10T11:30:30Z",
      to: "2025-11-10T15:30:30Z",
      totals: {
        total_transactions: 5,
        total_volume_sats: 4_500_006_234,
        average_transaction_size: 900_001_246.8,
        active_merchants: 3,
        reporting_merchants: 2,
        total_merchants: 4,
        unique_products: 5,
        transactions_per_minute: 0.02,
        volume_per_minute: 18_750_025.98,
        rate_window_seconds: 14_400,
        fiat_volume: [{ currency: "usd", amount: 14.4 }],
        last_polled_at: "2025-11-10T15:30:20Z",
      },
      merchants: [
        { merchant_id: "alpha", alias: "Alpha", transactions: 2, volume_sats: 4_500_000_000 },
        { merchant_id: "wifi1", alias: "WiFi Bar", transactions: 2, volume_sats: 5000 },
        { merchant_id: "beta", alias: "Beta", transactions: 1, volume_sats: 1234 },
      ],
      top_products: [
        { merchant_id: "alpha", product_id: 1, name: "Coffee", transactions: 2, volume_sats: 2_000_000_003 },
        { merchant_id: "alpha", product_id: 2, name: "Tea", transactions: 1, volume_sats: 2_499_999_997 },
        { merchant_id: "beta", product_id: 9, name: "Cake", transactions: 1, volume_sats: 1235 },
      ],
      busiest_hour: { start: "2025-11-10T15:00:00Z", transactions: 4, volume_sats: 4_500_005_000 },
      timeline: series(4 * HOUR + 5 * MINUTE, 5 * MINUTE, doors, {
        12: [1, 1234],
        42: [1, 2000],
        47: [1, 3000],
        48: [2, 4_500_000_000],
      }),
      milestones: [trigger(1, "First billion"), trigger(2, "Two billion")],
    });
    expectNumbers(recap.totals.total_volume_sats, recap.merchants[0]?.volume_sats, recap.milestones[0]?.id);
  });

  it("recap with no doors time: from the first sale (1969), weekly timeline from a negative first bucket", async () => {
    await db.updateTable("event_settings").set({ doors_opened_at: null }).execute();
    try {
      const recap = await readRecap(db, { now: NOW, rateWindowMs: 5 * MINUTE, pollIntervalMs: 30_000 });
      const week = 7 * 24 * HOUR;
      const first = Math.floor(BEFORE_1970 / week) * week;
      const last = Math.floor((NOW - 1) / week) * week;
      expectAnswer(
        [recap.from, recap.to, recap.totals.total_transactions, recap.totals.total_volume_sats],
        ["1969-07-20T20:17:40Z", "2025-11-10T15:30:30Z", 6, 5_000_006_234],
      );
      expectAnswer(recap.totals.fiat_volume, [
        { currency: "eur", amount: 3.25 },
        { currency: "usd", amount: 14.4 },
      ]);
      expectAnswer(recap.timeline.buckets.length, (last - first) / week + 1);
      expectAnswer(
        recap.timeline.buckets.filter((b) => b.transactions > 0),
        [
          { start: "1969-07-17T00:00:00Z", transactions: 1, volume_sats: 500_000_000 },
          { start: "2025-11-06T00:00:00Z", transactions: 5, volume_sats: 4_500_006_234 },
        ],
      );
      expectAnswer(recap.busiest_hour, {
        start: "2025-11-10T15:00:00Z",
        transactions: 4,
        volume_sats: 4_500_005_000,
      });
    } finally {
      await db.updateTable("event_settings").set({ doors_opened_at: DOORS }).execute();
    }
  });

  it("recap of a range that has ended: the standings since its start less those since its end", async () => {
    const from = NOW - 20 * HOUR;
    const recap = await readRecap(db, {
      now: NOW,
      rateWindowMs: 5 * MINUTE,
      pollIntervalMs: 30_000,
      fromMs: from,
      toMs: NOW - 2 * HOUR,
    });
    expectAnswer(recap, {
      from: "2025-11-09T19:30:30Z",
      to: "2025-11-10T13:30:30Z",
      totals: {
        total_transactions: 1,
        total_volume_sats: 1234,
        average_transaction_size: 1234,
        active_merchants: 3,
        reporting_merchants: 2,
        total_merchants: 4,
        unique_products: 5,
        transactions_per_minute: 0,
        volume_per_minute: 1.14,
        rate_window_seconds: 64_800,
        fiat_volume: [{ currency: "usd", amount: 1.1 }],
        last_polled_at: "2025-11-10T15:30:20Z",
      },
      merchants: [{ merchant_id: "beta", alias: "Beta", transactions: 1, volume_sats: 1234 }],
      top_products: [
        { merchant_id: "beta", product_id: 9, name: "Cake", transactions: 1, volume_sats: 1235 },
      ],
      busiest_hour: { start: "2025-11-10T12:00:00Z", transactions: 1, volume_sats: 1234 },
      timeline: series(18 * HOUR + 15 * MINUTE, 15 * MINUTE, at("2025-11-09T19:30:00Z"), { 68: [1, 1234] }),
      milestones: [
        {
          id: 3,
          milestone_id: 3,
          name: "Before the doors",
          type: "volume",
          threshold: 3_000_000_000,
          triggered_at: "2025-11-10T10:30:30Z",
          total_transactions: 2,
          total_volume_sats: 3_000_000_000,
        },
      ],
    });
  });
});

function trigger(id: number, name: string) {
  return {
    id,
    milestone_id: id,
    name,
    type: "volume",
    threshold: 1_000_000_000 * id,
    triggered_at: "2025-11-10T15:30:10Z",
    total_transactions: 2,
    total_volume_sats: 4_500_000_000,
  };
}
