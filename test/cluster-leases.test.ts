/**
 * Poll leases on a real PostgreSQL (the run's throwaway cluster): two "instances" are two pools on one database,
 * each with its own PollLeases, as two processes would be.
 */
import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { MAX_HINT_KEYS, PollLeases } from "../src/cluster/poll-leases.js";
import type { Database } from "../src/store/schema.js";
import { twoPoolsOnOneDatabase } from "./support/two-pools.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;

const pools = twoPoolsOnOneDatabase(["test-one", "test-two"]);

async function addMerchants(db: Kysely<Database>, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `m${String(i).padStart(3, "0")}`);
  for (const id of ids) {
    await sql`insert into merchants (id, public_key, alias, enabled, created_at, updated_at)
      values (${id}, ${`key-${id}`}, ${id}, 1, 0, 0)`.execute(db);
  }
  return ids;
}

/** Puts every merchant's next scheduled poll an hour away: only requests make them due. */
async function scheduleAllLater(db: Kysely<Database>): Promise<void> {
  const leases = new PollLeases(db);
  await leases.claim("setup", 0, 0);
  await leases.leave("setup");
  await sql`update poll_leases
    set next_poll_at = (extract(epoch from now()) * 1000)::bigint + ${HOUR}::bigint`.execute(db);
}

