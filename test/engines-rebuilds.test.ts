import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CHANGES } from "../src/store/access.js";
import { lineSats } from "../src/store/buckets.js";
import { rebuildDerived } from "../src/store/rollups.js";
import { addLinesToProducts, withdrawSales } from "../src/store/withdraw-sales.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";

/** The derived figures rebuilt from stored sales, and keyed sources' products, alike on each engine. */

const at = (iso: string) => Date.parse(iso);
const NOW = at("2026-12-01T12:00:00Z");

describe.each(ENGINES)("rebuilt figures on %s", (engine) => {
  let s: EngineStore;
  beforeEach(async () => {
    s = await openStore(engine);
    for (const id of ["a", "b"])
      await CHANGES.upsertMerchant(s.db, { input: { id, public_key: `pk_${id}`, alias: id }, now: NOW });
  });
  afterEach(async () => {
    await s.close();
  });

  async function sale(
    merchant: string,
    id: number,
    date: string,
    sats: number,
    fiat?: [number, string],
    externalId?: string,
  ) {
    await s.db
      .insertInto("transactions")
      .values({
        merchant_id: merchant,
        sale_id: id,
        sale_origin: "pos",
        sale_date: at(date),
        amount_sats: sats,
        fiat_amount: fiat?.[0] ?? null,
        currency: fiat?.[1] ?? null,
        created_at: NOW,
        external_id: externalId ?? null,
      })
      .execute();
  }
  const line = (merchant: string, saleId: number, productId: number, quantity: number, unitSats: number) =>
    s.db
      .insertInto("sale_lines")
      .values({
        merchant_id: merchant,
        sale_id: saleId,
        line_no: productId,
        product_id: productId,
        name: "p",
        quantity,
        unit_sats: unitSats,
      })
      .execute();
  const rows = (
    table: "sales_by_hour" | "sales_by_minute" | "product_sales_by_hour" | "product_sales_totals",
  ) =>
    s.db
      .selectFrom(table)
      .selectAll()
      .orderBy("merchant_id")
      .orderBy(
        table === "product_sales_totals" ? "product_id" : table === "sales_by_minute" ? "minute" : "hour",
      )
      .execute();

  async function storeSales() {
    await sale("a", 1, "2026-12-01T10:15:30Z", 100, [1.25, "EUR"]);
    await sale("a", 2, "2026-12-01T10:45:00Z", 200, [2.5, "EUR"]);
    await sale("a", 3, "1969-12-31T23:59:30Z", 50);
    await sale("b", 1, "2026-12-01T11:05:20Z", 4_000_000_000, [3, "USD"]);
    await sale("b", 2, "2026-12-01T11:05:40Z", 5_000_000_000);
    // 2.5 sats: half away from zero, as lineSats rounds it when a poll stores the line.
    await line("a", 1, 7, 0.5, 5);
    await line("a", 2, 7, 1, 200);
    await line("b", 1, 9, 2, 2_000_000_000);
  }

  test("rebuildDerived: running totals, fiat, hour, minute and product rollups from the sales", async () => {
    await storeSales();
    await rebuildDerived(s.db);
    const totals = await s.db
      .selectFrom("merchants")
      .select(["id", "total_transactions", "total_volume_sats"])
      .orderBy("id")
      .execute();
    expect(totals).toEqual([
      { id: "a", total_transactions: 3, total_volume_sats: 350 },
      { id: "b", total_transactions: 2, total_volume_sats: 9_000_000_000 },
    ]);
    expect(await s.db.selectFrom("fiat_totals").selectAll().orderBy("merchant_id").execute()).toEqual([
      { merchant_id: "a", currency: "EUR", amount: 3.75 },
      { merchant_id: "b", currency: "USD", amount: 3 },
    ]);
    const h = (iso: string) => at(iso);
    expect(await rows("sales_by_hour")).toEqual([
      { hour: h("1969-12-31T23:00:00Z"), merchant_id: "a", transactions: 1, volume_sats: 50 },
      { hour: h("2026-12-01T10:00:00Z"), merchant_id: "a", transactions: 2, volume_sats: 300 },
      { hour: h("2026-12-01T11:00:00Z"), merchant_id: "b", transactions: 2, volume_sats: 9_000_000_000 },
    ]);
    expect(lineSats(0.5, 5)).toBe(3);
    expect(await rows("product_sales_by_hour")).toEqual([
      { hour: h("2026-12-01T10:00:00Z"), merchant_id: "a", product_id: 7, transactions: 2, volume_sats: 203 },
      {
        hour: h("2026-12-01T11:00:00Z"),
        merchant_id: "b",
        product_id: 9,
        transactions: 1,
        volume_sats: 4_000_000_000,
      },
    ]);
    expect(await rows("product_sales_totals")).toEqual([
      { merchant_id: "a", product_id: 7, transactions: 2, volume_sats: 203 },
      { merchant_id: "b", product_id: 9, transactions: 1, volume_sats: 4_000_000_000 },
    ]);
    // Covered from two hours before the newest sale (11:05:20), at the next whole minute.
    const coverage = await s.db.selectFrom("minute_rollup_coverage").select("complete_from").execute();
    expect(coverage).toEqual([{ complete_from: h("2026-12-01T09:06:00Z") }]);
    expect(await rows("sales_by_minute")).toEqual([
      { minute: h("2026-12-01T10:15:00Z"), merchant_id: "a", transactions: 1, volume_sats: 100 },
      { minute: h("2026-12-01T10:45:00Z"), merchant_id: "a", transactions: 1, volume_sats: 200 },
      { minute: h("2026-12-01T11:05:00Z"), merchant_id: "b", transactions: 2, volume_sats: 9_000_000_000 },
    ]);
  });

  test("rebuildDerived keeps a minute coverage that polls already moved later", async () => {
    await storeSales();
    await s.db
      .updateTable("minute_rollup_coverage")
      .set({ complete_from: at("2026-12-01T10:30:00Z") })
      .execute();
    await rebuildDerived(s.db);
    const coverage = await s.db.selectFrom("minute_rollup_coverage").select("complete_from").execute();
    expect(coverage).toEqual([{ complete_from: at("2026-12-01T10:30:00Z") }]);
    expect((await rows("sales_by_minute")).map((r) => [r.merchant_id, r.transactions])).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });

  test("addLinesToProducts: created on first sight, added up after, the newest name wins", async () => {
    const fresh = (name: string, quantity: number) => ({
      saleId: 1,
      origin: "btcpay",
      date: NOW,
      amountSats: 300,
      fiatAmount: null,
      currency: "EUR",
      lines: [
        { productId: 5, name, quantity, unitSats: 100 },
        { productId: 5, name, quantity: 1, unitSats: 100 },
      ],
    });
    expect(await addLinesToProducts(s.db, "a", [], NOW)).toBe(false);
    expect(await addLinesToProducts(s.db, "a", [fresh("Tea", 2)], NOW)).toBe(true);
    expect(await addLinesToProducts(s.db, "a", [fresh("Green tea", 3)], NOW + 1)).toBe(true);
    expect(await s.db.selectFrom("products").selectAll().execute()).toEqual([
      {
        merchant_id: "a",
        product_id: 5,
        name: "Green tea",
        currency: "EUR",
        price: null,
        total_transactions: 2,
        total_units_sold: 7,
        total_revenue_sats: 700,
        active: 1,
        deleted: 0,
        updated_at: NOW + 1,
      },
    ]);
  });

  test("withdrawSales: a taken-back sale leaves every figure as if it had never been stored", async () => {
    const keyed = (
      saleId: number,
      date: string,
      sats: number,
      fiat: number,
      quantity: number,
      unitSats: number,
    ) => ({
      saleId,
      origin: "btcpay",
      date: at(date),
      amountSats: sats,
      fiatAmount: fiat,
      currency: "EUR",
      lines: [{ productId: 7, name: "Tea", quantity, unitSats }],
    });
    const sales = [
      keyed(1, "2026-12-01T10:15:30Z", 100, 1.25, 2, 50),
      keyed(2, "2026-12-01T10:45:00Z", 200, 2.5, 1, 200),
    ];
    for (const x of sales) {
      await sale(
        "a",
        x.saleId,
        new Date(x.date).toISOString(),
        x.amountSats,
        [x.fiatAmount, "EUR"],
        `inv${x.saleId}`,
      );
      await line("a", x.saleId, 7, x.lines[0]?.quantity ?? 0, x.lines[0]?.unitSats ?? 0);
    }
    await addLinesToProducts(s.db, "a", sales, NOW);
    await rebuildDerived(s.db);
    const taken = [
      { externalId: "inv1", saleId: 1, reason: "invalid" },
      { externalId: "unknown", saleId: 9, reason: "invalid" },
    ];
    expect(await withdrawSales(s.db, s.db.pollWrites(s.db), "a", taken)).toBe(1);
    const merchant = await s.db
      .selectFrom("merchants")
      .select(["total_transactions", "total_volume_sats"])
      .where("id", "=", "a")
      .executeTakeFirstOrThrow();
    expect(merchant).toEqual({ total_transactions: 1, total_volume_sats: 200 });
    expect(await s.db.selectFrom("fiat_totals").select(["currency", "amount"]).execute()).toEqual([
      { currency: "EUR", amount: 2.5 },
    ]);
    expect(await rows("sales_by_hour")).toEqual([
      { hour: at("2026-12-01T10:00:00Z"), merchant_id: "a", transactions: 1, volume_sats: 200 },
    ]);
    expect((await rows("sales_by_minute")).map((r) => [r.minute, r.transactions, r.volume_sats])).toEqual([
      [at("2026-12-01T10:15:00Z"), 0, 0],
      [at("2026-12-01T10:45:00Z"), 1, 200],
    ]);
    expect(await rows("product_sales_totals")).toEqual([
      { merchant_id: "a", product_id: 7, transactions: 1, volume_sats: 200 },
    ]);
    const product = await s.db
      .selectFrom("products")
      .select(["total_transactions", "total_units_sold", "total_revenue_sats"])
      .executeTakeFirstOrThrow();
    expect(product).toEqual({ total_transactions: 1, total_units_sold: 1, total_revenue_sats: 200 });
    expect(await s.db.selectFrom("transactions").select(["sale_id", "external_id"]).execute()).toEqual([
      { sale_id: 2, external_id: "inv2" },
    ]);
    expect(await s.db.selectFrom("sale_lines").select("sale_id").execute()).toEqual([{ sale_id: 2 }]);
  });
});
