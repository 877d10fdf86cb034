import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Metric } from "../src/contract/index.js";
import { lineSats } from "../src/store/buckets.js";
import { getMerchantLeaderboard, getProductLeaderboard, getSummary } from "../src/store/dashboard.js";
import { type Db, type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import type { IncomingSale, ProductFigures } from "../src/store/poll-contents.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { rebuildDerived } from "../src/store/rollups.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2025-11-10T12:00:00Z");

let store: OpenedDatabase;
beforeEach(async () => {
  store = await openDatabase(":memory:");
});
afterEach(async () => {
  await store.close();
});
const dir = mkdtempSync(join(tmpdir(), "product-rollups-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The windowed product leaderboard as it was computed before the rollup: every sale line of the window. */
async function rawLeaderboard(db: Db, metric: Metric, sinceMs: number, limit: number) {
  const [first, second] =
    metric === "volume" ? [sql`volume_sats`, sql`transactions`] : [sql`transactions`, sql`volume_sats`];
  const rows = await sql<{
    merchant_id: string;
    product_id: number;
    name: string;
    transactions: number;
    volume_sats: number;
  }>`
    select l.merchant_id, l.product_id, p.name, count(distinct t.sale_id) as transactions,
      sum(round(l.quantity * l.unit_sats)) as volume_sats
    from transactions t
    join sale_lines l on l.merchant_id = t.merchant_id and l.sale_id = t.sale_id
    join products p on p.merchant_id = l.merchant_id and p.product_id = l.product_id
    where t.sale_date >= ${sinceMs} and p.active = 1 and p.deleted = 0
    group by l.merchant_id, l.product_id, p.name
    order by ${first} desc, ${second} desc, l.merchant_id, l.product_id
    limit ${limit}`.execute(db);
  return rows.rows.map((r) => ({ ...r, volume_sats: Number(r.volume_sats) }));
}

const product = (productId: number, over: Partial<ProductFigures> = {}): ProductFigures => ({
  productId,
  name: `product ${productId}`,
  currency: null,
  price: null,
  totalTransactions: 1,
  totalUnitsSold: 1,
  totalRevenueSats: 1,
  active: true,
  deleted: false,
  ...over,
});

const sale = (saleId: number, date: number, lines: [number, number, number][]): IncomingSale => ({
  saleId,
  origin: "pos",
  date,
  amountSats: 1,
  fiatAmount: null,
  currency: null,
  lines: lines.map(([productId, quantity, unitSats]) => ({ productId, name: "at sale", quantity, unitSats })),
});

/** Merchants and the summary's rate as they were counted before the minute rollups: every sale of the window. */
async function rawMerchantLeaderboard(db: Db, metric: Metric, sinceMs: number, limit: number) {
  const [first, second] =
    metric === "volume" ? [sql`volume_sats`, sql`transactions`] : [sql`transactions`, sql`volume_sats`];
  const rows = await sql<{ merchant_id: string; alias: string; transactions: number; volume_sats: number }>`
    select t.merchant_id, m.alias, count(*) as transactions, sum(t.amount_sats) as volume_sats
    from transactions t join merchants m on m.id = t.merchant_id where t.sale_date >= ${sinceMs}
    group by t.merchant_id, m.alias order by ${first} desc, ${second} desc, t.merchant_id limit ${limit}`.execute(
    db,
  );
  return rows.rows;
}

/** Windows starting on, just before and just after hour and minute boundaries, and mid-hour. */
const windowStarts = [
  T0 - 3 * HOUR,
  T0 - 2 * HOUR - 1,
  T0 - 2 * HOUR + 1,
  T0 - HOUR - 30 * 60_000,
  T0 - HOUR,
  T0 - 1,
  T0,
  T0 + 1,
  T0 + 20 * 60_000,
  T0 + 20 * 60_000 + 12_345,
  T0 + HOUR,
  T0 + 2 * HOUR + 1,
  T0 + 4 * HOUR + 30_000,
  T0 + 5 * HOUR,
  T0 + 5 * HOUR + 17_777,
];

async function expectSameAsRaw(db: Db) {
  for (const since of windowStarts)
    for (const metric of ["transactions", "volume"] as const)
      for (const limit of [3, 100]) {
        const rolled = await getProductLeaderboard(db, { metric, sinceMs: since, limit });
        const what = `since ${new Date(since).toISOString()} by ${metric}, top ${limit}`;
        expect(rolled, `products ${what}`).toEqual(await rawLeaderboard(db, metric, since, limit));
        const merchants = await getMerchantLeaderboard(db, { metric, sinceMs: since, limit });
        expect(merchants, `merchants ${what}`).toEqual(
          await rawMerchantLeaderboard(db, metric, since, limit),
        );
      }
  for (const since of windowStarts) {
    const now = T0 + 6 * HOUR;
    const summary = await getSummary(db, { now, rateWindowMs: now - since, pollIntervalMs: 30_000 });
    const raw = await sql<{
      n: number;
    }>`select count(*) as n from transactions where sale_date >= ${since}`.execute(db);
    const minutes = (now - since) / 60_000;
    expect(summary.transactions_per_minute, `rate since ${since}`).toBe(
      Math.round(((raw.rows[0]?.n ?? 0) / minutes) * 100) / 100,
    );
  }
}

describe("windowed product leaderboard from the hourly product rollup", () => {
  it("equals the raw count at window edges, with repeated products, ties and hidden products", async () => {
    await upsertMerchant(store.db, { id: "a", public_key: "k", alias: "A" }, T0);
    await upsertMerchant(store.db, { id: "b", public_key: "k", alias: "B" }, T0);
    const products = [
      product(1),
      product(2, { name: "renamed since" }),
      product(3, { active: false }),
      product(4, { deleted: true }),
      product(5),
    ];
    await applyPoll(
      store.db,
      "a",
      {
        sales: [
          sale(1, T0 - 2 * HOUR, [[1, 1, 100]]), // exactly on an hour boundary
          sale(2, T0 - HOUR - 1, [
            [1, 2, 50],
            [2, 1, 100],
          ]), // the last millisecond of an hour
          sale(3, T0 - HOUR - 30 * 60_000, [
            [1, 1, 30],
            [1, 3, 10],
            [3, 1, 999],
          ]), // product 1 twice
          sale(4, T0, [
            [2, 1.5, 33],
            [4, 1, 999],
            [5, 0.25, 2],
          ]), // fractions rounded per line
          sale(5, T0 + 20 * 60_000, [[5, 1, 200]]),
          sale(6, T0 + 20 * 60_000, []),
          sale(7, T0 + HOUR - 1, [[9, 1, 5]]), // a product the merchant does not list
        ],
        products,
      },
      T0,
    );
    // The same product ids at another merchant, with figures that tie with merchant a's.
    await applyPoll(
      store.db,
      "b",
      { sales: [sale(1, T0 - 1, [[1, 1, 100]]), sale(2, T0 + 1, [[2, 1, 100]])], products },
      T0,
    );
    await expectSameAsRaw(store.db);
    const all = await getProductLeaderboard(store.db, {
      metric: "transactions",
      sinceMs: T0 - 3 * HOUR,
      limit: 100,
    });
    expect(all.find((p) => p.merchant_id === "a" && p.product_id === 1)).toEqual({
      merchant_id: "a",
      product_id: 1,
      name: "product 1",
      transactions: 3,
      volume_sats: 100 + 100 + 30 + 30,
    });
    expect(all.some((p) => [3, 4, 9].includes(p.product_id))).toBe(false);
    expect(all.find((p) => p.merchant_id === "b" && p.product_id === 2)?.name).toBe("renamed since");
  });

  it("is kept up by ingest exactly as rebuildDerived and the migrations' back-fill recompute it", async () => {
    const file = join(dir, "rollup.db");
    const fileStore = await openDatabase(file);
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const merchants = ["m1", "m2", "m3"];
    for (const m of merchants) await upsertMerchant(fileStore.db, { id: m, public_key: "k", alias: m }, T0);
    const history = new Map<string, IncomingSale[]>(merchants.map((m) => [m, []]));
    const products = [1, 2, 3, 4, 5, 6].map((p) => product(p));
    for (let round = 0; round < 60; round++) {
      const m = merchants[Math.floor(rand() * merchants.length)] as string;
      const sales = history.get(m) ?? [];
      // Poll times move on, so the minute rollups' start moves up and drops old minutes meanwhile.
      const polledAt = T0 + round * 6 * 60_000;
      for (let i = Math.floor(rand() * 8); i > 0; i--) {
        const lines: [number, number, number][] = Array.from({ length: Math.floor(rand() * 4) }, () => [
          1 + Math.floor(rand() * 6),
          rand() < 0.3 ? Math.round(rand() * 400) / 100 : 1 + Math.floor(rand() * 3),
          Math.floor(rand() * 5000),
        ]);
        // Sold in the three hours before the poll: some within the minute rollups' span, some before.
        sales.push(sale(sales.length + 1, polledAt - Math.floor(rand() * 3 * HOUR), lines));
      }
      await applyPoll(fileStore.db, m, { sales: sales.filter(() => rand() > 0.15), products }, polledAt);
      if (round % 20 === 19) await expectSameAsRaw(fileStore.db);
    }
    const table = (name: string) =>
      sql`select * from ${sql.table(name)} order by 1, 2, 3`.execute(fileStore.db).then((r) => r.rows);
    const levels = () =>
      Promise.all(
        ["product_sales_by_hour", "sales_by_minute", "product_sales_by_minute", "product_sales_totals"].map(
          table,
        ),
      );
    const incremental = await levels();
    // The all-time product sums are the hourly rows added up.
    const summed = await sql`
      select merchant_id, product_id, sum(transactions) as transactions, sum(volume_sats) as volume_sats
      from product_sales_by_hour group by 1, 2 order by 1, 2`.execute(fileStore.db);
    expect(incremental[3]).toEqual(summed.rows);
    expect(incremental[0]?.length).toBeGreaterThan(40);
    expect(incremental[2]?.length).toBeGreaterThan(20);
    // Last polled at T0 + 354 min: the minutes kept start two hours before that, not at the first poll.
    expect(await fileStore.db.selectFrom("minute_rollup_coverage").selectAll().execute()).toEqual([
      { complete_from: T0 + 354 * 60_000 - 2 * HOUR },
    ]);
    await expectSameAsRaw(fileStore.db);
    await rebuildDerived(fileStore.db);
    expect(await levels()).toEqual(incremental);

    // A database from before the rollups: the migrations fill them from the stored sales when reopened.
    for (const t of [
      "product_sales_by_hour",
      "sales_by_minute",
      "product_sales_by_minute",
      "minute_rollup_coverage",
    ])
      await sql`drop table ${sql.table(t)}`.execute(fileStore.db);
    // Later migrations go too, undone, so that 0003 and 0004 run again in their order.
    await sql`drop table product_sales_totals`.execute(fileStore.db);
    await sql`drop table webhook_deliveries`.execute(fileStore.db);
    await sql`drop table webhooks`.execute(fileStore.db);
    await sql`drop table scenes`.execute(fileStore.db);
    await sql`drop table event_settings`.execute(fileStore.db);
    await sql`drop index transactions_source_date`.execute(fileStore.db);
    await sql`drop index transactions_merchant_external`.execute(fileStore.db);
    for (const [table, column] of [
      ["merchants", "source_settings"],
      ["merchants", "sync_state"],
      ["merchants", "source"],
      ["transactions", "source"],
      ["transactions", "external_id"],
      ...["total_failures", "last_failure", "last_failed_at", "skipped_rows", "skipped_rows_total"].map(
        (c) => ["merchants", c],
      ),
    ])
      await sql`alter table ${sql.table(table as string)} drop column ${sql.ref(column as string)}`.execute(
        fileStore.db,
      );
    await sql`delete from kysely_migration where name >= '0003'`.execute(fileStore.db);
    await fileStore.close();
    const reopened = await openDatabase(file);
    try {
      const hours = await reopened.db
        .selectFrom("product_sales_by_hour")
        .selectAll()
        .orderBy(["hour", "merchant_id", "product_id"])
        .execute();
      expect(hours).toEqual(incremental[0]);
      // Migration 0009 fills the all-time sums from the hours.
      const totals = await sql`select * from product_sales_totals order by 1, 2`.execute(reopened.db);
      expect(totals.rows).toEqual(incremental[3]);
      // Without poll times, the minutes start two hours before the newest sale (sold by the last poll).
      const coverage = await reopened.db
        .selectFrom("minute_rollup_coverage")
        .select("complete_from")
        .execute();
      expect(coverage[0]?.complete_from).toBeLessThanOrEqual(T0 + 354 * 60_000 - 2 * HOUR);
      expect(coverage[0]?.complete_from).toBeGreaterThan(T0 + 3 * HOUR);
      await expectSameAsRaw(reopened.db);
    } finally {
      await reopened.close();
    }
  });

  it("rounds each line's sats exactly as SQLite's round() does, halves included", async () => {
    const cases: [number, number][] = [
      [0.5, 1],
      [1.5, 1],
      [2.5, 1],
      [0.49999999999999994, 1],
      [0.1, 5],
      [0.3, 5],
      [1.005, 1000],
      [2.675, 100],
      [3, 1_234_567],
      [0.333, 3],
      [1e6, 4503599627],
    ];
    let seed = 5;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 200; i++) cases.push([Math.round(rand() * 1e4) / 1e3, Math.floor(rand() * 1e5)]);
    for (const [quantity, unitSats] of cases) {
      const row = await sql<{ v: number }>`select round(${quantity} * ${unitSats}) as v`.execute(store.db);
      expect(lineSats(quantity, unitSats), `${quantity} × ${unitSats}`).toBe(row.rows[0]?.v);
    }
  });
});
