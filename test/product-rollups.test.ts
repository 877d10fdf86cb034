import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { getProductLeaderboard, type Metric } from "../src/store/dashboard.js";
import { type Db, type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import type { IncomingSale, ProductFigures } from "../src/store/poll-contents.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { lineSats, rebuildDerived } from "../src/store/rollups.js";

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

/** Windows starting on, just before and just after hour boundaries, and mid-hour. */
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
  T0 + HOUR,
];

async function expectSameAsRaw(db: Db) {
  for (const since of windowStarts)
    for (const metric of ["transactions", "volume"] as const)
      for (const limit of [3, 100]) {
        const rolled = await getProductLeaderboard(db, { metric, sinceMs: since, limit });
        expect(rolled, `since ${new Date(since).toISOString()} by ${metric}, top ${limit}`).toEqual(
          await rawLeaderboard(db, metric, since, limit),
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

  it("is kept up by ingest exactly as rebuildDerived and the migration's back-fill recompute it", async () => {
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
    for (let round = 0; round < 60; round++) {
      const m = merchants[Math.floor(rand() * merchants.length)] as string;
      const sales = history.get(m) ?? [];
      for (let i = Math.floor(rand() * 8); i > 0; i--) {
        const lines: [number, number, number][] = Array.from({ length: Math.floor(rand() * 4) }, () => [
          1 + Math.floor(rand() * 6),
          rand() < 0.3 ? Math.round(rand() * 400) / 100 : 1 + Math.floor(rand() * 3),
          Math.floor(rand() * 5000),
        ]);
        sales.push(sale(sales.length + 1, T0 - Math.floor(rand() * 6 * HOUR) + 2 * HOUR, lines));
      }
      const served = sales.filter(() => rand() > 0.15);
      await applyPoll(
        fileStore.db,
        m,
        { sales: served, products: [1, 2, 3, 4, 5, 6].map((p) => product(p)) },
        T0,
      );
    }
    const rollup = () =>
      fileStore.db
        .selectFrom("product_sales_by_hour")
        .selectAll()
        .orderBy("hour")
        .orderBy("merchant_id")
        .orderBy("product_id")
        .execute();
    const incremental = await rollup();
    expect(incremental.length).toBeGreaterThan(40);
    await expectSameAsRaw(fileStore.db);
    await rebuildDerived(fileStore.db);
    expect(await rollup()).toEqual(incremental);

    // A database from before the rollup: the migration fills it from the stored lines when reopened.
    await sql`drop table product_sales_by_hour`.execute(fileStore.db);
    await sql`delete from kysely_migration where name = '0003_product_rollups'`.execute(fileStore.db);
    await fileStore.close();
    const reopened = await openDatabase(file);
    try {
      const backFilled = await reopened.db
        .selectFrom("product_sales_by_hour")
        .selectAll()
        .orderBy("hour")
        .orderBy("merchant_id")
        .orderBy("product_id")
        .execute();
      expect(backFilled).toEqual(incremental);
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
