import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectError, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { captureLogger } from "./support/log.js";

/** The admin side of outgoing webhooks: CRUD, validation, and a secret that never comes back out. */

const SECRET = "s3cret-for-the-receiver-0123456789";
let t: TestApp;
let logs: ReturnType<typeof captureLogger>;
beforeEach(async () => {
  logs = captureLogger();
  t = await makeTestApp({ log: logs.log });
});
afterEach(() => t.close());

const create = (body: object) => send(t, "POST", "/v1/admin/webhooks", body);

describe("/v1/admin/webhooks", () => {
  it("creates, lists, updates and deletes, never answering the secret", async () => {
    const made = await create({ url: "https://hooks.example/pos", secret: SECRET, events: ["milestone"] });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      id: expect.any(Number),
      url: "https://hooks.example/pos",
      events: ["milestone"],
      has_secret: true,
      created_at: "2025-11-10T15:00:00Z",
      updated_at: "2025-11-10T15:00:00Z",
    });
    const id = (made.body as { id: number }).id;

    t.clock.now += 1000;
    const changed = await send(t, "PUT", `/v1/admin/webhooks/${id}`, { events: ["sale", "milestone"] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ url: "https://hooks.example/pos", events: ["milestone", "sale"] });
    expect(changed.body).toMatchObject({ updated_at: "2025-11-10T15:00:01Z" });

    const other = "another-secret-0123456789abcdef";
    const moved = await send(t, "PUT", `/v1/admin/webhooks/${id}`, {
      url: "http://127.0.0.1:1/x",
      secret: other,
    });
    expect(moved.body).toMatchObject({ url: "http://127.0.0.1:1/x", has_secret: true });
    const stored = await t.store.db.selectFrom("webhooks").select("secret").executeTakeFirstOrThrow();
    expect(stored.secret).toBe(other);

    const list = await t.app.inject({ method: "GET", url: "/v1/admin/webhooks", headers: t.auth });
    expect(list.json()).toEqual([moved.body]);
    const log = await t.app.inject({
      method: "GET",
      url: `/v1/admin/webhooks/${id}/deliveries`,
      headers: t.auth,
    });
    expect(log.statusCode).toBe(200);
    expect(log.json()).toEqual([]);

    for (const raw of [made.raw, changed.raw, moved.raw, list.body])
      for (const secret of [SECRET, other]) expect(raw).not.toContain(secret);
    expect(JSON.stringify(logs.lines)).not.toContain(SECRET);
    expect(JSON.stringify(logs.lines)).not.toContain(other);

    const gone = await send(t, "DELETE", `/v1/admin/webhooks/${id}`);
    expect(gone).toMatchObject({ status: 200, body: { message: "webhook deleted" } });
    const again = await t.app.inject({ method: "DELETE", url: `/v1/admin/webhooks/${id}`, headers: t.auth });
    expectError(again, 404, `webhook ${id} not found`);
  });

  it.each([
    ["an ftp URL", { url: "ftp://hooks.example/x" }, "url must be http or https"],
    ["a relative URL", { url: "/hooks" }, "url must be an absolute http or https URL"],
    ["no events", { events: [] }, /events/],
    ["an unknown event", { events: ["refund"] }, /events/],
    ["a repeated event", { events: ["sale", "sale"] }, /events/],
    ["a short secret", { secret: "short" }, /secret/],
    ["a long secret", { secret: "x".repeat(257) }, /secret/],
    [
      "a secret with a newline",
      { secret: `${"x".repeat(20)}\n` },
      "secret must be printable ASCII (value not shown)",
    ],
    ["no url", { url: undefined }, /url/],
    ["events as a string", { events: "sale" }, /events/],
  ])("refuses %s with 400", async (_what, change, message) => {
    const body = { url: "https://hooks.example/pos", secret: SECRET, events: ["sale"], ...change };
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/admin/webhooks",
      headers: t.auth,
      payload: body,
    });
    expectError(res, 400, message);
    expect(res.body).not.toContain(SECRET);
    const list = await t.app.inject({ method: "GET", url: "/v1/admin/webhooks", headers: t.auth });
    expect(list.json()).toEqual([]);
  });

  it("refuses bad ids, unknown ids, bad patches and missing tokens", async () => {
    const made = await create({ url: "https://hooks.example/pos", secret: SECRET, events: ["sale"] });
    const id = (made.body as { id: number }).id;
    const inject = (method: "GET" | "PUT" | "DELETE", url: string, payload?: object, headers = t.auth) =>
      t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    expectError(await inject("GET", "/v1/admin/webhooks/0x1/deliveries"), 400, /id/);
    expectError(await inject("GET", "/v1/admin/webhooks/999/deliveries"), 404, "webhook 999 not found");
    expectError(
      await inject("PUT", "/v1/admin/webhooks/999", { events: ["sale"] }),
      404,
      "webhook 999 not found",
    );
    expectError(await inject("PUT", `/v1/admin/webhooks/${id}`, { url: "javascript:alert(1)" }), 400, /url/);
    expectError(await inject("PUT", `/v1/admin/webhooks/${id}`, { events: [] }), 400, /events/);
    expectError(await inject("GET", "/v1/admin/webhooks", undefined, {}), 401, "unauthorized");
    expectError(await inject("DELETE", `/v1/admin/webhooks/${id}`, undefined, {}), 401, "unauthorized");
    const list = await inject("GET", "/v1/admin/webhooks");
    expect(list.json()).toMatchObject([{ id, url: "https://hooks.example/pos", events: ["sale"] }]);
  });
});
