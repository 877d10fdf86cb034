import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedDatabase, openDatabase, type PollWritesOn } from "./db.js";
import { upsertMerchant } from "./merchants.js";
import type { IncomingSale } from "./poll-contents.js";
import type { PollWrites } from "./poll-seam.js";
import { applyPoll } from "./poll-transaction.js";
import { nothingStoredYet, storeSaleBatch } from "./sale-batches.js";
import { createWebhook } from "./webhooks.js";

const NOW = Date.UTC(2026, 10, 10, 14, 0, 0);

const sale = (saleId: number): IncomingSale => ({
  saleId,
  origin: "pos",
  date: NOW - 60_000 * saleId,
  amountSats: 1000,
  fiatAmount: 5,
  currency: "eur",
  lines: [{ productId: 7, name: "Tea", quantity: 1, unitSats: 1000 }],
});
const sales = (...ids: number[]) => ids.map(sale);

/**
 * What a second instance on the same database does to this one: it stored the sales after this
 * instance looked (here: the look says nothing is stored), so they reach insertSales all the same.
 */
function blindToStoredSales(opened: OpenedDatabase): void {
  const db = opened.db as { pollWrites: PollWritesOn };
  const real = db.pollWrites;
  db.pollWrites = (on) => {
    const pw: PollWrites = Object.create(real(on));
    pw.maxSaleId = async () => null;
    return pw;
  };
}

describe("sales stored meanwhile by another writer", () => {
  let opened: OpenedDatabase;
  beforeEach(async () => {
    opened = await openDatabase(":memory:");
    await upsertMerchant(opened.db, { id: "m1", public_key: "k1", alias: "Tea" }, NOW);
    await createWebhook(
      opened.db,
      { url: "http://127.0.0.1:9/hook", secret: "s".repeat(32), events: ["sale"] },
      NOW - 86_400_000,
    );
  });
  afterEach(() => opened.close());

  const figures = async () => {
    const row = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(opened.db)).rows[0]?.n;
    return {
      sales: await row(sql`select count(*) as n from transactions`),
      lines: await row(sql`select count(*) as n from sale_lines`),
      totals: await row(sql`select total_transactions as n from merchants where id = 'm1'`),
      volume: await row(sql`select total_volume_sats as n from merchants where id = 'm1'`),
      fiat: await row(sql`select amount as n from fiat_totals where merchant_id = 'm1'`),
      hours: await row(sql`select sum(transactions) as n from sales_by_hour`),
      minutes: await row(sql`select sum(transactions) as n from sales_by_minute`),
      productHours: await row(sql`select sum(transactions) as n from product_sales_by_hour`),
      productTotal: await row(sql`select transactions as n from product_sales_totals`),
      deliveries: await row(sql`select count(*) as n from webhook_deliveries`),
    };
  };
  const counted = (n: number) => ({
    sales: n,
    lines: n,
    totals: n,
    volume: 1000 * n,
    fiat: 5 * n,
    hours: n,
    minutes: n,
    productHours: n,
    productTotal: n,
    deliveries: n,
  });

  it("insertSales answers only the sales it inserted, once each", async () => {
    const pw = opened.db.pollWrites(opened.db);
    const first = sales(1, 2);
    expect(await pw.insertSales("m1", first, NOW)).toBe(first);
    const inserted = await pw.insertSales("m1", sales(3, 2, 3, 1, 4), NOW);
    expect(inserted.map((s) => s.saleId)).toEqual([3, 4]);
  });

  it("counts a poll's sale stored meanwhile once: totals, rollups, outbox, ticker", async () => {
    await applyPoll(opened.db, "m1", { sales: sales(3, 2, 1), products: [] }, NOW);
    expect(await figures()).toEqual(counted(3));
    blindToStoredSales(opened);
    const result = await applyPoll(
      opened.db,
      "m1",
      { sales: sales(5, 4, 3, 2, 1), products: [] },
      NOW + 1000,
    );
    expect(result?.storedCount).toBe(2);
    expect(result?.newSales.map((s) => s.sale_id)).toEqual([4, 5]);
    expect(await figures()).toEqual(counted(5));
  });

  it("counts a streamed batch's sale stored meanwhile once", async () => {
    const stored = nothingStoredYet();
    await storeSaleBatch(opened.db, "m1", sales(2, 1), NOW, stored);
    blindToStoredSales(opened);
    await storeSaleBatch(opened.db, "m1", sales(3, 2, 1), NOW, stored);
    expect(stored.count).toBe(3);
    expect(stored.newest.map((s) => s.saleId).sort()).toEqual([1, 2, 3]);
    expect(await figures()).toEqual(counted(3));
  });
});
