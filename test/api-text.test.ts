import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { addMerchant, expectError, get, line, product, sale, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { posBody } from "./support/upstream.js";

/**
 * Text PostgreSQL cannot store (U+0000) or that each engine stores its own way (a lone surrogate),
 * on both engines (this file runs in the sqlite and the postgres project): refused with a 400 naming
 * the field when a client sends it, replaced with U+FFFD when an upstream does.
 */

const json = (t: TestApp) => ({ ...t.auth, "content-type": "application/json" });
const FFFD = "\uFFFD";

describe("text no engine can store alike", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
  });
  afterEach(async () => t.close());
  const raw = (method: "POST" | "PUT", url: string, payload: string) =>
    t.app.inject({ method, url, headers: json(t), payload });

  test("a NUL in any string of an admin body → 400 naming the field; nothing is stored", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const cases: [method: "POST" | "PUT", url: string, payload: string, field: string][] = [
      ["POST", "/v1/admin/merchants", '{"id":"1","public_key":"k","alias":"a\\u0000b"}', "body/alias"],
      ["POST", "/v1/admin/merchants", '{"id":"1\\u0000","public_key":"k","alias":"a"}', "body/id"],
      ["PUT", "/v1/admin/merchants/173", '{"alias":"\\u0000"}', "body/alias"],
      ["PUT", "/v1/admin/merchants/173", '{"alias":"ok","junk":{"x":["\\u0000"]}}', "body/junk"],
      ["PUT", "/v1/admin/merchants/173", '{"alias":"ok","a\\u0000":1}', "a body field"],
      ["POST", "/v1/admin/milestones", '{"name":"x\\u0000","type":"volume","threshold":1}', "body/name"],
    ];
    for (const [method, url, payload, field] of cases) {
      expectError(
        await raw(method, url, payload),
        400,
        `${field} holds a NUL character (U+0000), which cannot be stored`,
      );
    }
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "173", alias: "Bitcoin Coffee" },
    ]);
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toEqual([]);
  });

  test("a lone surrogate is refused alike on both engines (it would be stored as one or three U+FFFD)", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    expectError(
      await raw("PUT", "/v1/admin/merchants/173", '{"alias":"a\\ud800b"}'),
      400,
      "body/alias is not valid Unicode (a lone surrogate)",
    );
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([{ alias: "Bitcoin Coffee" }]);
  });

  test("a NUL in a path parameter or a query string → 400 naming it, before the database is asked", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const nul = "holds a NUL character (U+0000), which cannot be stored";
    expectError(
      await t.app.inject({
        method: "PUT",
        url: "/v1/admin/merchants/17%003",
        headers: json(t),
        payload: '{"alias":"x"}',
      }),
      400,
      `path/id ${nul}`,
    );
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/admin/merchants/1%00/refetch", headers: t.auth }),
      400,
      `path/id ${nul}`,
    );
    expectError(
      await t.app.inject({ method: "GET", url: "/v1/summary?merchant_id=1%00" }),
      400,
      `query/merchant_id ${nul}`,
    );
    expectError(await t.app.inject({ method: "GET", url: "/v1/ticker?x=1&x=%00" }), 400, `query/x ${nul}`);
    // The bytes of a lone surrogate (UTF-8 cannot encode one) are not decoded into one: a 4xx JSON error.
    for (const url of ["/v1/admin/merchants/%ED%A0%80/refetch", "/v1/summary?merchant_id=%ED%A0%80"]) {
      const res = await t.app.inject({
        method: url.includes("refetch") ? "POST" : "GET",
        url,
        headers: t.auth,
      });
      expect([res.statusCode, res.json()]).toEqual([
        expect.toSatisfy((s: number) => s >= 400 && s < 500),
        { error: expect.any(String) },
      ]);
    }
    // No route, no parameter to look up: the usual 404.
    expect((await t.app.inject({ method: "GET", url: "/v1/nothing/%00" })).statusCode).toBe(404);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([{ alias: "Bitcoin Coffee" }]);
  });

  test("NUL and lone surrogates from PayWithFlash are stored as U+FFFD, and its polls keep succeeding", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const first = sale(1, 5000, "2025-11-10T14:00:00.000000+00:00", [line(7, "Tea\u0000Pot", 1, 5000)]);
    const odd = { ...first, SaleOrigin: "p\u0000s" };
    t.upstream.set("173", { kind: "json", body: posBody([odd], [product(7, "Tea\ud800Pot", 1, "5000")]) });
    await poll(t, 1);
    const second = sale(2, 3000, "2025-11-10T14:30:00.000000+00:00", [line(8, "\udc00Mug\u0000", 1, 3000)]);
    t.upstream.set("173", {
      kind: "json",
      body: posBody([second, odd], [product(7, "Tea\ud800Pot", 1, "5000")]),
    });
    await poll(t, 2);

    const db = t.store.db;
    expect(
      await db.selectFrom("transactions").select(["sale_id", "sale_origin"]).orderBy("sale_id").execute(),
    ).toEqual([
      { sale_id: 1, sale_origin: `p${FFFD}s` },
      { sale_id: 2, sale_origin: "pos" },
    ]);
    const lines = await db.selectFrom("sale_lines").select("name").orderBy("name").execute();
    expect(lines.map((l) => l.name)).toEqual([`Tea${FFFD}Pot`, `${FFFD}Mug${FFFD}`].sort());
    expect(await db.selectFrom("products").select("name").execute()).toEqual([{ name: `Tea${FFFD}Pot` }]);
    expect(await merchant(t)).toMatchObject({ consecutive_failures: 0, total_failures: 0, last_error: null });
  });

  test("an upstream failure message with a NUL is recorded, as U+FFFD", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    t.upstream.set("173", { kind: "json", body: { success: false, message: "no\u0000pe\ud800" } });
    expect((await send(t, "POST", "/v1/admin/merchants/173/refetch")).status).toBe(202);
    await vi.waitFor(async () => expect((await merchant(t))?.total_failures).toBe(1));
    expect((await merchant(t))?.last_error).toContain(`no${FFFD}pe${FFFD}`);
  });

  test("the WiFi webhook's body is LNbits', not a client's: a NUL in a field it ignores costs no sale", async () => {
    const hash = "ab".repeat(32);
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/webhooks/wifi",
      headers: { "content-type": "application/json" },
      payload: `{"amount":2100000,"payment_hash":"${hash}","memo":"wifi\\u0000\\ud800"}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "ok", inserted: 1, amount_sats: 2100 });
  });
});

/** Asks for a poll of merchant 173 and waits until its stored sales number `sales`. */
async function poll(t: TestApp, sales: number): Promise<void> {
  expect((await send(t, "POST", "/v1/admin/merchants/173/refetch")).status).toBe(202);
  await vi.waitFor(async () => expect((await merchant(t))?.total_transactions).toBe(sales));
}

function merchant(t: TestApp) {
  return t.store.db
    .selectFrom("merchants")
    .select(["total_transactions", "consecutive_failures", "total_failures", "last_error"])
    .where("id", "=", "173")
    .executeTakeFirst();
}
