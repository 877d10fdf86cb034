import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  addMerchant,
  addMilestone,
  expectError,
  get,
  ingest,
  line,
  product,
  sale,
  send,
} from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

const T0 = "2025-11-10T15:00:00Z";
const at = (iso: string) => Date.parse(iso);

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ now: at(T0) });
});
afterEach(async () => {
  await t.close();
});

const inject = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload }) });

describe("merchants", () => {
  test("empty list is []", async () => {
    expect(await get(t, "/v1/admin/merchants", t.auth)).toEqual({ status: 200, body: [] });
  });

  test("POST creates (201, enabled by default) and the list shows it", async () => {
    const created = await send(t, "POST", "/v1/admin/merchants", {
      id: "173",
      public_key: "9853874ed7ca145fd90d0711988a231dfb73e7447f58b67c052e230fd7336d5f",
      alias: "Bitcoin Coffee",
    });
    const expected = {
      id: "173",
      public_key: "9853874ed7ca145fd90d0711988a231dfb73e7447f58b67c052e230fd7336d5f",
      alias: "Bitcoin Coffee",
      enabled: true,
      source: "pwf",
      consecutive_failures: 0,
      created_at: "2025-11-10T15:00:00Z",
      updated_at: "2025-11-10T15:00:00Z",
    };
    expect(created).toMatchObject({ status: 201, body: expected });
    expect(await get(t, "/v1/admin/merchants", t.auth)).toEqual({ status: 200, body: [expected] });
  });

  test("POST with enabled: false creates a disabled merchant; the list is ordered by id", async () => {
    await addMerchant(t, "b-2", "Second");
    expect(
      await send(t, "POST", "/v1/admin/merchants", {
        id: "a_1",
        public_key: "k",
        alias: "First",
        enabled: false,
      }),
    ).toMatchObject({ status: 201, body: { id: "a_1", enabled: false } });
    const { body } = await get(t, "/v1/admin/merchants", t.auth);
    expect((body as { id: string; enabled: boolean }[]).map((m) => [m.id, m.enabled])).toEqual([
      ["a_1", false],
      ["b-2", true],
    ]);
    expect((await get(t, "/v1/summary")).body).toMatchObject({ active_merchants: 1, total_merchants: 2 });
  });

  test("POST on an existing id updates it (200) and keeps its sales, totals and poll state", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee", { public_key: "old-key" });
    t.clock.now = at("2025-11-10T15:05:00Z");
    await ingest(
      t,
      "173",
      [sale(1, 2100, "2025-11-10T14:58:00.000000+00:00"), sale(2, 900, "2025-11-10T14:59:00.000000+00:00")],
      [product(480, "Espresso", 2, "3000")],
    );
    t.clock.now = at("2025-11-10T15:10:00Z");
    const updated = await send(t, "POST", "/v1/admin/merchants", {
      id: "173",
      public_key: "new-key",
      alias: "Coffee & Sats",
    });
    expect(updated).toEqual({
      status: 200,
      raw: expect.any(String),
      body: {
        id: "173",
        public_key: "new-key",
        alias: "Coffee & Sats",
        enabled: true,
        last_polled_at: "2025-11-10T15:05:00Z",
        source: "pwf",
        consecutive_failures: 0,
        created_at: "2025-11-10T15:00:00Z",
        updated_at: "2025-11-10T15:10:00Z",
      },
    });
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 2,
      total_volume_sats: 3000,
      unique_products: 1,
      total_merchants: 1,
    });
    expect((await get(t, "/v1/leaderboard/merchants?window=all")).body).toEqual([
      { merchant_id: "173", alias: "Coffee & Sats", transactions: 2, volume_sats: 3000 },
    ]);
    expect((await get(t, "/v1/leaderboard/products")).body).toEqual([
      { merchant_id: "173", product_id: 480, name: "Espresso", transactions: 2, volume_sats: 3000 },
    ]);
  });

  test("POST without enabled on an existing disabled merchant enables it (enabled defaults to true)", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee", { enabled: false });
    expect(
      await send(t, "POST", "/v1/admin/merchants", { id: "173", public_key: "k", alias: "Bitcoin Coffee" }),
    ).toMatchObject({ status: 200, body: { enabled: true } });
  });

  test.each<[string, object, RegExp]>([
    ["missing id", { public_key: "k", alias: "a" }, /required property 'id'/],
    ["missing public_key", { id: "1", alias: "a" }, /required property 'public_key'/],
    ["missing alias", { id: "1", public_key: "k" }, /required property 'alias'/],
    ["empty id", { id: "", public_key: "k", alias: "a" }, /body\/id/],
    ["id with a slash", { id: "../1", public_key: "k", alias: "a" }, /body\/id/],
    ["id with a space", { id: "1 2", public_key: "k", alias: "a" }, /body\/id/],
    ["empty alias", { id: "1", public_key: "k", alias: "" }, /body\/alias/],
    ["empty public_key", { id: "1", public_key: "", alias: "a" }, /body\/public_key/],
    ["numeric alias object", { id: "1", public_key: "k", alias: { x: 1 } }, /body\/alias/],
    ["enabled not a boolean", { id: "1", public_key: "k", alias: "a", enabled: "yes" }, /body\/enabled/],
    // Ajv's coercion would read null as false (a disabled merchant) or "" (an empty key).
    [
      "enabled null",
      { id: "1", public_key: "k", alias: "a", enabled: null },
      /body\/enabled must not be null/,
    ],
    ["public_key null", { id: "1", public_key: null, alias: "a" }, /body\/public_key/],
  ])("POST with %s → 400 and nothing stored", async (_, payload, message) => {
    expectError(await inject("POST", "/v1/admin/merchants", payload), 400, message);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);
  });

  test("PUT updates only the given fields", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee", { public_key: "key-1" });
    t.clock.now = at("2025-11-10T15:02:00Z");
    await ingest(t, "173", [sale(1, 500, "2025-11-10T15:01:00.000000+00:00")]);

    t.clock.now = at("2025-11-10T15:30:00Z");
    expect(await send(t, "PUT", "/v1/admin/merchants/173", { alias: "New Name" })).toMatchObject({
      status: 200,
      body: {
        id: "173",
        public_key: "key-1",
        alias: "New Name",
        enabled: true,
        last_polled_at: "2025-11-10T15:02:00Z",
        source: "pwf",
        consecutive_failures: 0,
        created_at: "2025-11-10T15:00:00Z",
        updated_at: "2025-11-10T15:30:00Z",
      },
    });

    t.clock.now = at("2025-11-10T15:35:00Z");
    const disabled = await send(t, "PUT", "/v1/admin/merchants/173", { enabled: false });
    expect(disabled.body).toEqual({
      id: "173",
      public_key: "key-1",
      alias: "New Name",
      enabled: false,
      last_polled_at: "2025-11-10T15:02:00Z",
      source: "pwf",
      consecutive_failures: 0,
      created_at: "2025-11-10T15:00:00Z",
      updated_at: "2025-11-10T15:35:00Z",
    });
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      active_merchants: 0,
      total_merchants: 1,
      total_transactions: 1,
    });

    expect(await send(t, "PUT", "/v1/admin/merchants/173", { public_key: "key-2" })).toMatchObject({
      status: 200,
      body: { public_key: "key-2", alias: "New Name", enabled: false },
    });
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "173", public_key: "key-2", alias: "New Name", enabled: false },
    ]);
  });

  test("PUT of an unknown merchant → 404; a bad id or body → 400", async () => {
    expectError(
      await inject("PUT", "/v1/admin/merchants/999", { alias: "x" }),
      404,
      "merchant 999 not found",
    );
    await addMerchant(t, "173", "Bitcoin Coffee");
    // (An empty alias is "keep", as the original's edit form means it: see the frontend's details below.)
    expectError(
      await inject("PUT", "/v1/admin/merchants/173", { alias: "x".repeat(201) }),
      400,
      /body\/alias/,
    );
    expectError(await inject("PUT", "/v1/admin/merchants/173", { enabled: "maybe" }), 400, /body\/enabled/);
    expectError(await inject("PUT", "/v1/admin/merchants/173", { enabled: null }), 400, /body\/enabled/);
    expectError(await inject("PUT", "/v1/admin/merchants/a%20b", { alias: "x" }), 400, /params\/id/);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([{ alias: "Bitcoin Coffee" }]);
  });

  test("DELETE removes the merchant with its sales, products and totals (200, a JSON message); others stay", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    await addMerchant(t, "174", "Lightning Bistro");
    await ingest(
      t,
      "173",
      [
        sale(1, 2000, "2025-11-10T14:58:00.000000+00:00", [line(480, "Espresso", 2, 1000)]),
        sale(2, 1000, "2025-11-10T14:30:00.000000+00:00"),
      ],
      [product(480, "Espresso", 30, "30000")],
    );
    await ingest(
      t,
      "174",
      [
        sale(1, 700, "2025-11-10T14:57:00.000000+00:00", [line(9, "Pupusa", 1, 700)], {
          currency: "eur",
          amount: "0.65",
        }),
      ],
      [product(9, "Pupusa", 4, "2800")],
    );
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 3,
      total_volume_sats: 3700,
    });

    const res = await inject("DELETE", "/v1/admin/merchants/173");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "merchant deleted" });

    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([{ id: "174" }]);
    expect((await get(t, "/v1/summary")).body).toEqual({
      total_transactions: 1,
      total_volume_sats: 700,
      average_transaction_size: 700,
      active_merchants: 1,
      reporting_merchants: 1,
      total_merchants: 1,
      unique_products: 1,
      transactions_per_minute: 0.2,
      volume_per_minute: 140,
      rate_window_seconds: 300,
      fiat_volume: [{ currency: "eur", amount: 0.65 }],
      last_polled_at: "2025-11-10T15:00:00Z",
    });
    const bistro = { merchant_id: "174", alias: "Lightning Bistro", transactions: 1, volume_sats: 700 };
    expect((await get(t, "/v1/leaderboard/merchants")).body).toEqual([bistro]);
    expect((await get(t, "/v1/leaderboard/merchants?window=all&metric=volume")).body).toEqual([bistro]);
    expect((await get(t, "/v1/leaderboard/products")).body).toEqual([
      { merchant_id: "174", product_id: 9, name: "Pupusa", transactions: 4, volume_sats: 2800 },
    ]);
    expect((await get(t, "/v1/leaderboard/products?window=24h")).body).toEqual([
      { merchant_id: "174", product_id: 9, name: "Pupusa", transactions: 1, volume_sats: 700 },
    ]);
    expect((await get(t, "/v1/ticker")).body).toMatchObject([{ merchant_id: "174", sale_id: 1 }]);

    expectError(await inject("DELETE", "/v1/admin/merchants/173"), 404, "merchant 173 not found");
  });

  test("a merchant deleted and added again starts from nothing; its old sales count again when polled", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const sales = [
      sale(1, 100, "2025-11-10T14:00:00.000000+00:00"),
      sale(2, 200, "2025-11-10T14:10:00.000000+00:00"),
    ];
    await ingest(t, "173", sales);
    expect((await inject("DELETE", "/v1/admin/merchants/173")).statusCode).toBe(200);
    await addMerchant(t, "173", "Bitcoin Coffee");
    expect((await get(t, "/v1/summary")).body).toMatchObject({ total_transactions: 0, total_volume_sats: 0 });
    expect((await get(t, "/v1/ticker")).body).toEqual([]);
    await ingest(t, "173", sales);
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_transactions: 2,
      total_volume_sats: 300,
    });
  });

  test("sales of an unknown merchant are not stored", async () => {
    expect(await ingest(t, "404", [sale(1, 100, "2025-11-10T14:00:00.000000+00:00")])).toBeUndefined();
    expect((await get(t, "/v1/ticker")).body).toEqual([]);
    expect((await get(t, "/v1/summary")).body).toMatchObject({ total_transactions: 0 });
  });

  test("refetch answers 202 {status: refreshing} and asks for a poll, even of a disabled merchant", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    await addMerchant(t, "174", "Lightning Bistro", { enabled: false });
    expect(await send(t, "POST", "/v1/admin/merchants/173/refetch")).toEqual({
      status: 202,
      body: { status: "refreshing" },
      raw: '{"status":"refreshing"}',
    });
    expect((await send(t, "POST", "/v1/admin/merchants/174/refetch")).status).toBe(202);
    // The polls start after the answer; their requests reach the upstream stand-in soon after.
    await vi.waitFor(() => expect([...t.refetched].sort()).toEqual(["173", "174"]));
  });

  test("refetch of an unknown merchant → 404 and no poll asked", async () => {
    expectError(await inject("POST", "/v1/admin/merchants/999/refetch"), 404, "merchant 999 not found");
    expectError(await inject("POST", "/v1/admin/merchants/a.b/refetch"), 400, /params\/id/);
    expect(t.refetched).toEqual([]);
  });
});

