import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CHANGES, READS } from "../src/store/access.js";
import { fireDueMilestones, readTotals } from "../src/store/due-milestones.js";
import type { Database } from "../src/store/schema.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";

/** Milestones on each engine: the admin changes, firing once with the totals of that moment, the reads. */

const NOW = Date.parse("2026-12-01T10:00:00Z");
const LATER = NOW + 60_000;
const json = (v: unknown) => JSON.stringify(v);

/** Running totals as a poll leaves them: the 64-bit sums are what readTotals adds up. */
async function setTotals(db: Kysely<Database>, id: string, transactions: number, volumeSats: number) {
  await CHANGES.upsertMerchant(db, { input: { id, public_key: `pk_${id}`, alias: id }, now: NOW });
  await db
    .updateTable("merchants")
    .set({ total_transactions: transactions, total_volume_sats: volumeSats })
    .where("id", "=", id)
    .execute();
}

const milestone = (db: Kysely<Database>, name: string, type: string, threshold: number, enabled = true) =>
  CHANGES.createMilestone(db, { input: { name, type, threshold, enabled }, now: NOW });

describe.each(ENGINES)("milestones on %s", (engine) => {
  let s: EngineStore;
  beforeEach(async () => {
    s = await openStore(engine);
  });
  afterEach(async () => {
    await s.close();
  });

  test("created with numeric ids, listed by threshold then id, patched, deleted", async () => {
    const big = await milestone(s.db, "Ten billion", "volume", 10_000_000_000);
    expect(json(big)).toBe(
      json({
        id: 1,
        name: "Ten billion",
        type: "volume",
        threshold: 10_000_000_000,
        enabled: true,
        triggered: false,
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-01T10:00:00Z",
      }),
    );
    expect([typeof big.id, typeof big.threshold]).toEqual(["number", "number"]);
    await milestone(s.db, "Ten sales", "transactions", 10);
    await milestone(s.db, "Ten again", "transactions", 10, false);
    expect((await READS.milestones(s.db, {})).map((m) => [m.id, m.threshold])).toEqual([
      [2, 10],
      [3, 10],
      [1, 10_000_000_000],
    ]);
    expect(await READS.upcomingMilestones(s.db, {})).toEqual([
      { id: 2, name: "Ten sales", type: "transactions", threshold: 10 },
      { id: 1, name: "Ten billion", type: "volume", threshold: 10_000_000_000 },
    ]);
    const patched = await CHANGES.updateMilestone(s.db, {
      id: 3,
      patch: { name: "Five", threshold: 5, enabled: true },
      now: LATER,
    });
    expect(patched).toMatchObject({ id: 3, name: "Five", threshold: 5, enabled: true });
    expect(patched?.updated_at).toBe("2026-12-01T10:01:00Z");
    expect(await CHANGES.updateMilestone(s.db, { id: 99, patch: { name: "x" }, now: LATER })).toBe(undefined);
    expect(await CHANGES.deleteMilestone(s.db, { id: 3 })).toBe(true);
    expect(await CHANGES.deleteMilestone(s.db, { id: 3 })).toBe(false);
    expect((await READS.milestones(s.db, {})).map((m) => m.id)).toEqual([2, 1]);
  });

  test("64-bit totals add up to numbers; a due milestone fires once, recorded with those totals", async () => {
    await setTotals(s.db, "a", 3, 6_000_000_000);
    await setTotals(s.db, "b", 2, 5_000_000_000);
    const totals = await readTotals(s.db);
    expect(totals).toEqual({ transactions: 5, volumeSats: 11_000_000_000 });
    expect([typeof totals.transactions, typeof totals.volumeSats]).toEqual(["number", "number"]);

    await milestone(s.db, "Ten billion", "volume", 10_000_000_000);
    await milestone(s.db, "Five sales", "transactions", 5);
    await milestone(s.db, "Six sales", "transactions", 6);
    await milestone(s.db, "Off", "transactions", 1, false);
    const hook = await CHANGES.createWebhook(s.db, {
      input: { url: "http://127.0.0.1:9/m", secret: "", events: ["milestone"] },
      now: NOW,
    });

    const fired = await s.db.transaction().execute((trx) => fireDueMilestones(trx, LATER));
    const five = {
      id: 1,
      milestone_id: 2,
      name: "Five sales",
      type: "transactions",
      threshold: 5,
      triggered_at: "2026-12-01T10:01:00Z",
      total_transactions: 5,
      total_volume_sats: 11_000_000_000,
    };
    const ten = {
      ...five,
      id: 2,
      milestone_id: 1,
      name: "Ten billion",
      type: "volume",
      threshold: 10_000_000_000,
    };
    // Lowest threshold first: sales count and sats share no scale, but the order is fixed on both.
    expect(json(fired)).toBe(json([five, ten]));
    expect(json(await READS.triggers(s.db, { sinceMs: 0, limit: 10 }))).toBe(json([ten, five]));
    expect(await READS.triggers(s.db, { sinceMs: LATER + 1, limit: 10 })).toEqual([]);
    expect((await READS.upcomingMilestones(s.db, {})).map((m) => m.name)).toEqual(["Six sales"]);
    expect(await READS.milestones(s.db, {})).toContainEqual(
      expect.objectContaining({ id: 2, triggered: true, triggered_at: "2026-12-01T10:01:00Z" }),
    );
    const deliveries = await s.db
      .selectFrom("webhook_deliveries")
      .select(["webhook_id", "event", "body", "status"])
      .orderBy("id")
      .execute();
    expect(deliveries).toEqual([
      { webhook_id: hook.id, event: "milestone", body: json(five), status: "pending" },
      { webhook_id: hook.id, event: "milestone", body: json(ten), status: "pending" },
    ]);

    // Evaluated again: nothing left to fire.
    expect(await fireDueMilestones(s.db, LATER + 1)).toEqual([]);
  });

  test("re-armed, it fires again with a new record; deleted, its history stays", async () => {
    await setTotals(s.db, "a", 7, 700);
    await milestone(s.db, "Seven", "transactions", 7);
    expect((await fireDueMilestones(s.db, NOW)).map((t) => t.id)).toEqual([1]);
    const rearmed = await CHANGES.updateMilestone(s.db, {
      id: 1,
      patch: { reset_trigger: true },
      now: LATER,
    });
    expect(json(rearmed)).toBe(
      json({
        id: 1,
        name: "Seven",
        type: "transactions",
        threshold: 7,
        enabled: true,
        triggered: false,
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-01T10:01:00Z",
      }),
    );
    expect((await fireDueMilestones(s.db, LATER)).map((t) => [t.id, t.triggered_at])).toEqual([
      [2, "2026-12-01T10:01:00Z"],
    ]);
    expect(await CHANGES.deleteMilestone(s.db, { id: 1 })).toBe(true);
    expect((await READS.triggers(s.db, { sinceMs: 0, limit: 1 })).map((t) => t.id)).toEqual([2]);
    expect((await READS.triggers(s.db, { sinceMs: 0, limit: 10 })).map((t) => t.milestone_id)).toEqual([
      1, 1,
    ]);
  });
});