describe("poll leases", () => {
  it("migration 0002 gives each merchant a lease row, deleted with its merchant", async () => {
    const ids = await addMerchants(pools.one.db, 3);
    await new PollLeases(pools.one.db).claim("a", 0, MINUTE);
    const rows = await sql<{ merchant_id: string }>`select merchant_id from poll_leases order by 1`.execute(
      pools.one.db,
    );
    expect(rows.rows.map((r) => r.merchant_id)).toEqual(ids);
    await sql`delete from merchants where id = ${ids[0]}`.execute(pools.one.db);
    const left = await sql<{ n: number }>`select count(*) as n from poll_leases`.execute(pools.one.db);
    expect(left.rows[0]?.n).toBe(2);
  });

  it("a merchant leased by one owner is not claimed by another until it is released", async () => {
    const ids = await addMerchants(pools.one.db, 6);
    const a = new PollLeases(pools.one.db);
    const b = new PollLeases(pools.two.db);
    expect(await a.claim("a", 100, MINUTE)).toEqual(ids);
    expect(await b.claim("b", 100, MINUTE)).toEqual([]);
    expect(await a.release("m002", "a", 0)).toBe(true);
    expect(await b.claim("b", 100, MINUTE)).toEqual(["m002"]);
    // Not a's any more: its release changes nothing.
    expect(await a.release("m002", "a", 0)).toBe(false);
    expect(await a.renew("a", ids, MINUTE)).toEqual(ids.filter((id) => id !== "m002"));
  });

  it("an expired lease is taken over, and its old owner learns it lost it", async () => {
    const ids = await addMerchants(pools.one.db, 6);
    // Heartbeats that lapse at once: the killed instance no longer counts in the share either.
    const a = new PollLeases(pools.one.db, { instanceTtlMs: 0 });
    const b = new PollLeases(pools.two.db, { instanceTtlMs: 0 });
    expect(await a.claim("a", 100, 0)).toEqual(ids);
    // a was killed with its polls in flight: it releases nothing, its leases lapse.
    expect(await b.claim("b", 100, MINUTE)).toEqual(ids);
    expect(await a.renew("a", ids, MINUTE)).toEqual([]);
    expect(await a.begin("m000", "a", MINUTE)).toBeUndefined();
    expect(await a.release("m000", "a", 0)).toBe(false);
    expect(await b.begin("m000", "b", MINUTE)).toEqual({ full: false, keys: [] });
  });

  it("claims running at once from two pools never take the same merchant", async () => {
    await addMerchants(pools.one.db, 40);
    const a = new PollLeases(pools.one.db, { instanceTtlMs: 0 });
    const b = new PollLeases(pools.two.db, { instanceTtlMs: 0 });
    for (let round = 0; round < 25; round++) {
      await sql`update poll_leases set owner = null, expires_at = 0`.execute(pools.one.db);
      const [byA, byB] = await Promise.all([a.claim("a", 30, MINUTE), b.claim("b", 30, MINUTE)]);
      expect(byA.filter((id) => byB.includes(id))).toEqual([]);
      // Between them they took what they could: 40 free, 30 each at most.
      expect(byA.length + byB.length).toBe(40);
      const owners = await sql<{ merchant_id: string; owner: string }>`
        select merchant_id, owner from poll_leases where owner is not null order by 1`.execute(pools.one.db);
      const claimed = [...byA.map((id) => [id, "a"]), ...byB.map((id) => [id, "b"])].sort();
      expect(owners.rows.map((r) => [r.merchant_id, r.owner])).toEqual(claimed);
    }
  });

  it("SKIP LOCKED: a claim passes over a lease row locked by another's transaction instead of waiting", async () => {
    await addMerchants(pools.one.db, 4);
    const a = new PollLeases(pools.one.db, { instanceTtlMs: 0 });
    const b = new PollLeases(pools.two.db, { instanceTtlMs: 0 });
    expect(await a.claim("a", 1, 0)).toEqual(["m000"]);
    // a writes m000's poll under the fence; its lease lapsed meanwhile, yet nobody may take it now.
    const whileWriting = await pools.one.db.transaction().execute(async (tx) => {
      expect(await PollLeases.holds(tx, "m000", "a")).toBe(true);
      // Were the row waited for, this claim would wait for this transaction, which waits for it.
      return b.claim("b", 100, MINUTE);
    });
    expect(whileWriting).toEqual(["m001", "m002", "m003"]);
    expect(await b.claim("b", 100, MINUTE)).toEqual(["m000"]);
    await pools.one.db.transaction().execute(async (tx) => {
      expect(await PollLeases.holds(tx, "m000", "a")).toBe(false);
    });
  });

  it("each live instance claims at most its fair share of the due merchants", async () => {
    await addMerchants(pools.one.db, 9);
    const a = new PollLeases(pools.one.db);
    const b = new PollLeases(pools.two.db);
    await a.heartbeat("a");
    await b.heartbeat("b");
    expect(await a.liveInstances()).toBe(2);
    // c is the third live instance: 9 merchants over 3 instances.
    expect(await a.claim("c", 100, MINUTE)).toHaveLength(3);
    expect(await b.claim("b", 2, MINUTE)).toHaveLength(2);
    expect(await b.claim("b", 100, MINUTE)).toHaveLength(1);
    expect(await a.claim("a", 100, MINUTE)).toHaveLength(3);
    expect(await a.claim("a", 100, MINUTE)).toEqual([]);
    // A stopping instance hands its leases back at once and stops counting.
    await a.leave("c");
    expect(await a.liveInstances()).toBe(2);
    // 9 over 2 is 5 each at most; b and a hold 3 each: b takes 2, a the one left.
    expect(await b.claim("b", 100, MINUTE)).toHaveLength(2);
    expect(await a.claim("a", 100, MINUTE)).toHaveLength(1);
  });

  it("a released merchant is due again after the delay it was given; a disabled one is not polled on schedule", async () => {
    await addMerchants(pools.one.db, 3);
    const a = new PollLeases(pools.one.db);
    expect(await a.claim("a", 100, MINUTE)).toEqual(["m000", "m001", "m002"]);
    await a.release("m000", "a", HOUR);
    await a.release("m001", "a", 0);
    await a.release("m002", "a", 0);
    await sql`update merchants set enabled = 0 where id = 'm002'`.execute(pools.one.db);
    expect(await a.claim("a", 100, MINUTE)).toEqual(["m001"]);
  });

  it("two instances asking for the same merchant at once leave one mark, answered by one poll", async () => {
    await addMerchants(pools.one.db, 2);
    await scheduleAllLater(pools.one.db);
    const a = new PollLeases(pools.one.db);
    const b = new PollLeases(pools.two.db);
    const asked = await Promise.all([
      a.request("m001", { full: false, keys: ["inv-1"] }),
      b.request("m001", { full: true, keys: ["inv-2", "inv-1"] }),
    ]);
    expect(asked).toEqual([true, true]);
    const marks = await sql<{
      merchant_id: string;
    }>`select merchant_id from poll_leases where wanted`.execute(pools.one.db);
    expect(marks.rows).toEqual([{ merchant_id: "m001" }]);
    const took = await Promise.all([a.claimOne("a", "m001", MINUTE), b.claimOne("b", "m001", MINUTE)]);
    expect(took.filter(Boolean)).toHaveLength(1);
    const [holder, owner] = took[0] ? [a, "a"] : [b, "b"];
    const ask = await holder.begin("m001", owner, MINUTE);
    expect({ ...ask, keys: ask?.keys.sort() }).toEqual({ full: true, keys: ["inv-1", "inv-2"] });
    expect(await holder.release("m001", owner, HOUR)).toBe(true);
    // Nothing more is due: one poll answered both.
    const after = await Promise.all([a.claim("a", 100, MINUTE), b.claim("b", 100, MINUTE)]);
    expect(after).toEqual([[], []]);
  });

  it("a request made after a poll began gets one more poll after it, even for a disabled merchant", async () => {
    await addMerchants(pools.one.db, 1);
    await scheduleAllLater(pools.one.db);
    await sql`update merchants set enabled = 0`.execute(pools.one.db);
    const a = new PollLeases(pools.one.db);
    const b = new PollLeases(pools.two.db);
    expect(await b.request("m000")).toBe(true);
    expect(await a.claim("a", 100, MINUTE)).toEqual(["m000"]);
    expect(await a.begin("m000", "a", MINUTE)).toEqual({ full: false, keys: [] });
    expect(await b.request("m000", { full: false, keys: ["late"] })).toBe(true);
    expect(await b.claimOne("b", "m000", MINUTE)).toBe(false);
    await a.release("m000", "a", HOUR);
    expect(await b.claim("b", 100, MINUTE)).toEqual(["m000"]);
    expect(await b.begin("m000", "b", MINUTE)).toEqual({ full: false, keys: ["late"] });
    await b.release("m000", "b", HOUR);
    expect(await b.claim("b", 100, MINUTE)).toEqual([]);
  });

  it("a failed poll hands back what it was asked for its next poll without making it due sooner", async () => {
    await addMerchants(pools.one.db, 1);
    await scheduleAllLater(pools.one.db);
    const a = new PollLeases(pools.one.db);
    await a.request("m000", { full: true, keys: ["inv-9"] });
    expect(await a.claimOne("a", "m000", MINUTE)).toBe(true);
    const ask = await a.begin("m000", "a", MINUTE);
    expect(await a.release("m000", "a", HOUR, ask)).toBe(true);
    expect(await a.claim("a", 100, MINUTE)).toEqual([]);
    await a.request("m000");
    expect(await a.claimOne("a", "m000", MINUTE)).toBe(true);
    expect(await a.begin("m000", "a", MINUTE)).toEqual({ full: true, keys: ["inv-9"] });
  });

  it("too many waiting keys become a full read; an unknown merchant cannot be asked for", async () => {
    await addMerchants(pools.one.db, 1);
    const a = new PollLeases(pools.one.db);
    const keys = Array.from({ length: MAX_HINT_KEYS }, (_, i) => `k${i}`);
    await a.request("m000", { full: false, keys });
    await a.request("m000", { full: false, keys: ["one-more"] });
    expect(await a.claimOne("a", "m000", MINUTE)).toBe(true);
    expect(await a.begin("m000", "a", MINUTE)).toEqual({ full: true, keys: [] });
    expect(await a.request("nobody")).toBe(false);
  });
});
