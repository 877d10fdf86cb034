import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChange } from "../src/store/access.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { deleteMerchant, recordPollFailure, upsertMerchant } from "../src/store/merchants.js";
import { createMilestone } from "../src/store/milestones.js";
import { writePollTimes } from "../src/store/poll-times.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { rebuildDerived } from "../src/store/rollups.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { posBody, saleRow } from "./support/upstream.js";

let store: OpenedDatabase;
beforeEach(async () => {
  store = await openDatabase(":memory:");
});
afterEach(async () => {
  await store.close();
});

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "000+00:00");
const T0 = Date.parse("2025-11-10T12:00:00Z");

function payload(
  sales: { id: number; sats: number; at?: number; lines?: unknown[] }[],
  products: unknown[] = [],
) {
  return parsePosPayload(
    posBody(
      sales.map((s) => saleRow(s.id, s.sats, iso(s.at ?? T0), s.lines ?? [])),
      products,
    ),
  );
}

async function addMerchant(id: string) {
  await upsertMerchant(store.db, { id, public_key: "k", alias: id }, T0);
}

async function dump() {
  const db = store.db;
  return {
    merchants: await db
      .selectFrom("merchants")
      .select(["id", "total_transactions", "total_volume_sats"])
      .orderBy("id")
      .execute(),
    sales: await db
      .selectFrom("transactions")
      .select(["merchant_id", "sale_id", "amount_sats"])
      .orderBy("id")
      .execute(),
    lines: await db.selectFrom("sale_lines").selectAll().orderBy("merchant_id").orderBy("sale_id").execute(),
    products: await db
      .selectFrom("products")
      .selectAll()
      .orderBy("merchant_id")
      .orderBy("product_id")
      .execute(),
    fiat: await db.selectFrom("fiat_totals").selectAll().orderBy("merchant_id").execute(),
    triggers: await db.selectFrom("milestone_triggers").selectAll().execute(),
  };
}

/** Totals recounted from the stored sales, the slow way the running totals must always equal. */
async function recount() {
  const rows = await sql<{ id: string; n: number; v: number }>`
    select m.id, count(t.id) as n, coalesce(sum(t.amount_sats), 0) as v
    from merchants m left join transactions t on t.merchant_id = m.id group by m.id order by m.id`.execute(
    store.db,
  );
  return rows.rows.map((r) => ({ id: r.id, total_transactions: r.n, total_volume_sats: r.v }));
}

