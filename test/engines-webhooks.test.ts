import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CHANGES, READS } from "../src/store/access.js";
import { pendingHead, pendingHeads, pruneFinished, recordAttempt } from "../src/store/deliveries.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";

/** Outgoing webhooks on each engine: the admin changes, the delivery log, and the delivery worker's queries. */

const NOW = Date.parse("2026-12-01T10:00:00Z");
const LATER = NOW + 60_000;
const json = (v: unknown) => JSON.stringify(v);

describe.each(ENGINES)("outgoing webhooks on %s", (engine) => {
  let s: EngineStore;
  beforeEach(async () => {
    s = await openStore(engine);
  });
  afterEach(async () => {
    await s.close();
  });

  const hook = (path: string, events: ("milestone" | "sale")[]) =>
    CHANGES.createWebhook(s.db, {
      input: { url: `http://127.0.0.1:9/${path}`, secret: "k", events },
      now: NOW,
    });

  // Every column named in each row: a multi-row insert fills a missing one with NULL on SQLite.
  const delivery = (n: number, webhookId: number, status: string) => {
    const done = status !== "pending";
    return {
      delivery_id: `d${n}`,
      webhook_id: webhookId,
      event: "sale",
      body: `{"n":${n}}`,
      status,
      next_attempt_at: NOW + n,
      created_at: NOW,
      attempts: done ? 2 : 0,
      last_status_code: done ? 500 : null,
      last_attempt_at: done ? LATER : null,
      last_error: done ? "HTTP 500" : null,
      finished_at: done ? LATER : null,
    };
  };

  test("outgoing webhooks: ids as numbers, patch, delivery log newest first, deleted with its log", async () => {
    const hook = await CHANGES.createWebhook(s.db, {
      input: { url: "http://127.0.0.1:9/hook", secret: "s3cret", events: ["sale"] },
      now: NOW,
    });
    expect(json(hook)).toBe(
      json({
        id: 1,
        url: "http://127.0.0.1:9/hook",
        events: ["sale"],
        has_secret: true,
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-01T10:00:00Z",
      }),
    );
    const second = await CHANGES.createWebhook(s.db, {
      input: { url: "http://127.0.0.1:9/b", secret: "", events: ["milestone", "sale"] },
      now: NOW,
    });
    expect(typeof second.id).toBe("number");
    expect(second.id).toBe(2);
    const patched = await CHANGES.updateWebhook(s.db, {
      id: 1,
      patch: { events: ["milestone"], secret: "" },
      now: LATER,
    });
    expect(patched).toMatchObject({
      events: ["milestone"],
      has_secret: false,
      updated_at: "2026-12-01T10:01:00Z",
    });
    expect(
      await CHANGES.updateWebhook(s.db, { id: 99, patch: { url: "http://127.0.0.1:9/x" }, now: NOW }),
    ).toBe(undefined);
    expect((await READS.webhooks(s.db, {})).map((h) => [h.id, h.events])).toEqual([
      [1, ["milestone"]],
      [2, ["milestone", "sale"]],
    ]);

    await s.db
      .insertInto("webhook_deliveries")
      .values([delivery(1, 1, "failed"), delivery(2, 1, "pending")])
      .execute();
    const log = await READS.webhookDeliveries(s.db, { id: 1 });
    expect(json(log)).toBe(
      json([
        {
          id: "d2",
          event: "sale",
          status: "pending",
          attempts: 0,
          created_at: "2026-12-01T10:00:00Z",
          next_attempt_at: "2026-12-01T10:00:00.002Z",
        },
        {
          id: "d1",
          event: "sale",
          status: "failed",
          attempts: 2,
          last_error: "HTTP 500",
          last_status_code: 500,
          created_at: "2026-12-01T10:00:00Z",
          last_attempt_at: "2026-12-01T10:01:00Z",
          finished_at: "2026-12-01T10:01:00Z",
        },
      ]),
    );
    expect(await READS.webhookDeliveries(s.db, { id: 99 })).toBe(undefined);
    expect(await CHANGES.deleteWebhook(s.db, { id: 1 })).toBe(true);
    expect(await CHANGES.deleteWebhook(s.db, { id: 1 })).toBe(false);
    expect(await s.db.selectFrom("webhook_deliveries").select("id").execute()).toEqual([]);
    // A new webhook takes a new id, never a deleted one's (SQLite's autoincrement, PostgreSQL's identity).
    await CHANGES.deleteWebhook(s.db, { id: 2 });
    const third = await CHANGES.createWebhook(s.db, {
      input: { url: "http://127.0.0.1:9/c", secret: "", events: ["sale"] },
      now: NOW,
    });
    expect(third.id).toBe(3);
  });

  test("the delivery worker: each webhook's oldest pending delivery, attempts recorded, old ones pruned", async () => {
    await hook("a", ["sale"]);
    await hook("b", ["sale", "milestone"]);
    await s.db
      .insertInto("webhook_deliveries")
      .values([
        delivery(1, 2, "pending"),
        delivery(2, 1, "pending"),
        delivery(3, 1, "pending"),
        delivery(4, 2, "pending"),
      ])
      .execute();
    const heads = await pendingHeads(s.db);
    expect(json(heads)).toBe(
      json([
        {
          id: 2,
          deliveryId: "d2",
          webhookId: 1,
          event: "sale",
          body: '{"n":2}',
          attempts: 0,
          nextAttemptAt: NOW + 2,
          url: "http://127.0.0.1:9/a",
          secret: "k",
        },
        {
          id: 1,
          deliveryId: "d1",
          webhookId: 2,
          event: "sale",
          body: '{"n":1}',
          attempts: 0,
          nextAttemptAt: NOW + 1,
          url: "http://127.0.0.1:9/b",
          secret: "k",
        },
      ]),
    );
    const outcome = (status: "delivered" | "failed" | "pending", at: number) => ({
      status,
      attempts: 1,
      error: status === "delivered" ? null : "HTTP 503",
      statusCode: status === "delivered" ? 200 : 503,
      at,
      nextAttemptAt: at + 1000,
    });
    await recordAttempt(s.db, 2, outcome("delivered", LATER));
    // A finished delivery is not written again (a late second answer changes nothing).
    await recordAttempt(s.db, 2, outcome("failed", LATER + 5));
    await recordAttempt(s.db, 1, outcome("pending", LATER));
    expect((await pendingHead(s.db, 1))?.deliveryId).toBe("d3");
    expect(await pendingHead(s.db, 2)).toMatchObject({
      deliveryId: "d1",
      attempts: 1,
      nextAttemptAt: LATER + 1000,
    });
    expect(await pendingHead(s.db, 99)).toBe(undefined);
    const log = await READS.webhookDeliveries(s.db, { id: 1 });
    expect(json(log?.[1])).toBe(
      json({
        id: "d2",
        event: "sale",
        status: "delivered",
        attempts: 1,
        last_status_code: 200,
        created_at: "2026-12-01T10:00:00Z",
        last_attempt_at: "2026-12-01T10:01:00Z",
        finished_at: "2026-12-01T10:01:00Z",
      }),
    );

    await recordAttempt(s.db, 3, outcome("failed", LATER));
    await s.db
      .insertInto("webhook_deliveries")
      .values([delivery(5, 1, "pending")])
      .execute();
    // Keep one finished: d2 goes, d3 (newer) stays, the pending d5 is never pruned.
    await pruneFinished(s.db, 1, 1);
    const left = await s.db
      .selectFrom("webhook_deliveries")
      .select(["delivery_id", "status"])
      .orderBy("id")
      .execute();
    expect(left).toEqual([
      { delivery_id: "d1", status: "pending" },
      { delivery_id: "d3", status: "failed" },
      { delivery_id: "d4", status: "pending" },
      { delivery_id: "d5", status: "pending" },
    ]);
  });
});
