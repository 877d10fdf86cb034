import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MAX_JSON_DEPTH } from "../src/api/body.js";
import { buildApp } from "../src/app.js";
import { openIngest } from "../src/ingest/runtime.js";
import type { createService as CreateService, Service } from "../src/service.js";
import type { StoreAccess } from "../src/store/access.js";
import { addMerchant, addMilestone, expectError, get } from "./support/api-helpers.js";
import { makeTestApp, TEST_TOKEN, type TestApp, testConfig } from "./support/app.js";

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const { createService } = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

const auth = { authorization: `Bearer ${TEST_TOKEN}` };
const json = { ...auth, "content-type": "application/json" };

/** `{"a":{"a":…1…}}`, `levels` objects deep. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

const ADMIN_WRITES: [method: "POST" | "PUT", url: string, fields: string][] = [
  ["PUT", "/v1/admin/merchants/173", '"alias":"Renamed"'],
  ["PUT", "/v1/admin/merchants/nope", '"alias":"Renamed"'],
  ["POST", "/v1/admin/merchants", '"id":"174","public_key":"k","alias":"New"'],
  ["PUT", "/v1/admin/milestones/1", '"name":"Renamed"'],
  ["PUT", "/v1/admin/milestones/99999", '"name":"Renamed"'],
  ["POST", "/v1/admin/milestones", '"name":"New","type":"volume","threshold":5'],
];

describe("unknown fields on the service's ingest thread", () => {
  let service: Service;
  beforeAll(async () => {
    service = await createService(testConfig(), { log: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await service.stop();
  });
  const write = (method: "POST" | "PUT", url: string, payload: string) =>
    service.app.inject({ method, url, headers: json, payload });

  test("an unknown field nested 5,000 deep → 400 naming the limit, never 500, and nothing changes", async () => {
    expect(
      (await write("POST", "/v1/admin/merchants", '{"id":"173","public_key":"k","alias":"A"}')).statusCode,
    ).toBe(201);
    expect(
      (await write("POST", "/v1/admin/milestones", '{"name":"M","type":"volume","threshold":1}')).statusCode,
    ).toBe(201);
    for (const [method, url, fields] of ADMIN_WRITES) {
      const res = await write(method, url, `{${fields},"junk":${nested(5000)}}`);
      expectError(res, 400, `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const merchants = await service.app.inject({ url: "/v1/admin/merchants", headers: auth });
    expect(merchants.json()).toMatchObject([{ id: "173", alias: "A" }]);
    const milestones = await service.app.inject({ url: "/v1/admin/milestones", headers: auth });
    expect(milestones.json()).toMatchObject([{ id: 1, name: "M" }]);
  });

  test("nesting at the limit is accepted and the unknown field ignored: 404 for a missing id", async () => {
    const junk = nested(MAX_JSON_DEPTH - 1);
    expectError(
      await write("PUT", "/v1/admin/milestones/99999", `{"name":"x","junk":${junk}}`),
      404,
      "milestone 99999 not found",
    );
    expectError(
      await write("PUT", "/v1/admin/merchants/nope", `{"junk":${junk}}`),
      404,
      "merchant nope not found",
    );
    const created = await write(
      "POST",
      "/v1/admin/milestones",
      `{"name":"Deep","type":"volume","threshold":2,"junk":${junk}}`,
    );
    expect(created.statusCode).toBe(201);
    expect(Object.keys(created.json() as object)).not.toContain("junk");
  });

  test("one level more than the limit → 400", async () => {
    expectError(
      await write("PUT", "/v1/admin/milestones/99999", `{"name":"x","junk":${nested(MAX_JSON_DEPTH)}}`),
      400,
      `request body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
    // Brackets inside strings are text, not nesting.
    const text = JSON.stringify("[{".repeat(5000));
    expectError(await write("PUT", "/v1/admin/milestones/99999", `{"name":${text}}`), 400, /name/);
  });
});

describe("what reaches the store", () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const changes: { name: string; args: unknown }[] = [];
  beforeEach(async () => {
    const config = testConfig();
    const log = pino({ level: "silent" });
    const ingest = await openIngest(config, log, {});
    // The real store, recording each change's arguments: what would be cloned to the ingest thread.
    const store: StoreAccess = {
      read: (name, args) => ingest.store.read(name, args),
      change: (name, args) => {
        changes.push({ name, args: structuredClone(args) });
        return ingest.store.change(name, args);
      },
    };
    app = await buildApp({ store, config, refetch: ingest.refetch });
    close = async () => {
      await app.close();
      await ingest.stop();
    };
    changes.length = 0;
  });
  afterEach(async () => close());

  test("only the fields each body names, never an unknown one", async () => {
    const send = (method: "POST" | "PUT", url: string, payload: object) =>
      app.inject({ method, url, headers: auth, payload });
    const junk = { junk: { deep: [1, 2, 3] }, constructor_: "x", id_extra: 1 };
    expect(
      (await send("POST", "/v1/admin/merchants", { id: "1", public_key: "k", alias: "A", ...junk }))
        .statusCode,
    ).toBe(201);
    expect(
      (await send("PUT", "/v1/admin/merchants/1", { alias: "B", enabled: false, ...junk })).statusCode,
    ).toBe(200);
    expect(
      (await send("POST", "/v1/admin/milestones", { name: "M", type: "volume", threshold: 3, ...junk }))
        .statusCode,
    ).toBe(201);
    expect((await send("PUT", "/v1/admin/milestones/1", { reset_trigger: true, ...junk })).statusCode).toBe(
      200,
    );
    expect(changes).toEqual([
      {
        name: "upsertMerchant",
        args: { input: { id: "1", public_key: "k", alias: "A" }, now: expect.any(Number) },
      },
      {
        name: "updateMerchant",
        args: { id: "1", patch: { alias: "B", enabled: false }, now: expect.any(Number) },
      },
      {
        name: "createMilestone",
        args: { input: { name: "M", type: "volume", threshold: 3 }, now: expect.any(Number) },
      },
      { name: "updateMilestone", args: { id: 1, patch: { reset_trigger: true }, now: expect.any(Number) } },
    ]);
  });
});

describe("bodies and ids", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
  });
  afterEach(async () => t.close());
  const raw = (method: "POST" | "PUT", url: string, payload: string | Buffer, headers: object = json) =>
    t.app.inject({ method, url, headers: headers as Record<string, string>, payload });

  test("a lone surrogate in any string of any admin body → 400; nothing is stored", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const id = await addMilestone(t, { name: "M", type: "volume", threshold: 1 });
    const cases: [method: "POST" | "PUT", url: string, payload: string, field: string][] = [
      ["POST", "/v1/admin/merchants", '{"id":"1","public_key":"k","alias":"a\\ud800b"}', "body/alias"],
      ["POST", "/v1/admin/merchants", '{"id":"1","public_key":"\\udfff","alias":"a"}', "body/public_key"],
      ["PUT", "/v1/admin/merchants/173", '{"alias":"\\ud83d"}', "body/alias"],
      ["PUT", "/v1/admin/merchants/173", '{"alias":"ok","junk":{"x":["\\udc00"]}}', "body/junk"],
      ["PUT", "/v1/admin/merchants/173", '{"alias":"ok","\\ud800":1}', "a body field"],
      ["POST", "/v1/admin/milestones", '{"name":"\\ude00x","type":"volume","threshold":1}', "body/name"],
      ["PUT", `/v1/admin/milestones/${id}`, '{"name":"x\\ud800"}', "body/name"],
      ["POST", "/v1/admin/auth/login", `{"token":"${TEST_TOKEN}\\ud800"}`, "body/token"],
    ];
    for (const [method, url, payload, field] of cases) {
      expectError(await raw(method, url, payload), 400, `${field} is not valid Unicode (a lone surrogate)`);
    }
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "173", alias: "Bitcoin Coffee" },
    ]);
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toMatchObject([{ id, name: "M" }]);
  });

  test("a pair of surrogates (an emoji, escaped or not) is stored as sent", async () => {
    const res = await raw(
      "POST",
      "/v1/admin/merchants",
      '{"id":"1","public_key":"k","alias":"\\ud83d\\ude00 ☕ 😀"}',
    );
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ alias: "😀 ☕ 😀" });
  });

  test("__proto__ and constructor.prototype keys at any depth → 400; a plain constructor field is ignored", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    for (const [payload, key] of [
      ['{"alias":"x","__proto__":{"enabled":false}}', "__proto__"],
      ['{"alias":"x","junk":[{"__proto__":1}]}', "__proto__"],
      ['{"alias":"x","constructor":{"prototype":{"enabled":false}}}', "constructor.prototype"],
      ['{"alias":"x","junk":{"constructor":{"prototype":1}}}', "constructor.prototype"],
    ]) {
      expectError(
        await raw("PUT", "/v1/admin/merchants/173", payload ?? ""),
        400,
        `request body holds a "${key}" key, which is not allowed`,
      );
    }
    const plain = await raw("PUT", "/v1/admin/merchants/173", '{"alias":"Kept","constructor":"x"}');
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toMatchObject({ alias: "Kept", enabled: true });
  });

  test('a field of another JSON type → 400, not coerced (found by the fuzz run: name false was stored as "false")', async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const id = await addMilestone(t, { name: "M", type: "volume", threshold: 1 });
    const cases: [method: "POST" | "PUT", url: string, payload: object, message: string][] = [
      ["PUT", `/v1/admin/milestones/${id}`, { name: false }, "body/name must be string"],
      ["PUT", `/v1/admin/milestones/${id}`, { threshold: true }, "body/threshold must be integer"],
      ["PUT", `/v1/admin/milestones/${id}`, { threshold: "5" }, "body/threshold must be integer"],
      ["PUT", `/v1/admin/milestones/${id}`, { enabled: 0 }, "body/enabled must be boolean"],
      ["POST", "/v1/admin/milestones", { name: 7, type: "volume", threshold: 1 }, "body/name must be string"],
      ["PUT", "/v1/admin/merchants/173", { alias: ["x"] }, "body/alias must be string"],
      ["PUT", "/v1/admin/merchants/173", { enabled: "false" }, "body/enabled must be boolean"],
      ["POST", "/v1/admin/merchants", { id: 174, public_key: "k", alias: "a" }, "body/id must be string"],
      ["POST", "/v1/admin/auth/login", { token: 1 }, "body/token must be string"],
    ];
    for (const [method, url, payload, message] of cases) {
      expectError(await raw(method, url, JSON.stringify(payload)), 400, message);
    }
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "173", alias: "Bitcoin Coffee", enabled: true },
    ]);
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toMatchObject([
      { id, name: "M", threshold: 1, enabled: true },
    ]);
  });

  test("an OPTIONS that is not a full preflight → 204, not a text/plain 400 (found by the fuzz run)", async () => {
    for (const headers of [{}, { origin: "https://a.example" }, { "access-control-request-method": "GET" }]) {
      const res = await t.app.inject({ method: "OPTIONS", url: "/v1/summary", headers });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe("");
    }
  });

  test("bytes that are not UTF-8 → 400", async () => {
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const payload = Buffer.concat([
        Buffer.from('{"id":"1","public_key":"k","alias":"a'),
        Buffer.from(bytes),
        Buffer.from('"}'),
      ]);
      expectError(await raw("POST", "/v1/admin/merchants", payload), 400, "request body is not valid UTF-8");
    }
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);
  });

  test("milestone ids are 1 to 15 digits; anything else → 400 before any lookup", async () => {
    for (const bad of [
      "0",
      "01",
      "1e3",
      "0x10",
      "1.0",
      "-1",
      "%201",
      "1%20",
      "1234567890123456",
      "9".repeat(30),
    ]) {
      const res = await t.app.inject({
        method: "DELETE",
        url: `/v1/admin/milestones/${bad}`,
        headers: t.auth,
      });
      expectError(res, 400, /params\/id must match pattern/);
    }
    const longest = await t.app.inject({
      method: "DELETE",
      url: "/v1/admin/milestones/999999999999999",
      headers: t.auth,
    });
    expectError(longest, 404, "milestone 999999999999999 not found");
  });

  test("merchant ids are at most 64 characters, in paths, bodies and queries; longer paths → 400 JSON", async () => {
    const id64 = "a".repeat(64);
    await addMerchant(t, id64, "Longest");
    expect((await get(t, `/v1/admin/merchants`, t.auth)).body).toMatchObject([{ id: id64 }]);
    expect((await get(t, `/v1/timeseries?merchant_id=${id64}`)).status).toBe(200);
    const id65 = `${id64}a`;
    expectError(
      await raw("POST", "/v1/admin/merchants", JSON.stringify({ id: id65, public_key: "k", alias: "A" })),
      400,
      /body\/id must match pattern/,
    );
    expectError(
      await t.app.inject({ method: "DELETE", url: `/v1/admin/merchants/${id65}`, headers: t.auth }),
      400,
      /params\/id/,
    );
    expectError(await t.app.inject({ url: `/v1/timeseries?merchant_id=${id65}` }), 400, /merchant_id/);
    for (const url of [
      `/v1/admin/merchants/${"a".repeat(101)}`,
      `/v1/admin/merchants/${"a".repeat(5000)}/refetch`,
    ]) {
      expectError(
        await t.app.inject({ method: "POST", url, headers: t.auth }),
        400,
        "a path parameter is longer than 100 characters",
      );
    }
    expectError(
      await t.app.inject({ method: "DELETE", url: "/v1/admin/merchants/%E0%A4%A", headers: t.auth }),
      400,
      "the URL is not valid (bad percent-encoding)",
    );
  });
});