describe("milestones", () => {
  test("empty list is []", async () => {
    expect(await get(t, "/v1/admin/milestones", t.auth)).toEqual({ status: 200, body: [] });
  });

  test("POST creates (201, enabled by default, not triggered) and the list shows them by id", async () => {
    const first = await send(t, "POST", "/v1/admin/milestones", {
      name: "10,000 Transactions",
      type: "transactions",
      threshold: 10000,
    });
    const firstBody = {
      id: 1,
      name: "10,000 Transactions",
      type: "transactions",
      threshold: 10000,
      enabled: true,
      triggered: false,
      created_at: "2025-11-10T15:00:00Z",
      updated_at: "2025-11-10T15:00:00Z",
    };
    expect(first).toMatchObject({ status: 201, body: firstBody });
    expect(first.body).not.toHaveProperty("triggered_at");

    t.clock.now = at("2025-11-10T15:01:00Z");
    const second = await send(t, "POST", "/v1/admin/milestones", {
      name: "1 Million Sats",
      type: "volume",
      threshold: 1_000_000,
      enabled: false,
    });
    const secondBody = {
      id: 2,
      name: "1 Million Sats",
      type: "volume",
      threshold: 1_000_000,
      enabled: false,
      triggered: false,
      created_at: "2025-11-10T15:01:00Z",
      updated_at: "2025-11-10T15:01:00Z",
    };
    expect(second).toMatchObject({ status: 201, body: secondBody });
    expect(await get(t, "/v1/admin/milestones", t.auth)).toEqual({
      status: 200,
      body: [firstBody, secondBody],
    });
  });

  test.each<[string, object, RegExp]>([
    ["missing name", { type: "transactions", threshold: 1 }, /required property 'name'/],
    ["empty name", { name: "", type: "transactions", threshold: 1 }, /body\/name/],
    ["missing type", { name: "x", threshold: 1 }, /required property 'type'/],
    ["unknown type", { name: "x", type: "revenue", threshold: 1 }, /body\/type/],
    ["missing threshold", { name: "x", type: "volume" }, /required property 'threshold'/],
    ["negative threshold", { name: "x", type: "volume", threshold: -1 }, /body\/threshold must be >= 0/],
    [
      "fractional threshold",
      { name: "x", type: "volume", threshold: 1.5 },
      /body\/threshold must be integer/,
    ],
    ["threshold abc", { name: "x", type: "volume", threshold: "abc" }, /body\/threshold must be integer/],
    // Ajv's coercion would read null as 0: a milestone that fires at once.
    ["threshold null", { name: "x", type: "volume", threshold: null }, /body\/threshold must not be null/],
    ["threshold beyond 2^53", { name: "x", type: "volume", threshold: 2 ** 60 }, /body\/threshold/],
    // Ajv coerces these strings to Infinity and skips its bounds: they were stored, then broke the list.
    ["threshold '1e400'", { name: "x", type: "volume", threshold: "1e400" }, /body\/threshold/],
    ["threshold '-Infinity'", { name: "x", type: "volume", threshold: "-Infinity" }, /body\/threshold/],
    ["enabled not a boolean", { name: "x", type: "volume", threshold: 1, enabled: "on" }, /body\/enabled/],
  ])("POST with %s → 400 and nothing stored", async (_, payload, message) => {
    expectError(await inject("POST", "/v1/admin/milestones", payload), 400, message);
    expect(await get(t, "/v1/admin/milestones", t.auth)).toEqual({ status: 200, body: [] });
  });

  test("PUT updates only the given fields", async () => {
    const id = await addMilestone(t, { name: "Ten", type: "transactions", threshold: 10 });
    t.clock.now = at("2025-11-10T15:20:00Z");
    expect(await send(t, "PUT", `/v1/admin/milestones/${id}`, { name: "Fifteen" })).toEqual({
      status: 200,
      raw: expect.any(String),
      body: {
        id,
        name: "Fifteen",
        type: "transactions",
        threshold: 10,
        enabled: true,
        triggered: false,
        created_at: "2025-11-10T15:00:00Z",
        updated_at: "2025-11-10T15:20:00Z",
      },
    });
    expect(
      await send(t, "PUT", `/v1/admin/milestones/${id}`, { threshold: 15, enabled: false }),
    ).toMatchObject({
      status: 200,
      body: { name: "Fifteen", type: "transactions", threshold: 15, enabled: false, triggered: false },
    });
    expect(await send(t, "PUT", `/v1/admin/milestones/${id}`, { type: "volume" })).toMatchObject({
      status: 200,
      body: { name: "Fifteen", type: "volume", threshold: 15, enabled: false },
    });
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toMatchObject([
      { id, name: "Fifteen", type: "volume", threshold: 15, enabled: false },
    ]);
  });

  test("PUT with a bad body → 400 and nothing changes", async () => {
    const id = await addMilestone(t, { name: "Ten", type: "transactions", threshold: 10 });
    for (const [payload, message] of [
      [{ threshold: -5 }, /body\/threshold/],
      [{ threshold: 2.5 }, /body\/threshold/],
      [{ threshold: "1e400" }, /body\/threshold/],
      [{ threshold: null }, /body\/threshold/],
      [{ enabled: null }, /body\/enabled/],
      [{ type: "sats" }, /body\/type/],
      [{ name: "" }, /body\/name/],
      [{ reset_trigger: "please" }, /body\/reset_trigger/],
    ] as const) {
      expectError(await inject("PUT", `/v1/admin/milestones/${id}`, payload), 400, message);
    }
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toMatchObject([
      { id, name: "Ten", type: "transactions", threshold: 10, enabled: true },
    ]);
  });

  test("PUT reset_trigger: true re-arms a triggered milestone; false leaves it triggered", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const id = await addMilestone(t, { name: "First sale", type: "transactions", threshold: 1 });
    t.clock.now = at("2025-11-10T15:05:00Z");
    await ingest(t, "173", [sale(1, 100, "2025-11-10T15:04:00.000000+00:00")]);
    const [fired] = (await get(t, "/v1/admin/milestones", t.auth)).body as object[];
    expect(fired).toMatchObject({ id, triggered: true, triggered_at: "2025-11-10T15:05:00Z" });

    t.clock.now = at("2025-11-10T15:10:00Z");
    expect(await send(t, "PUT", `/v1/admin/milestones/${id}`, { reset_trigger: false })).toMatchObject({
      status: 200,
      body: { triggered: true, triggered_at: "2025-11-10T15:05:00Z" },
    });
    const rearmed = await send(t, "PUT", `/v1/admin/milestones/${id}`, { reset_trigger: true });
    expect(rearmed).toEqual({
      status: 200,
      raw: expect.any(String),
      body: {
        id,
        name: "First sale",
        type: "transactions",
        threshold: 1,
        enabled: true,
        triggered: false,
        created_at: "2025-11-10T15:00:00Z",
        updated_at: "2025-11-10T15:10:00Z",
      },
    });
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toEqual([rearmed.body]);
  });

  test("PUT or DELETE of an unknown milestone → 404; a bad id → 400", async () => {
    expectError(await inject("PUT", "/v1/admin/milestones/99", { name: "x" }), 404, "milestone 99 not found");
    expectError(await inject("DELETE", "/v1/admin/milestones/99"), 404, "milestone 99 not found");
    expectError(await inject("PUT", "/v1/admin/milestones/abc", { name: "x" }), 400, /params\/id/);
    expectError(await inject("PUT", "/v1/admin/milestones/0", { name: "x" }), 400, /params\/id/);
    expectError(await inject("DELETE", "/v1/admin/milestones/1.5"), 400, /params\/id/);
    expectError(await inject("DELETE", "/v1/admin/milestones/1e400"), 400, /params\/id/);
  });

  test("DELETE removes the milestone (200, a JSON message) but keeps its trigger history", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const gone = await addMilestone(t, { name: "First sale", type: "transactions", threshold: 1 });
    const kept = await addMilestone(t, { name: "Big", type: "volume", threshold: 1_000_000 });
    t.clock.now = at("2025-11-10T15:05:00Z");
    await ingest(t, "173", [sale(1, 250, "2025-11-10T15:04:00.000000+00:00")]);
    const trigger = {
      id: 1,
      milestone_id: gone,
      name: "First sale",
      type: "transactions",
      threshold: 1,
      triggered_at: "2025-11-10T15:05:00Z",
      total_transactions: 1,
      total_volume_sats: 250,
    };
    expect((await get(t, "/v1/milestones/triggers")).body).toEqual([trigger]);

    const res = await inject("DELETE", `/v1/admin/milestones/${gone}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "milestone deleted" });
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toMatchObject([{ id: kept }]);
    expect((await get(t, "/v1/milestones/triggers")).body).toEqual([trigger]);
    // Deleted, it cannot fire again either.
    t.clock.now = at("2025-11-10T15:06:00Z");
    await ingest(t, "173", [sale(2, 250, "2025-11-10T15:05:30.000000+00:00")]);
    expect((await get(t, "/v1/milestones/triggers")).body).toEqual([trigger]);
    expectError(await inject("DELETE", `/v1/admin/milestones/${gone}`), 404, `milestone ${gone} not found`);
  });
});

describe("as the original frontend calls it (a JSON content type on every admin call)", () => {
  const withEmptyJson = (method: "POST" | "PUT" | "DELETE", url: string) =>
    t.app.inject({ method, url, headers: { ...t.auth, "content-type": "application/json" }, payload: "" });

  test("refetch and delete take an empty body and answer JSON; routes with a body still refuse an empty one", async () => {
    await send(t, "POST", "/v1/admin/merchants", { id: "173", public_key: "k173", alias: "Bitcoin Coffee" });
    const milestone = await send(t, "POST", "/v1/admin/milestones", {
      name: "First sale",
      type: "transactions",
      threshold: 1,
    });
    const milestoneId = (milestone.body as { id: number }).id;

    const refetch = await withEmptyJson("POST", "/v1/admin/merchants/173/refetch");
    expect([refetch.statusCode, refetch.json()]).toEqual([202, { status: "refreshing" }]);
    const gone = await withEmptyJson("DELETE", `/v1/admin/milestones/${milestoneId}`);
    expect([gone.statusCode, gone.json()]).toEqual([200, { message: "milestone deleted" }]);
    const deleted = await withEmptyJson("DELETE", "/v1/admin/merchants/173");
    expect([deleted.statusCode, deleted.json()]).toEqual([200, { message: "merchant deleted" }]);
    const again = await withEmptyJson("DELETE", "/v1/admin/merchants/173");
    expect([again.statusCode, again.json()]).toEqual([404, { error: "merchant 173 not found" }]);

    for (const [method, url] of [
      ["POST", "/v1/admin/merchants"],
      ["PUT", "/v1/admin/merchants/173"],
      ["POST", "/v1/admin/milestones"],
    ] as const) {
      const res = await withEmptyJson(method, url);
      expect([res.statusCode, res.json()], `${method} ${url}`).toEqual([
        400,
        { error: "request body is empty; send a JSON object" },
      ]);
    }
  });
});

describe("the original frontend's admin details", () => {
  test("merchants are listed by alias (byte order), milestones by threshold", async () => {
    for (const [id, alias] of [
      ["1", "Zebra Bar"],
      ["2", "apple stand"],
      ["3", "Bitcoin Coffee"],
    ])
      await send(t, "POST", "/v1/admin/merchants", { id, public_key: `k${id}`, alias });
    const aliases = ((await get(t, "/v1/admin/merchants", t.auth)).body as { alias: string }[]).map(
      (m) => m.alias,
    );
    expect(aliases).toEqual(["Bitcoin Coffee", "Zebra Bar", "apple stand"]);

    for (const threshold of [500, 1, 20])
      await send(t, "POST", "/v1/admin/milestones", { name: `at ${threshold}`, type: "volume", threshold });
    const thresholds = ((await get(t, "/v1/admin/milestones", t.auth)).body as { threshold: number }[]).map(
      (m) => m.threshold,
    );
    expect(thresholds).toEqual([1, 20, 500]);
  });

  test("PUT takes the edit form's whole merchant: the same or an empty id is fine, empty fields keep, another id is 400", async () => {
    await send(t, "POST", "/v1/admin/merchants", {
      id: "173",
      public_key: "key-173",
      alias: "Bitcoin Coffee",
    });
    const same = await send(t, "PUT", "/v1/admin/merchants/173", {
      id: "173",
      public_key: "",
      alias: "Coffee Corner",
      enabled: false,
    });
    expect(same).toMatchObject({
      status: 200,
      body: { id: "173", public_key: "key-173", alias: "Coffee Corner", enabled: false },
    });
    const emptyId = await send(t, "PUT", "/v1/admin/merchants/173", {
      id: "",
      alias: "",
      public_key: "key-2",
    });
    expect(emptyId).toMatchObject({ status: 200, body: { alias: "Coffee Corner", public_key: "key-2" } });

    const other = await send(t, "PUT", "/v1/admin/merchants/173", { id: "174", alias: "Elsewhere" });
    expect([other.status, other.body]).toEqual([
      400,
      { error: "cannot change merchant ID; please create a new merchant instead" },
    ]);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "173", alias: "Coffee Corner", public_key: "key-2", enabled: false },
    ]);
  });

  test("a preflight like the original frontend's is allowed and cached 5 min", async () => {
    const res = await t.app.inject({
      method: "OPTIONS",
      url: "/v1/admin/merchants/173",
      headers: {
        origin: "https://dashboard.example",
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "accept, authorization, content-type, x-requested-with",
      },
    });
    expect(res.statusCode).toBe(204);
    const list = (h: unknown) =>
      String(h)
        .split(",")
        .map((v) => v.trim().toLowerCase());
    expect(list(res.headers["access-control-allow-methods"])).toEqual(
      expect.arrayContaining(["get", "post", "put", "patch", "delete", "options"]),
    );
    expect(list(res.headers["access-control-allow-headers"])).toEqual(
      expect.arrayContaining([
        "accept",
        "authorization",
        "content-type",
        "x-admin-token",
        "x-requested-with",
      ]),
    );
    expect(res.headers["access-control-max-age"]).toBe("300");
  });
});