/**
 * Several service instances on one PostgreSQL database: two polls that both make the same milestone due
 * commit at the same moment. Each connection is one instance's transaction; the second one to reach the
 * milestone's row waits for the first's lock, which is what happens when their commits coincide.
 */
describe("milestones across instances on postgres", () => {
  let s: EngineStore;
  beforeEach(async () => {
    s = await openStore("postgres");
  });
  afterEach(async () => {
    await s.close();
  });

  /** Until some connection of this database waits for a row lock (a third connection looks). */
  async function untilOneWaitsForALock() {
    for (;;) {
      const waiting = await sql<{ n: number }>`
        select count(*) as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`.execute(s.db);
      if (waiting.rows[0]?.n === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  test.each([1, 3])(
    "two transactions firing the same %i due milestone(s) at once record each once",
    async (n) => {
      await setTotals(s.db, "a", 10, 1000);
      for (let i = 0; i < n; i++) await milestone(s.db, `Sale ${10 - i}`, "transactions", 10 - i);
      await CHANGES.createWebhook(s.db, {
        input: { url: "http://127.0.0.1:9/m", secret: "", events: ["milestone"] },
        now: NOW,
      });
      const first = await s.db.startTransaction().execute();
      const second = await s.db.startTransaction().execute();
      // Both read the milestones as armed before either commits.
      const firing = [fireDueMilestones(first, NOW), fireDueMilestones(second, LATER)].map((p, i) =>
        p.then((fired) => ({ i, fired })),
      );
      const winner = await Promise.race(firing);
      await untilOneWaitsForALock();
      await [first, second][winner.i]?.commit().execute();
      const loser = await firing[1 - winner.i];
      await [first, second][1 - winner.i]?.commit().execute();

      // Lowest threshold first: the last one created.
      const ids = Array.from({ length: n }, (_, i) => n - i);
      expect(winner.fired.map((t) => t.milestone_id)).toEqual(ids);
      expect(loser?.fired).toEqual([]);
      const triggers = await s.db
        .selectFrom("milestone_triggers")
        .select(["milestone_id", "triggered_at"])
        .orderBy("id")
        .execute();
      expect(triggers).toEqual(
        ids.map((id) => ({ milestone_id: id, triggered_at: winner.i === 0 ? NOW : LATER })),
      );
      const deliveries = await s.db.selectFrom("webhook_deliveries").select("event").execute();
      expect(deliveries.length).toBe(n);
      expect(await READS.upcomingMilestones(s.db, {})).toEqual([]);
    },
  );
  test("two polls that reach a threshold together: the later to commit fires it, with both sales counted", async () => {
    await setTotals(s.db, "a", 4, 400);
    await setTotals(s.db, "b", 4, 400);
    await milestone(s.db, "Ten", "transactions", 10);
    const add = (trx: Kysely<Database>, id: string) =>
      sql`update merchants set total_transactions = total_transactions + 1 where id = ${id}`.execute(trx);
    const first = await s.db.startTransaction().execute();
    const second = await s.db.startTransaction().execute();
    await add(first, "a");
    await add(second, "b");
    // Each sees 9 of its own: without taking turns, neither would fire.
    expect(await fireDueMilestones(first, NOW)).toEqual([]);
    const later = fireDueMilestones(second, LATER);
    await untilOneWaitsForALock();
    await first.commit().execute();
    const fired = await later;
    await second.commit().execute();
    expect(fired.map((t) => [t.name, t.total_transactions])).toEqual([["Ten", 10]]);
    expect(await s.db.selectFrom("milestone_triggers").select("total_transactions").execute()).toEqual([
      { total_transactions: 10 },
    ]);
  });
});
