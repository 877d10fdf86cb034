import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedDatabase, openDatabase } from "./db.js";
import { upsertMerchant } from "./merchants.js";
import type { KeyedSale } from "./poll-contents.js";
import { getProductLeaderboard } from "./product-leaderboard.js";
import { applySourcePoll } from "./source-poll.js";

const NOW = Date.UTC(2026, 10, 10, 14, 0, 0);

function sale(key: string, saleId: number, over: Partial<KeyedSale> = {}): KeyedSale {
  return {
    externalId: key,
    saleId,
    origin: "btcpay",
    date: NOW - 60_000,
    amountSats: 1500,
    fiatAmount: 7.5,
    currency: "eur",
    lines: [{ productId: 11, name: "Espresso", quantity: 3, unitSats: 500 }],
    ...over,
  };
}

const nothing = { sales: [], withdrawn: [] };

describe("applySourcePoll (a keyed source's poll in one transaction)", () => {
  let opened: OpenedDatabase;
  beforeEach(async () => {
    opened = await openDatabase(":memory:");
    await upsertMerchant(
      opened.db,
      {
        id: "m1",
        public_key: "store1",
        alias: "Coffee",
        source: "btcpay",
        source_settings: { base_url: "http://127.0.0.1:1", store_id: "store1", api_key: "k" },
      },
      NOW,
    );
  });
  afterEach(() => opened.close());

  const figures = async () => {
    const db = opened.db;
    const m = await db
      .selectFrom("merchants")
      .select(["total_transactions", "total_volume_sats", "sync_state", "last_polled_at"])
      .where("id", "=", "m1")
      .executeTakeFirstOrThrow();
    const hour = await sql<{ n: number; v: number }>`
      select coalesce(sum(transactions), 0) as n, coalesce(sum(volume_sats), 0) as v from sales_by_hour`.execute(
      db,
    );
    const minute = await sql<{ n: number }>`
      select coalesce(sum(transactions), 0) as n from sales_by_minute`.execute(db);
    const productHour = await sql<{ v: number }>`
      select coalesce(sum(volume_sats), 0) as v from product_sales_by_hour`.execute(db);
    const productTotal = await sql<{ v: number }>`
      select coalesce(sum(volume_sats), 0) as v from product_sales_totals`.execute(db);
    const fiat = await sql<{ a: number }>`select coalesce(sum(amount), 0) as a from fiat_totals`.execute(db);
    const product = await db
      .selectFrom("products")
      .selectAll()
      .where("product_id", "=", 11)
      .executeTakeFirst();
    const lines = await sql<{ n: number }>`select count(*) as n from sale_lines`.execute(db);
    return {
      transactions: m.total_transactions,
      sats: m.total_volume_sats,
      state: m.sync_state,
      polled: m.last_polled_at,
      hour: hour.rows[0],
      minute: minute.rows[0]?.n,
      productHourSats: productHour.rows[0]?.v,
      productTotalSats: productTotal.rows[0]?.v,
      fiat: fiat.rows[0]?.a,
      product: product && {
        transactions: product.total_transactions,
        units: product.total_units_sold,
        sats: product.total_revenue_sats,
      },
      lines: lines.rows[0]?.n,
    };
  };

  it("stores new sales with source and external id, adds products from lines, and keeps the state", async () => {
    const result = await applySourcePoll(
      opened.db,
      "m1",
      { parse: { sales: [sale("inv-a", 100), sale("inv-b", 200)], withdrawn: [] }, state: { since: 5 } },
      NOW,
    );
    expect(result?.storedCount).toBe(2);
    expect(result?.newSales.map((r) => [r.source, r.external_id])).toEqual([
      ["btcpay", "inv-b"],
      ["btcpay", "inv-a"],
    ]);
    const rows = await opened.db
      .selectFrom("transactions")
      .select(["sale_id", "source", "external_id", "amount_sats", "fiat_amount", "currency"])
      .orderBy("sale_id")
      .execute();
    expect(rows).toEqual([
      {
        sale_id: 100,
        source: "btcpay",
        external_id: "inv-a",
        amount_sats: 1500,
        fiat_amount: 7.5,
        currency: "eur",
      },
      {
        sale_id: 200,
        source: "btcpay",
        external_id: "inv-b",
        amount_sats: 1500,
        fiat_amount: 7.5,
        currency: "eur",
      },
    ]);
    expect(await figures()).toMatchObject({
      transactions: 2,
      sats: 3000,
      state: '{"since":5}',
      polled: NOW,
      hour: { n: 2, v: 3000 },
      minute: 2,
      productHourSats: 3000,
      fiat: 15,
      product: { transactions: 2, units: 6, sats: 3000 },
      lines: 2,
    });
    const board = await getProductLeaderboard(opened.db, {
      metric: "volume",
      sinceMs: NOW - 3_600_000,
      limit: 5,
    });
    expect(board).toEqual([
      { merchant_id: "m1", product_id: 11, name: "Espresso", transactions: 2, volume_sats: 3000 },
    ]);
  });

  it("stores a key once however often it is polled", async () => {
    const poll = { parse: { sales: [sale("inv-a", 100)], withdrawn: [] }, state: null };
    await applySourcePoll(opened.db, "m1", poll, NOW);
    const again = await applySourcePoll(
      opened.db,
      "m1",
      { ...poll, parse: { sales: [sale("inv-a", 100)], withdrawn: [] } },
      NOW + 1000,
    );
    expect(again).toMatchObject({ storedCount: 0, changed: false, withdrawnCount: 0 });
    expect(await figures()).toMatchObject({ transactions: 1, sats: 1500, product: { transactions: 1 } });
  });

  it("gives a second key wanting a number already held the next free one", async () => {
    await applySourcePoll(
      opened.db,
      "m1",
      { parse: { sales: [sale("inv-a", 100), sale("inv-c", 101)], withdrawn: [] }, state: null },
      NOW,
    );
    const r = await applySourcePoll(
      opened.db,
      "m1",
      { parse: { sales: [sale("inv-b", 100)], withdrawn: [] }, state: null },
      NOW,
    );
    expect(r?.newSales.map((s) => s.sale_id)).toEqual([102]);
    const ids = await opened.db
      .selectFrom("transactions")
      .select(["sale_id", "external_id"])
      .orderBy("sale_id")
      .execute();
    expect(ids).toEqual([
      { sale_id: 100, external_id: "inv-a" },
      { sale_id: 101, external_id: "inv-c" },
      { sale_id: 102, external_id: "inv-b" },
    ]);
  });

  it("removes a withdrawn sale with everything it added, and ignores one it never stored", async () => {
    await applySourcePoll(
      opened.db,
      "m1",
      { parse: { sales: [sale("inv-a", 100), sale("inv-b", 200)], withdrawn: [] }, state: null },
      NOW,
    );
    const r = await applySourcePoll(
      opened.db,
      "m1",
      {
        parse: {
          sales: [],
          withdrawn: [
            { externalId: "inv-a", saleId: 100, reason: "marked invalid" },
            { externalId: "inv-never", saleId: 5, reason: "marked invalid" },
          ],
        },
        state: null,
      },
      NOW + 1000,
    );
    expect(r).toMatchObject({ withdrawnCount: 1, changed: true, storedCount: 0 });
    expect(await figures()).toMatchObject({
      transactions: 1,
      sats: 1500,
      hour: { n: 1, v: 1500 },
      minute: 1,
      productHourSats: 1500,
      productTotalSats: 1500,
      fiat: 7.5,
      product: { transactions: 1, units: 3, sats: 1500 },
      lines: 1,
    });
    // Withdrawn once, it may come back settled (marked again): stored anew.
    const back = await applySourcePoll(
      opened.db,
      "m1",
      { parse: { sales: [sale("inv-a", 100)], withdrawn: [] }, state: null },
      NOW + 2000,
    );
    expect(back?.storedCount).toBe(1);
    expect(await figures()).toMatchObject({ transactions: 2, sats: 3000 });
  });

  it("stores nothing for a merchant deleted meanwhile", async () => {
    await opened.db.deleteFrom("merchants").where("id", "=", "m1").execute();
    expect(await applySourcePoll(opened.db, "m1", { parse: nothing, state: null }, NOW)).toBeUndefined();
    expect(await opened.db.selectFrom("transactions").select("id").execute()).toEqual([]);
  });
});
