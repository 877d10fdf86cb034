import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { applyPoll } from "../src/store/poll-transaction.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { addMerchant, addMilestone, expectError, get, ingest, sale, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { posBody } from "./support/upstream.js";

/** Milestones firing through the real ingest path (applyPoll), observed through the HTTP API. */

const at = (iso: string) => Date.parse(iso);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ now: at("2025-11-10T15:00:00Z") });
  await addMerchant(t, "173", "Bitcoin Coffee");
  await addMerchant(t, "174", "Lightning Bistro");
});
afterEach(async () => {
  await t.close();
});

const triggers = async (query = "") => {
  const res = await get(t, `/v1/milestones/triggers${query}`);
  expect(res.status).toBe(200);
  return res.body as Record<string, unknown>[];
};
const milestone = async (id: number) =>
  ((await get(t, "/v1/admin/milestones", t.auth)).body as { id: number }[]).find((m) => m.id === id);

const s173 = [
  sale(1, 100, "2025-11-10T14:50:00.000000+00:00"),
  sale(2, 200, "2025-11-10T14:51:00.000000+00:00"),
];
const s174 = [sale(1, 300, "2025-11-10T14:52:00.000000+00:00")]; // the same SaleId at another merchant

describe("firing", () => {
  test("a transactions milestone fires exactly once, when reached, with the totals of that moment", async () => {
    const id = await addMilestone(t, { name: "Three sales", type: "transactions", threshold: 3 });

    t.clock.now = at("2025-11-10T15:01:00Z");
    expect((await ingest(t, "173", s173))?.triggers).toEqual([]);
    expect(await triggers()).toEqual([]);
    expect(await milestone(id)).toMatchObject({ triggered: false });

    t.clock.now = at("2025-11-10T15:02:00Z");
    const fired = await ingest(t, "174", s174);
    const record = {
      id: 1,
      milestone_id: id,
      name: "Three sales",
      type: "transactions",
      threshold: 3,
      triggered_at: "2025-11-10T15:02:00Z",
      total_transactions: 3,
      total_volume_sats: 600,
    };
    expect(fired?.triggers).toEqual([record]);
    expect(await triggers()).toEqual([record]);
    expect(await milestone(id)).toMatchObject({ triggered: true, triggered_at: "2025-11-10T15:02:00Z" });

    // Re-polls, with or without new sales, never fire it again.
    t.clock.now = at("2025-11-10T15:03:00Z");
    expect((await ingest(t, "174", s174))?.triggers).toEqual([]);
    expect((await ingest(t, "173", s173))?.triggers).toEqual([]);
    expect(
      (await ingest(t, "173", [...s173, sale(3, 400, "2025-11-10T15:02:30.000000+00:00")]))?.triggers,
    ).toEqual([]);
    expect(await triggers()).toEqual([record]);
    expect(await milestone(id)).toMatchObject({ triggered: true, triggered_at: "2025-11-10T15:02:00Z" });
  });

  test("a volume milestone fires when the volume reaches the threshold exactly", async () => {
    const id = await addMilestone(t, { name: "1,000 sats", type: "volume", threshold: 1000 });
    await addMilestone(t, { name: "Many sales", type: "transactions", threshold: 1000 });
    t.clock.now = at("2025-11-10T15:01:00Z");
    await ingest(t, "173", s173); // 300 sats
    await ingest(t, "174", s174); // 600 sats
    expect(await triggers()).toEqual([]);
    t.clock.now = at("2025-11-10T15:04:00Z");
    await ingest(t, "174", [...s174, sale(2, 400, "2025-11-10T15:03:00.000000+00:00")]); // 1000 sats
    expect(await triggers()).toEqual([
      {
        id: 1,
        milestone_id: id,
        name: "1,000 sats",
        type: "volume",
        threshold: 1000,
        triggered_at: "2025-11-10T15:04:00Z",
        total_transactions: 4,
        total_volume_sats: 1000,
      },
    ]);
  });

  test("re-armed with reset_trigger, it fires again at the next poll with a new record", async () => {
    const id = await addMilestone(t, { name: "First sale", type: "transactions", threshold: 1 });
    t.clock.now = at("2025-11-10T15:01:00Z");
    await ingest(t, "173", s173);
    t.clock.now = at("2025-11-10T15:10:00Z");
    const rearmed = await send(t, "PUT", `/v1/admin/milestones/${id}`, { reset_trigger: true });
    expect(rearmed.body).toMatchObject({ triggered: false });
    expect(rearmed.body).not.toHaveProperty("triggered_at");
    expect(await triggers()).toHaveLength(1); // history stays

    t.clock.now = at("2025-11-10T15:11:00Z");
    await ingest(t, "174", s174); // one more sale: the totals move on
    const first = {
      id: 1,
      milestone_id: id,
      name: "First sale",
      type: "transactions",
      threshold: 1,
      triggered_at: "2025-11-10T15:01:00Z",
      total_transactions: 2,
      total_volume_sats: 300,
    };
    const second = {
      ...first,
      id: 2,
      triggered_at: "2025-11-10T15:11:00Z",
      total_transactions: 3,
      total_volume_sats: 600,
    };
    expect(await triggers()).toEqual([second, first]);
    expect(await milestone(id)).toMatchObject({ triggered: true, triggered_at: "2025-11-10T15:11:00Z" });

    // Re-armed again, it fires at the next poll even when nothing new was sold.
    await send(t, "PUT", `/v1/admin/milestones/${id}`, { reset_trigger: true });
    t.clock.now = at("2025-11-10T15:12:00Z");
    await ingest(t, "173", s173);
    expect(await triggers()).toEqual([
      { ...second, id: 3, triggered_at: "2025-11-10T15:12:00Z" },
      second,
      first,
    ]);
  });

  test("a disabled milestone never fires; enabled below the totals, it fires at the next poll", async () => {
    const id = await addMilestone(t, { name: "Off", type: "transactions", threshold: 1, enabled: false });
    t.clock.now = at("2025-11-10T15:01:00Z");
    await ingest(t, "173", s173);
    await ingest(t, "174", s174);
    await ingest(t, "173", s173);
    expect(await triggers()).toEqual([]);
    expect(await milestone(id)).toMatchObject({ enabled: false, triggered: false });

    t.clock.now = at("2025-11-10T15:05:00Z");
    await send(t, "PUT", `/v1/admin/milestones/${id}`, { enabled: true });
    expect(await triggers()).toEqual([]); // nothing fires until the next evaluation
    t.clock.now = at("2025-11-10T15:06:00Z");
    await ingest(t, "174", s174);
    expect(await triggers()).toMatchObject([
      {
        milestone_id: id,
        triggered_at: "2025-11-10T15:06:00Z",
        total_transactions: 3,
        total_volume_sats: 600,
      },
    ]);
  });

  test("a milestone disabled after it was created does not fire", async () => {
    const id = await addMilestone(t, { name: "Two", type: "transactions", threshold: 2 });
    await send(t, "PUT", `/v1/admin/milestones/${id}`, { enabled: false });
    await ingest(t, "173", s173);
    expect(await triggers()).toEqual([]);
  });

  test("a milestone created below the current totals fires at the next poll, even with no new sales", async () => {
    t.clock.now = at("2025-11-10T15:01:00Z");
    await ingest(t, "173", s173);
    await ingest(t, "174", s174);
    const id = await addMilestone(t, { name: "Two sales", type: "transactions", threshold: 2 });
    expect(await triggers()).toEqual([]);

    t.clock.now = at("2025-11-10T15:02:00Z");
    await ingest(t, "173", []); // an empty poll (no sales at all) still evaluates
    expect(await triggers()).toEqual([
      {
        id: 1,
        milestone_id: id,
        name: "Two sales",
        type: "transactions",
        threshold: 2,
        triggered_at: "2025-11-10T15:02:00Z",
        total_transactions: 3,
        total_volume_sats: 600,
      },
    ]);
  });

  test("raising the threshold of an armed milestone above the totals keeps it from firing", async () => {
    const id = await addMilestone(t, { name: "Two", type: "transactions", threshold: 2 });
    await send(t, "PUT", `/v1/admin/milestones/${id}`, { threshold: 10 });
    await ingest(t, "173", s173);
    await ingest(t, "174", s174);
    expect(await triggers()).toEqual([]);
    await send(t, "PUT", `/v1/admin/milestones/${id}`, { threshold: 3 });
    await ingest(t, "174", s174);
    expect(await triggers()).toMatchObject([{ milestone_id: id, threshold: 3, total_transactions: 3 }]);
  });

  test("several milestones reached by one poll all fire once, with the same totals", async () => {
    const a = await addMilestone(t, { name: "One", type: "transactions", threshold: 1 });
    const b = await addMilestone(t, { name: "Two", type: "transactions", threshold: 2 });
    const c = await addMilestone(t, { name: "250 sats", type: "volume", threshold: 250 });
    const d = await addMilestone(t, { name: "Five", type: "transactions", threshold: 5 });
    t.clock.now = at("2025-11-10T15:01:00Z");
    await ingest(t, "173", s173);
    const fired = await triggers();
    expect(fired.map((r) => r.milestone_id).sort()).toEqual([a, b, c].sort());
    for (const r of fired) {
      expect(r).toMatchObject({
        triggered_at: "2025-11-10T15:01:00Z",
        total_transactions: 2,
        total_volume_sats: 300,
      });
    }
    expect(await milestone(d)).toMatchObject({ triggered: false });
  });

  test("concurrent polls fire a milestone once, with the totals at the moment it was reached", async () => {
    const ids = ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"];
    for (const id of ids) await addMerchant(t, id, id);
    const mid = await addMilestone(t, { name: "Five", type: "transactions", threshold: 5 });
    t.clock.now = at("2025-11-10T15:01:00Z");
    await Promise.all(
      ids.map((id) =>
        applyPoll(
          t.store.db,
          id,
          parsePosPayload(posBody([sale(1, 100, "2025-11-10T15:00:30.000000+00:00")])),
          t.clock.now,
        ),
      ),
    );
    expect(await triggers()).toEqual([
      {
        id: 1,
        milestone_id: mid,
        name: "Five",
        type: "transactions",
        threshold: 5,
        triggered_at: "2025-11-10T15:01:00Z",
        total_transactions: 5,
        total_volume_sats: 500,
      },
    ]);
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 8,
      total_volume_sats: 800,
    });
  });

  test("deleting a merchant lowers the totals; a re-armed milestone compares against the new totals", async () => {
    const id = await addMilestone(t, { name: "Three", type: "transactions", threshold: 3 });
    await ingest(t, "173", s173);
    await ingest(t, "174", s174);
    expect(await triggers()).toHaveLength(1);
    await send(t, "DELETE", "/v1/admin/merchants/173");
    await send(t, "PUT", `/v1/admin/milestones/${id}`, { reset_trigger: true });
    await ingest(t, "174", s174); // 1 sale in all now: below 3
    expect(await triggers()).toHaveLength(1);
    expect(await milestone(id)).toMatchObject({ triggered: false });
  });
});

