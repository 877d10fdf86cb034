/**
 * Two writers storing the same keyed sales at once (two instances' polls of one BTCPay store, or a
 * poll and a webhook's): on PostgreSQL both used to decide the sales were new and one failed its whole
 * poll on the unique key. They take turns per merchant now; each sale is stored once, both succeed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { upsertMerchant } from "../src/store/merchants.js";
import type { KeyedSale } from "../src/store/poll-contents.js";
import { applySourcePoll } from "../src/store/source-poll.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";

const NOW = Date.UTC(2026, 11, 7, 14, 0, 0);

const sale = (key: string, saleId: number): KeyedSale => ({
  externalId: key,
  saleId,
  origin: "btcpay",
  date: NOW - 60_000,
  amountSats: 1500,
  fiatAmount: 7.5,
  currency: "eur",
  lines: [{ productId: 11, name: "Espresso", quantity: 3, unitSats: 500 }],
});

describe.each(ENGINES)("keyed sales stored by two writers at once on %s", (engine) => {
  let s: EngineStore;
  beforeEach(async () => {
    s = await openStore(engine);
    const settings = { base_url: "http://127.0.0.1:1", store_id: "store1", api_key: "k" };
    await upsertMerchant(
      s.db,
      { id: "m1", public_key: "store1", alias: "Coffee", source: "btcpay", source_settings: settings },
      NOW,
    );
  });
  afterEach(() => s.close());

  it("stores each sale once and fails neither poll", async () => {
    const parse = { sales: [sale("inv-a", 100), sale("inv-b", 200), sale("inv-c", 300)], withdrawn: [] };
    const results = await Promise.all(
      Array.from({ length: 4 }, () => applySourcePoll(s.db, "m1", { parse, state: { since: 1 } }, NOW)),
    );
    expect(results.map((r) => r?.storedCount).sort()).toEqual([0, 0, 0, 3]);
    const stored = await s.db
      .selectFrom("transactions")
      .select(["external_id"])
      .orderBy("external_id")
      .execute();
    expect(stored.map((r) => r.external_id)).toEqual(["inv-a", "inv-b", "inv-c"]);
    const totals = await s.db
      .selectFrom("merchants")
      .select(["total_transactions", "total_volume_sats"])
      .executeTakeFirstOrThrow();
    expect(totals).toEqual({ total_transactions: 3, total_volume_sats: 4500 });
  });
});