describe("applyPoll", () => {
  it("is idempotent: the same payload twice changes nothing", async () => {
    await addMerchant("173");
    const p = payload(
      [
        {
          id: 1,
          sats: 977,
          lines: [{ ProductID: 5, ProductName: "Espresso", ProductPriceSats: 44, Quantity: 2 }],
        },
        { id: 2, sats: 9 },
      ],
      [
        {
          productid: 5,
          name: "Espresso",
          total_transactions: 1,
          total_units_sold: 2,
          total_revenue_sats: "88",
        },
      ],
    );
    const first = await applyPoll(store.db, "173", p, T0);
    const before = await dump();
    const second = await applyPoll(store.db, "173", p, T0 + 1000);
    expect(first?.newSales).toHaveLength(2);
    expect(second?.newSales).toEqual([]);
    expect([first?.changed, second?.changed]).toEqual([true, false]);
    expect(await dump()).toEqual(before);
    expect(before.merchants).toEqual([{ id: "173", total_transactions: 2, total_volume_sats: 986 }]);
    expect(before.lines).toEqual([
      {
        merchant_id: "173",
        sale_id: 1,
        line_no: 0,
        product_id: 5,
        name: "Espresso",
        quantity: 2,
        unit_sats: 44,
      },
    ]);
  });

  it("returns the newest 100 stored sales, newest first, whatever the upstream order", async () => {
    await addMerchant("173");
    let seed = 3;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    // 300 sales, dates with many ties (ids break them), served in random order.
    const sales = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      sats: 10,
      at: T0 - Math.floor(rand() * 40) * 60_000,
    })).sort(() => rand() - 0.5);
    const result = await applyPoll(store.db, "173", payload(sales), T0);
    const expected = [...sales]
      .sort((a, b) => b.at - a.at || b.id - a.id)
      .slice(0, 100)
      .map((s) => s.id);
    expect(result?.storedCount).toBe(300);
    expect(result?.newSales.map((s) => s.sale_id)).toEqual(expected);
  });

  it("stores a newest-first history oldest first, with its lines, and any other order as it came", async () => {
    await addMerchant("m1");
    await addMerchant("m2");
    const line = (productId: number) => ({
      ProductID: productId,
      ProductName: "p",
      Quantity: 1,
      ProductPriceSats: 5,
    });
    const newestFirst = [5, 4, 3, 2, 1].map((id) => ({
      id,
      sats: id * 10,
      lines: [line(id), line(id + 10)],
    }));
    await applyPoll(store.db, "m1", payload(newestFirst), T0);
    await applyPoll(store.db, "m2", payload([1, 3, 2].map((id) => ({ id, sats: id }))), T0);
    const rows = await store.db
      .selectFrom("transactions")
      .select(["merchant_id", "sale_id"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => `${r.merchant_id}:${r.sale_id}`)).toEqual([
      "m1:1",
      "m1:2",
      "m1:3",
      "m1:4",
      "m1:5",
      "m2:1",
      "m2:3",
      "m2:2",
    ]);
    const lines = await store.db
      .selectFrom("sale_lines")
      .selectAll()
      .where("merchant_id", "=", "m1")
      .execute();
    expect(lines).toHaveLength(10);
    for (const l of lines) expect([l.sale_id, l.sale_id + 10]).toContain(l.product_id);
    const { merchants } = await dump();
    expect(merchants.find((m) => m.id === "m1")).toMatchObject({
      total_transactions: 5,
      total_volume_sats: 150,
    });
  });

  it("keeps the same sale id at two merchants apart", async () => {
    await addMerchant("a");
    await addMerchant("b");
    await applyPoll(store.db, "a", payload([{ id: 1, sats: 10 }]), T0);
    await applyPoll(store.db, "b", payload([{ id: 1, sats: 20 }]), T0);
    expect((await dump()).sales).toEqual([
      { merchant_id: "a", sale_id: 1, amount_sats: 10 },
      { merchant_id: "b", sale_id: 1, amount_sats: 20 },
    ]);
  });

  it("replaces cumulative product figures with the newest poll's", async () => {
    await addMerchant("a");
    const product = (n: number, active: boolean) => ({
      productid: 5,
      name: `v${n}`,
      total_transactions: n,
      total_units_sold: n,
      total_revenue_sats: String(n * 10),
      activestatus: active,
    });
    await applyPoll(store.db, "a", payload([], [product(1, true)]), T0);
    expect((await applyPoll(store.db, "a", payload([], [product(1, true)]), T0))?.changed).toBe(false);
    expect((await applyPoll(store.db, "a", payload([], [product(3, false)]), T0))?.changed).toBe(true);
    expect((await dump()).products).toMatchObject([
      { name: "v3", total_transactions: 3, total_revenue_sats: 30, active: 0 },
    ]);
  });

  it("returns undefined and stores nothing for a merchant deleted during its poll", async () => {
    expect(await applyPoll(store.db, "gone", payload([{ id: 1, sats: 5 }]), T0)).toBeUndefined();
    expect((await dump()).sales).toEqual([]);
  });

  it("keeps running totals and hourly rollups equal to a full recount through random ingests and deletions", async () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const merchants = ["m1", "m2", "m3", "m4"];
    for (const m of merchants) await addMerchant(m);
    type Sale = { id: number; sats: number; at: number };
    const history = new Map<string, Sale[]>(merchants.map((m) => [m, []]));
    const everServed = new Map<string, Set<number>>(merchants.map((m) => [m, new Set()]));
    for (let round = 0; round < 80; round++) {
      const m = merchants[Math.floor(rand() * merchants.length)] as string;
      const sales = history.get(m) ?? [];
      const fresh = Math.floor(rand() * 6);
      for (let i = 0; i < fresh; i++) {
        // Spread over three days so the hourly rollup has many rows.
        const at = T0 - Math.floor(rand() * 72) * 3_600_000 - Math.floor(rand() * 3_600_000);
        sales.push({ id: sales.length + 1, sats: Math.floor(rand() * 50_000), at });
      }
      history.set(m, sales);
      // Upstream returns the whole history, in any order, sometimes with sales missing that come back
      // in a later poll (ids below the highest stored one that were never stored), sometimes only the
      // newest sales (a reset).
      const reset = rand() < 0.1;
      const served = (reset ? sales.slice(-2) : sales.filter(() => rand() > 0.2)).sort(() => rand() - 0.5);
      const result = await applyPoll(store.db, m, payload(served), T0 + round);
      if (!result) await addMerchant(m);
      else for (const s of served) everServed.get(m)?.add(s.id);
      if (round === 40) {
        await deleteMerchant(store.db, "m2");
        history.set("m2", []);
        everServed.set("m2", new Set());
      }
    }
    const stored = (await dump()).merchants;
    expect(stored).toEqual(await recount());
    expect(stored.reduce((n, m) => n + m.total_transactions, 0)).toBeGreaterThan(80);
    // Every sale ever served is stored, once.
    for (const m of merchants) {
      const ids = (await dump()).sales.filter((s) => s.merchant_id === m).map((s) => s.sale_id);
      expect(ids.sort((a, b) => a - b)).toEqual([...(everServed.get(m) ?? [])].sort((a, b) => a - b));
    }

    const hourly = () =>
      store.db.selectFrom("sales_by_hour").selectAll().orderBy("hour").orderBy("merchant_id").execute();
    const recounted = await sql<{
      hour: number;
      merchant_id: string;
      transactions: number;
      volume_sats: number;
    }>`
      select (sale_date / 3600000) * 3600000 as hour, merchant_id, count(*) as transactions, sum(amount_sats) as volume_sats
      from transactions group by 1, 2 order by 1, 2`.execute(store.db);
    const incremental = await hourly();
    expect(incremental).toEqual(recounted.rows);
    expect(incremental.length).toBeGreaterThan(20);

    // A rebuild from the raw sales gives exactly what ingest kept up incrementally.
    const before = await dump();
    await rebuildDerived(store.db);
    expect(await hourly()).toEqual(incremental);
    const after = await dump();
    expect(after.merchants).toEqual(before.merchants);
    expect(after.fiat.map((f) => ({ ...f, amount: Math.round(f.amount * 1e6) }))).toEqual(
      before.fiat.map((f) => ({ ...f, amount: Math.round(f.amount * 1e6) })),
    );
  });

  it("is all or nothing: a failure late in the transaction stores none of the poll", async () => {
    await addMerchant("a");
    await createMilestone(store.db, { name: "first", type: "transactions", threshold: 1 }, T0);
    await sql`create trigger boom before insert on milestone_triggers begin select raise(abort, 'boom'); end`.execute(
      store.db,
    );
    const before = await dump();
    await expect(applyPoll(store.db, "a", payload([{ id: 1, sats: 5 }]), T0)).rejects.toThrow(/boom/);
    expect(await dump()).toEqual(before);
    const milestone = await store.db
      .selectFrom("milestones")
      .select("triggered_at")
      .executeTakeFirstOrThrow();
    expect(milestone.triggered_at).toBeNull();
  });

  it("fires a milestone once even when many polls cross it concurrently", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const id of ids) await addMerchant(id);
    await createMilestone(store.db, { name: "Ten sales", type: "transactions", threshold: 10 }, T0);
    await createMilestone(store.db, { name: "Volume", type: "volume", threshold: 50 }, T0);
    const results = await Promise.all(
      ids.map((id, i) => applyPoll(store.db, id, payload([{ id: 1, sats: 10 }]), T0 + i)),
    );
    const fired = results.flatMap((r) => r?.triggers ?? []);
    expect(fired.map((t) => t.name).sort()).toEqual(["Ten sales", "Volume"]);
    const triggers = (await dump()).triggers;
    expect(triggers).toHaveLength(2);
    const ten = triggers.find((t) => t.name === "Ten sales");
    expect(ten).toMatchObject({ threshold: 10, total_transactions: 10, total_volume_sats: 100 });
    // Re-polling everything many times fires nothing more.
    for (let r = 0; r < 3; r++) {
      await Promise.all(ids.map((id) => applyPoll(store.db, id, payload([{ id: 1, sats: 10 }]), T0 + 100)));
    }
    expect((await dump()).triggers).toHaveLength(2);
  });

  describe("unchanged polls", () => {
    /** Stores a first body with digest `d-<id>` at T0, so later polls can report it unchanged. */
    async function polledOnce(id: string) {
      await addMerchant(id);
      await applyPoll(store.db, id, { ...payload([{ id: 1, sats: 10 }]), digest: `d-${id}` }, T0);
    }
    const unchanged = (id: string, at: number) =>
      applyPoll(store.db, id, { unchanged: true, digest: `d-${id}` }, at);
    const state = (id: string) =>
      store.db
        .selectFrom("merchants")
        .select(["last_polled_at", "last_error", "consecutive_failures"])
        .where("id", "=", id)
        .executeTakeFirst();

    it("keep their poll times in memory and write them together about once a second", async () => {
      await polledOnce("a");
      await polledOnce("b");
      expect(await unchanged("a", T0 + 100)).toEqual({
        storedCount: 0,
        newSales: [],
        triggers: [],
        changed: false,
      });
      await unchanged("b", T0 + 500);
      expect((await state("a"))?.last_polled_at).toBe(T0);
      // A second after the first kept time, the next unchanged poll writes all of them.
      await unchanged("b", T0 + 1100);
      expect((await state("a"))?.last_polled_at).toBe(T0 + 100);
      expect((await state("b"))?.last_polled_at).toBe(T0 + 1100);
      await unchanged("a", T0 + 1200);
      expect((await state("a"))?.last_polled_at).toBe(T0 + 100);
      await writePollTimes(store.db);
      expect((await state("a"))?.last_polled_at).toBe(T0 + 1200);
    });

    it("never let a kept time overwrite a later poll's, a failure's, or a re-created merchant's state", async () => {
      await polledOnce("a");
      await unchanged("a", T0 + 100);
      // A later poll that stores something writes its own time; the kept one is dropped.
      await applyPoll(store.db, "a", { ...payload([{ id: 2, sats: 10 }]), digest: "d-a" }, T0 + 200);
      await writePollTimes(store.db);
      expect((await state("a"))?.last_polled_at).toBe(T0 + 200);

      // A failure after an unchanged success: the success's time is written first, the error stays.
      await unchanged("a", T0 + 300);
      expect(await recordPollFailure(store.db, "a", "upstream responded 500")).toBe(1);
      await writePollTimes(store.db);
      expect(await state("a")).toEqual({
        last_polled_at: T0 + 300,
        last_error: "upstream responded 500",
        consecutive_failures: 1,
      });
      // With an error to clear, an unchanged poll is written at once.
      await unchanged("a", T0 + 400);
      expect(await state("a")).toEqual({
        last_polled_at: T0 + 400,
        last_error: null,
        consecutive_failures: 0,
      });

      // Deleted and re-created by an operator: the old merchant's kept time is not written onto the new one.
      await unchanged("a", T0 + 500);
      await runChange(store.db, "deleteMerchant", { id: "a" });
      await runChange(store.db, "upsertMerchant", {
        input: { id: "a", public_key: "k2", alias: "A" },
        now: T0 + 600,
      });
      await writePollTimes(store.db);
      expect((await state("a"))?.last_polled_at).toBeNull();
    });

    it("report a body whose digest no longer matches as stale, and a deleted merchant as gone", async () => {
      await polledOnce("a");
      expect(await applyPoll(store.db, "a", { unchanged: true, digest: "other" }, T0 + 100)).toBe("stale");
      await deleteMerchant(store.db, "a");
      expect(await unchanged("a", T0 + 200)).toBeUndefined();
    });
  });
});
