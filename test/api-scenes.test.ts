import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Compile } from "typebox/compile";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import * as C from "../src/contract/index.js";
import { get, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

const T0 = "2025-11-10T15:00:00Z";
const T1 = "2025-11-10T15:05:00Z";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp({ now: Date.parse(T0) });
});
afterEach(async () => {
  await t.close();
});

type Scene = C.Scene;
const publicList = async () => (await get(t, "/v1/scenes")).body as Scene[];
const adminList = async () => (await get(t, "/v1/admin/scenes", t.auth)).body as Scene[];
const ids = (list: Scene[]) => list.map((s) => s.id);
const validScene = Compile(C.Scene);

describe("scenes: defaults on a new database", () => {
  test("our four scenes enabled, the original's wifi and merch disabled, 20 s each, in order", async () => {
    const all = await adminList();
    expect(
      all.map(({ id, name, duration, enabled, order, content }) => [
        id,
        name,
        duration,
        enabled,
        order,
        content,
      ]),
    ).toEqual([
      ["overview", "Overview", 20000, true, 1, ""],
      ["merchants", "Merchants", 20000, true, 2, ""],
      ["products", "Products", 20000, true, 3, ""],
      ["trends", "Trends", 20000, true, 4, ""],
      ["wifi", "WiFi", 20000, false, 5, ""],
      ["merch", "Merch", 20000, false, 6, ""],
    ]);
    for (const scene of all) expect(validScene.Check(scene), JSON.stringify(scene)).toBe(true);
    expect(ids(await publicList())).toEqual(["overview", "merchants", "products", "trends"]);
  });

  test("the public list is [] when every scene is disabled", async () => {
    for (const id of ["overview", "merchants", "products", "trends"]) {
      expect((await send(t, "PUT", `/v1/admin/scenes/${id}`, { enabled: false })).status).toBe(200);
    }
    expect(await get(t, "/v1/scenes")).toEqual({ status: 200, body: [] });
  });
});

describe("scenes: create (POST, an upsert)", () => {
  test("201 with the stored scene; defaults: enabled, 20 s, after the last scene, no content", async () => {
    const res = await send(t, "POST", "/v1/admin/scenes", { id: "promo", name: "Promo" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: "promo",
      name: "Promo",
      duration: 20000,
      enabled: true,
      order: 7,
      content: "",
      created_at: T0,
      updated_at: T0,
    });
    expect(ids(await publicList()).at(-1)).toBe("promo");
  });

  test("the original's create form sends duration 0 (the default, 20 s) and order 0 (a place: first)", async () => {
    const res = await send(t, "POST", "/v1/admin/scenes", {
      id: "first",
      name: "First",
      duration: 0,
      enabled: true,
      order: 0,
    });
    expect(res.body).toMatchObject({ duration: 20000, order: 0 });
    expect(ids(await publicList())[0]).toBe("first");
  });

  test("an existing id is overwritten: created_at kept, no duplicate, its place kept without an order", async () => {
    await send(t, "POST", "/v1/admin/scenes", { id: "merch", name: "Shop", content: "T-shirt 21k sats" });
    t.clock.now = Date.parse(T1);
    const res = await send(t, "POST", "/v1/admin/scenes", {
      id: "merch",
      name: "Merch stand",
      duration: 15000,
      enabled: true,
      content: "Hoodie\nCap",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Merch stand",
      duration: 15000,
      order: 6,
      content: "Hoodie\nCap",
    });
    expect(res.body).toMatchObject({ created_at: expect.any(String), updated_at: T1 });
    const all = await adminList();
    expect(all.filter((s) => s.id === "merch")).toHaveLength(1);
    expect(ids(await publicList()).at(-1)).toBe("merch");
    const before = (await adminList()).find((s) => s.id === "overview");
    await send(t, "POST", "/v1/admin/scenes", { id: "overview", name: "Overview", order: 9 });
    const after = (await adminList()).find((s) => s.id === "overview");
    expect(after?.created_at).toBe(before?.created_at);
  });

  test.each([
    [{}, "missing fields"],
    [{ id: "x" }, "missing fields"],
    [{ name: "X" }, "missing fields"],
    [{ id: "", name: "X" }, "missing fields"],
    [{ id: "x", name: "  " }, "missing fields"],
    [{ id: "a b", name: "X" }, /invalid scene id "a b"/],
    [{ id: "a/b", name: "X" }, /invalid scene id/],
    [{ id: "x", name: "n".repeat(101) }, /name/],
    [{ id: "x", name: "X", duration: 999 }, /duration must be 1000–3600000 ms/],
    [{ id: "x", name: "X", duration: 3_600_001 }, /duration/],
    [{ id: "x", name: "X", duration: -1 }, /duration/],
    [{ id: "x", name: "X", order: -1 }, /order/],
    [{ id: "x", name: "X", order: 1_000_001 }, /order/],
    [{ id: "x", name: "X", order: 1.5 }, /order/],
    [{ id: "x", name: "X", content: "c".repeat(2001) }, /content/],
    [{ id: "x", name: "X", enabled: "yes" }, /enabled/],
    [{ id: "x", name: "X", duration: "20000" }, /duration/],
  ])("400 for %j", async (body, message) => {
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/admin/scenes",
      headers: t.auth,
      payload: body,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: typeof message === "string" ? message : expect.stringMatching(message),
    });
    expect(await adminList()).toHaveLength(6);
  });

  test("the limits themselves are accepted", async () => {
    const res = await send(t, "POST", "/v1/admin/scenes", {
      id: "x".repeat(64),
      name: "n".repeat(100),
      duration: 3_600_000,
      order: 1_000_000,
      content: "c".repeat(2000),
    });
    expect(res.status).toBe(201);
    expect((await send(t, "POST", "/v1/admin/scenes", { id: "y", name: "Y", duration: 1000 })).status).toBe(
      201,
    );
    // After a scene at the highest order, a new one cannot go further.
    expect((await send(t, "POST", "/v1/admin/scenes", { id: "z", name: "Z" })).body).toMatchObject({
      order: 1_000_000,
    });
  });
});

