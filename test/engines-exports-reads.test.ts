import { afterAll, beforeAll, describe, it } from "vitest";
import type { Db } from "../src/store/db.js";
import { type ExportBatchArgs, readExportBatch } from "../src/store/exports.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";
import { expectAnswer, expectNumbers } from "./support/read-expect.js";
import { BEFORE_1970, HOUR, MINUTE, NOW, seedReads } from "./support/read-fixture.js";

/*
 * The admin exports (keyset batches of sales, lines, products, triggers) on SQLite and PostgreSQL: the
 * same rows (read-fixture.ts) give the same fixed answers, cursors included.
 */

const batch = (db: Db, kind: ExportBatchArgs["kind"], more: Partial<ExportBatchArgs> = {}) =>
  readExportBatch(db, { kind, filter: {}, after: null, limit: 10, ...more });
const ids = (rows: readonly unknown[]) => rows.map((r) => (r as { sale_id: number }).sale_id);
const line = (
  merchant_id: string,
  sale_id: number,
  line_no: number,
  product_id: number,
  name: string,
  quantity: number,
  unit_sats: number,
  line_sats: number,
  sale_date: string,
) => ({
  merchant_id,
  sale_id,
  line_no,
  product_id,
  name,
  quantity,
  unit_sats,
  line_sats,
  sale_date,
  source: "pwf",
});
describe.each(ENGINES)("export reads on %s", (engine) => {
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

  it("sales by (sale_date, id) in batches: 1969 first, two sales at one instant split by the cursor", async () => {
    const first = await batch(db, "sales", { limit: 4 });
    expectAnswer(
      first.rows.map((r) => [(r as { merchant_id: string }).merchant_id, (r as { sale_id: number }).sale_id]),
      [
        ["alpha", 3],
        ["beta", 7],
        ["wifi1", 1],
        ["wifi1", 2],
      ],
    );
    expectAnswer(first.next, [NOW - 90_000, 6]);
    const second = await batch(db, "sales", { limit: 1, after: first.next });
    expectAnswer(second.rows, [
      {
        sale_id: 1,
        merchant_id: "alpha",
        merchant_alias: "Alpha",
        amount_sats: 2_500_000_000,
        sale_date: "2025-11-10T15:30:10Z",
        fiat_amount: 12.5,
        currency: "usd",
        source: "pwf",
      },
    ]);
    expectAnswer(second.next, [NOW - 20_000, 1]);
    const last = await batch(db, "sales", { limit: 1, after: second.next });
    expectAnswer(last.rows, [
      {
        sale_id: 2,
        merchant_id: "alpha",
        merchant_alias: "Alpha",
        amount_sats: 2_000_000_000,
        sale_date: "2025-11-10T15:30:10Z",
        source: "pwf",
      },
    ]);
    expectNumbers(...(last.next ?? []));
    expectAnswer((await batch(db, "sales", { limit: 1, after: last.next })).next, null);
  });

  it("sales filtered by time, source and merchant (a merchant's source without the source index)", async () => {
    expectAnswer(
      ids(
        (await batch(db, "sales", { filter: { source: "wifi", fromMs: NOW - HOUR, toMs: NOW - 2 * MINUTE } }))
          .rows,
      ),
      [1],
    );
    expectAnswer(
      ids((await batch(db, "sales", { filter: { merchantId: "alpha", source: "pwf" } })).rows),
      [3, 1, 2],
    );
    expectAnswer((await batch(db, "sales", { filter: { merchantId: "alpha", source: "wifi" } })).rows, []);
    expectAnswer(ids((await batch(db, "sales", { filter: { toMs: 0 } })).rows), [3]);
  });

  it("lines by (sale_date, sale, line) with their sats rounded as SQLite rounds: 2.5 is 3, 1.5 is 2", async () => {
    const first = await batch(db, "lines", { limit: 3 });
    const beta = "2025-11-10T12:30:30Z";
    expectAnswer(first, {
      rows: [
        line("alpha", 3, 1, 2, "Tea", 1, 500_000_000, 500_000_000, "1969-07-20T20:17:40Z"),
        line("beta", 7, 1, 9, "Cake", 3, 411, 1233, beta),
        line("beta", 7, 2, 9, "Cake", 0.5, 3, 2, beta),
      ],
      next: [NOW - 3 * HOUR, 4, 2],
    });
    const second = await batch(db, "lines", { limit: 3, after: first.next });
    const alpha = "2025-11-10T15:30:10Z";
    expectAnswer(second, {
      rows: [
        line("alpha", 1, 1, 1, "Coffee", 0.5, 5, 3, alpha),
        line("alpha", 1, 2, 2, "Tea", 1, 2_499_999_997, 2_499_999_997, alpha),
        line("alpha", 2, 1, 1, "Coffee", 1, 2_000_000_000, 2_000_000_000, alpha),
      ],
      next: [NOW - 20_000, 2, 1],
    });
    expectNumbers(...second.rows.map((r) => (r as { line_sats: number }).line_sats));
    expectAnswer(await batch(db, "lines", { limit: 3, after: second.next }), { rows: [], next: null });
    expectAnswer((await batch(db, "lines", { filter: { fromMs: BEFORE_1970 + 1 }, limit: 1 })).next, [
      NOW - 3 * HOUR,
      4,
      1,
    ]);
  });

  it("a line above 2^52 sats is kept as it is, as SQLite's round() keeps it (adding a half would tie to even)", async () => {
    const sats = 2 ** 52 + 1;
    const when = NOW - HOUR;
    await db
      .insertInto("merchants")
      .values({
        id: "huge",
        public_key: "k",
        alias: "Huge",
        enabled: 0,
        last_polled_at: null,
        last_error: null,
        body_digest: null,
        source_settings: null,
        sync_state: null,
        last_failure: null,
        last_failed_at: null,
        created_at: when,
        updated_at: when,
      })
      .execute();
    try {
      await db
        .insertInto("transactions")
        .values({
          merchant_id: "huge",
          sale_id: 1,
          sale_origin: "pos",
          sale_date: when,
          amount_sats: sats,
          fiat_amount: null,
          currency: null,
          created_at: when,
          external_id: null,
        })
        .execute();
      await db
        .insertInto("sale_lines")
        .values({
          merchant_id: "huge",
          sale_id: 1,
          line_no: 1,
          product_id: 1,
          name: "Island",
          quantity: 1,
          unit_sats: sats,
        })
        .execute();
      const lines = await batch(db, "lines", { filter: { merchantId: "huge" } });
      expectAnswer(
        lines.rows.map((r) => (r as { line_sats: number }).line_sats),
        [4_503_599_627_370_497],
      );
    } finally {
      await db.deleteFrom("merchants").where("id", "=", "huge").execute();
    }
  });

  it("products by (merchant, product), deleted ones too, flags as booleans", async () => {
    const first = await batch(db, "products", { limit: 3 });
    expectAnswer(first.rows[0], {
      merchant_id: "alpha",
      product_id: 1,
      name: "Coffee",
      currency: "usd",
      price: "3.50",
      total_transactions: 5,
      total_units_sold: 7,
      total_revenue_sats: 2_000_000_010,
      active: true,
      deleted: false,
      updated_at: "2025-11-10T15:29:30Z",
      source: "pwf",
    });
    expectAnswer(
      first.rows.map((r) => [(r as { product_id: number }).product_id, (r as { deleted: boolean }).deleted]),
      [
        [1, false],
        [2, false],
        [3, true],
      ],
    );
    expectAnswer(first.next, ["alpha", 3]);
    const second = await batch(db, "products", { limit: 3, after: first.next });
    expectAnswer(
      second.rows.map((r) => (r as { name: string }).name),
      ["Cake", "Pie", "Unsold"],
    );
    expectAnswer((await batch(db, "products", { after: second.next })).rows, []);
    expectAnswer((await batch(db, "products", { filter: { source: "wifi" } })).rows, []);
    expectAnswer((await batch(db, "products", { filter: { merchantId: "beta" } })).rows.length, 3);
  });

  it("triggers by (triggered_at, id): two fired at one instant, in id order", async () => {
    const first = await batch(db, "triggers", { limit: 2 });
    expectAnswer(
      first.rows.map((r) => (r as { id: number }).id),
      [3, 1],
    );
    expectAnswer(first.next, [NOW - 20_000, 1]);
    expectAnswer(await batch(db, "triggers", { limit: 2, after: first.next }), {
      rows: [
        {
          id: 2,
          milestone_id: 2,
          name: "Two billion",
          type: "volume",
          threshold: 2_000_000_000,
          triggered_at: "2025-11-10T15:30:10Z",
          total_transactions: 2,
          total_volume_sats: 4_500_000_000,
        },
      ],
      next: null,
    });
    expectAnswer((await batch(db, "triggers", { filter: { fromMs: NOW - HOUR, toMs: NOW } })).rows.length, 2);
  });
});
