import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { addMerchant, addMilestone, get, ingest, line, product, sale } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/** A restart on the same SQLite file keeps everything, and re-polling the same history changes nothing. */

const NOW = Date.parse("2025-11-10T15:00:00Z");
let dir: string;
const open: TestApp[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "api-restart-"));
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(now: number): Promise<TestApp> {
  const t = await makeTestApp({ dbPath: join(dir, "dashboard.db"), now });
  open.push(t);
  return t;
}
async function stop(t: TestApp): Promise<void> {
  open.splice(open.indexOf(t), 1);
  await t.close();
}

const sales173 = [
  sale(11, 1200, "2025-11-10T14:58:00.000000+00:00", [line(480, "Espresso", 2, 600)]),
  sale(12, 800, "2025-11-10T14:20:00.000000+00:00", [line(481, "Croissant", 1, 800)]),
  sale(13, 3000, "2025-11-09T20:00:00.000000+00:00"),
];
const products173 = [product(480, "Espresso", 9, "5400"), product(481, "Croissant", 3, "2400")];
const sales174 = [sale(11, 500, "2025-11-10T14:57:00.000000+00:00", [], { currency: "eur", amount: "0.45" })];

const URLS = [
  "/v1/summary",
  "/v1/ticker",
  "/v1/leaderboard/merchants",
  "/v1/leaderboard/merchants?window=all&metric=volume",
  "/v1/leaderboard/products",
  "/v1/leaderboard/products?window=24h",
  "/v1/milestones/triggers",
];

async function snapshot(t: TestApp): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const url of URLS) out[url] = (await get(t, url)).body;
  out.milestones = (await get(t, "/v1/admin/milestones", t.auth)).body;
  out.merchants = (await get(t, "/v1/admin/merchants", t.auth)).body;
  return out;
}

test("restart keeps merchants, sales, products, totals, milestones and triggers; re-ingesting fires nothing", async () => {
  const first = await start(NOW);
  await addMerchant(first, "173", "Bitcoin Coffee");
  await addMerchant(first, "174", "Lightning Bistro");
  await addMerchant(first, "175", "Sats Bar", { enabled: false });
  const fired = await addMilestone(first, { name: "Four sales", type: "transactions", threshold: 4 });
  const armed = await addMilestone(first, { name: "Big", type: "volume", threshold: 10_000 });
  const off = await addMilestone(first, { name: "Off", type: "transactions", threshold: 1, enabled: false });
  await ingest(first, "173", sales173, products173);
  await ingest(first, "174", sales174);

  const summary = {
    total_transactions: 4,
    total_volume_sats: 5500, // 1200 + 800 + 3000 + 500
    average_transaction_size: 1375,
    active_merchants: 2,
    reporting_merchants: 2,
    total_merchants: 3,
    unique_products: 2,
    transactions_per_minute: 0.4, // 11 at 173 (14:58) and 11 at 174 (14:57)
    volume_per_minute: 340, // (1200 + 500) / 5
    rate_window_seconds: 300,
    fiat_volume: [
      { currency: "eur", amount: 0.45 },
      { currency: "usd", amount: 5 }, // 1.20 + 0.80 + 3.00
    ],
    last_polled_at: "2025-11-10T15:00:00Z",
  };
  const trigger = {
    id: 1,
    milestone_id: fired,
    name: "Four sales",
    type: "transactions",
    threshold: 4,
    triggered_at: "2025-11-10T15:00:00Z",
    total_transactions: 4,
    total_volume_sats: 5500,
  };
  expect((await get(first, "/v1/summary")).body).toEqual(summary);
  expect((await get(first, "/v1/milestones/triggers")).body).toEqual([trigger]);
  const before = await snapshot(first);
  await stop(first);

  // Same database, same moment: everything reads back the same.
  const second = await start(NOW);
  expect(await snapshot(second)).toEqual(before);
  expect((await get(second, "/v1/summary")).body).toEqual(summary);
  // Listed by threshold: 1, 4, 10,000.
  expect((await get(second, "/v1/admin/milestones", second.auth)).body).toMatchObject([
    { id: off, triggered: false, enabled: false },
    { id: fired, triggered: true, triggered_at: "2025-11-10T15:00:00Z" },
    { id: armed, triggered: false, enabled: true },
  ]);

  // The poller's first cycle after the restart sees the same history again: nothing changes.
  second.clock.now = NOW + 60_000;
  expect((await ingest(second, "173", sales173, products173))?.newSales).toEqual([]);
  const again = await ingest(second, "174", sales174);
  expect(again?.newSales).toEqual([]);
  expect(again?.triggers).toEqual([]);
  second.clock.now = NOW;
  const after = await snapshot(second);
  // The summary's last successful poll is the re-poll's.
  expect(after["/v1/summary"]).toEqual({ ...summary, last_polled_at: "2025-11-10T15:01:00Z" });
  expect(after["/v1/milestones/triggers"]).toEqual([trigger]);
  const { merchants: merchantsAfter, "/v1/summary": _s, ...restAfter } = after;
  const { merchants: merchantsBefore, "/v1/summary": _b, ...restBefore } = before;
  expect(restAfter).toEqual(restBefore);
  // Only the poll time moved.
  expect(merchantsAfter).toEqual(
    (merchantsBefore as Record<string, unknown>[]).map((m) =>
      m.id === "175" ? m : { ...m, last_polled_at: "2025-11-10T15:01:00Z" },
    ),
  );
  await stop(second);

  // A third start, then a new sale: totals continue from where they were and "Big" is still armed.
  const third = await start(NOW + 120_000);
  await ingest(third, "174", [...sales174, sale(12, 4500, "2025-11-10T15:01:30.000000+00:00")]);
  expect((await get(third, "/v1/summary")).body).toMatchObject({
    total_transactions: 5,
    total_volume_sats: 10_000,
  });
  expect((await get(third, "/v1/milestones/triggers")).body).toEqual([
    {
      id: 2,
      milestone_id: armed,
      name: "Big",
      type: "volume",
      threshold: 10_000,
      triggered_at: "2025-11-10T15:02:00Z",
      total_transactions: 5,
      total_volume_sats: 10_000,
    },
    trigger,
  ]);
});