describe("scenes: update (PUT) and delete", () => {
  test("partial: only what is given changes; empty name, 0 duration and 0 order keep; a body id is ignored", async () => {
    t.clock.now = Date.parse(T1);
    const res = await send(t, "PUT", "/v1/admin/scenes/trends", {
      id: "other",
      name: "",
      duration: 0,
      order: 0,
      enabled: false,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: "trends",
      name: "Trends",
      duration: 20000,
      order: 4,
      enabled: false,
      updated_at: T1,
    });
    const edited = await send(t, "PUT", "/v1/admin/scenes/trends", {
      name: "Charts",
      duration: 5000,
      order: 1,
      content: "Line one",
    });
    expect(edited.body).toMatchObject({
      name: "Charts",
      duration: 5000,
      order: 1,
      enabled: false,
      content: "Line one",
    });
    expect((await adminList()).map((s) => s.id)).not.toContain("other");
    const cleared = await send(t, "PUT", "/v1/admin/scenes/trends", { content: "" });
    expect(cleared.body).toMatchObject({ content: "" });
  });

  test("ordering: by order, ties by id", async () => {
    await send(t, "PUT", "/v1/admin/scenes/trends", { order: 1 });
    await send(t, "PUT", "/v1/admin/scenes/products", { order: 1 });
    expect(ids(await publicList())).toEqual(["overview", "products", "trends", "merchants"]);
    expect(ids(await adminList())).toEqual(["overview", "products", "trends", "merchants", "wifi", "merch"]);
    await send(t, "PUT", "/v1/admin/scenes/overview", { order: 10 });
    expect(ids(await publicList())).toEqual(["products", "trends", "merchants", "overview"]);
  });

  test("404 for an unknown scene; out-of-range values 400 and change nothing", async () => {
    expect(await send(t, "PUT", "/v1/admin/scenes/nope", { enabled: false })).toMatchObject({
      status: 404,
      body: { error: "scene not found" },
    });
    const bad = await send(t, "PUT", "/v1/admin/scenes/overview", { duration: 500, name: "Changed" });
    expect(bad.status).toBe(400);
    expect((await adminList())[0]).toMatchObject({ name: "Overview", duration: 20000 });
  });

  test("DELETE: 200 with a message, then 404; the original's empty JSON body is accepted", async () => {
    const res = await t.app.inject({
      method: "DELETE",
      url: "/v1/admin/scenes/wifi",
      headers: { ...t.auth, "content-type": "application/json", accept: "application/json" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ message: "scene deleted" });
    expect(ids(await adminList())).not.toContain("wifi");
    expect(await send(t, "DELETE", "/v1/admin/scenes/wifi")).toMatchObject({
      status: 404,
      body: { error: "scene not found" },
    });
  });

  test("every admin scene route needs the token", async () => {
    const calls: [string, string, object?][] = [
      ["GET", "/v1/admin/scenes"],
      ["POST", "/v1/admin/scenes", { id: "x", name: "X" }],
      ["PUT", "/v1/admin/scenes/overview", { enabled: false }],
      ["DELETE", "/v1/admin/scenes/overview"],
    ];
    for (const [method, url, payload] of calls) {
      const res = await t.app.inject({ method: method as "GET", url, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    expect(await adminList()).toHaveLength(6);
  });

  test("edits and deletes persist across a restart, and seeding does not run again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scenes-restart-"));
    try {
      const dbPath = join(dir, "dashboard.db");
      const first = await makeTestApp({ dbPath, now: Date.parse(T0) });
      try {
        await send(first, "PUT", "/v1/admin/scenes/overview", { duration: 7000, name: "Welcome" });
        await send(first, "DELETE", "/v1/admin/scenes/trends");
        await send(first, "POST", "/v1/admin/scenes", { id: "promo", name: "Promo", content: "Cap" });
      } finally {
        await first.close();
      }
      const second = await makeTestApp({ dbPath, now: Date.parse(T1) });
      try {
        const list = (await get(second, "/v1/admin/scenes", second.auth)).body as Scene[];
        expect(ids(list)).toEqual(["overview", "merchants", "products", "wifi", "merch", "promo"]);
        expect(list[0]).toMatchObject({ name: "Welcome", duration: 7000 });
        expect(list.at(-1)).toMatchObject({ content: "Cap", order: 7 });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