describe("GET /v1/milestones/triggers", () => {
  // Three triggers: day 1 15:01 (id 1), day 2 09:00 (id 2), day 2 15:00 (id 3).
  beforeEach(async () => {
    const one = await addMilestone(t, { name: "One", type: "transactions", threshold: 1 });
    t.clock.now = at("2025-11-10T15:01:00Z");
    await ingest(t, "173", s173);
    await send(t, "PUT", `/v1/admin/milestones/${one}`, { reset_trigger: true });
    t.clock.now = at("2025-11-11T09:00:00Z");
    await ingest(t, "173", s173);
    await send(t, "PUT", `/v1/admin/milestones/${one}`, { reset_trigger: true });
    t.clock.now = at("2025-11-11T15:00:00Z");
    await ingest(t, "174", s174);
  });

  const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.id);

  test("by default: the last 24 hours, newest first", async () => {
    t.clock.now = at("2025-11-12T08:59:59Z"); // 24 h back is 2025-11-11T08:59:59Z
    expect(ids(await triggers())).toEqual([3, 2]);
    t.clock.now = at("2025-11-12T09:00:01Z");
    expect(ids(await triggers())).toEqual([3]);
    t.clock.now = at("2025-11-11T15:00:59Z"); // day 1 15:01 is 23 h 59 m 59 s back
    expect(ids(await triggers())).toEqual([3, 2, 1]);
    t.clock.now = at("2025-11-11T15:01:01Z");
    expect(ids(await triggers())).toEqual([3, 2]);
  });

  test("since selects from an instant on, in any offset", async () => {
    expect(ids(await triggers("?since=2025-11-10T00:00:00Z"))).toEqual([3, 2, 1]);
    expect(ids(await triggers("?since=2025-11-10T15:01:00Z"))).toEqual([3, 2, 1]);
    expect(ids(await triggers("?since=2025-11-10T15:01:00.001Z"))).toEqual([3, 2]);
    expect(ids(await triggers(`?since=${encodeURIComponent("2025-11-11T11:00:00+02:00")}`))).toEqual([3, 2]);
    expect(ids(await triggers(`?since=${encodeURIComponent("2025-11-11T04:00:01-05:00")}`))).toEqual([3]);
    expect(await triggers("?since=2030-01-01T00:00:00Z")).toEqual([]);
  });

  test("limit keeps the newest", async () => {
    expect(ids(await triggers("?since=2025-11-01T00:00:00Z&limit=2"))).toEqual([3, 2]);
    expect(ids(await triggers("?since=2025-11-01T00:00:00Z&limit=1"))).toEqual([3]);
    expectError(
      await t.app.inject({ url: "/v1/milestones/triggers?since=2025-11-01T00:00:00Z&limit=0" }),
      400,
      /limit/,
    );
  });

  test("the records keep the totals of their moment", async () => {
    expect(await triggers("?since=2025-11-01T00:00:00Z")).toMatchObject([
      { id: 3, triggered_at: "2025-11-11T15:00:00Z", total_transactions: 3, total_volume_sats: 600 },
      { id: 2, triggered_at: "2025-11-11T09:00:00Z", total_transactions: 2, total_volume_sats: 300 },
      { id: 1, triggered_at: "2025-11-10T15:01:00Z", total_transactions: 2, total_volume_sats: 300 },
    ]);
  });
});
