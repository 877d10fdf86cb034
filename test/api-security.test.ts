import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { addMerchant, expectError, get } from "./support/api-helpers.js";
import { makeTestApp, TEST_TOKEN, type TestApp } from "./support/app.js";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
});

const WRONG_SAME_LENGTH = "X".repeat(TEST_TOKEN.length);

describe("admin authentication", () => {
  let client = 0;
  /** Each case from its own address, so the failed-auth limiter never mixes cases up. */
  const listWith = (headers: Record<string, string>) =>
    t.app.inject({
      method: "GET",
      url: "/v1/admin/merchants",
      headers,
      remoteAddress: `10.0.0.${++client}`,
    });

  test.each<[string, Record<string, string>]>([
    ["no header", {}],
    ["a wrong Bearer token of the same length", { authorization: `Bearer ${WRONG_SAME_LENGTH}` }],
    ["a wrong Bearer token of another length", { authorization: "Bearer short" }],
    ["the token with one more character", { authorization: `Bearer ${TEST_TOKEN}x` }],
    ["the token without its last character", { authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` }],
    ["an empty Bearer", { authorization: "Bearer " }],
    ["another scheme", { authorization: `Basic ${TEST_TOKEN}` }],
    ["a wrong X-Admin-Token", { "x-admin-token": WRONG_SAME_LENGTH }],
    ["an empty X-Admin-Token", { "x-admin-token": "" }],
    ["right Bearer, wrong X-Admin-Token", { authorization: `Bearer ${TEST_TOKEN}`, "x-admin-token": "nope" }],
    ["wrong Bearer, right X-Admin-Token", { authorization: "Bearer nope", "x-admin-token": TEST_TOKEN }],
  ])("%s → 401 {error: unauthorized}", async (_, headers) => {
    expectError(await listWith(headers), 401, "unauthorized");
  });

  test("the token in the query string is not accepted", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: `/v1/admin/merchants?token=${TEST_TOKEN}&admin_token=${TEST_TOKEN}`,
      remoteAddress: `10.0.0.${++client}`,
    });
    expectError(res, 401, "unauthorized");
  });

  test.each<[string, Record<string, string>]>([
    ["Authorization: Bearer", { authorization: `Bearer ${TEST_TOKEN}` }],
    ["X-Admin-Token", { "x-admin-token": TEST_TOKEN }],
    ["both headers, both right", { authorization: `Bearer ${TEST_TOKEN}`, "x-admin-token": TEST_TOKEN }],
  ])("%s with the right token → 200", async (_, headers) => {
    const res = await listWith(headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([]);
  });

  test("every admin route refuses an unauthenticated request, and does nothing", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    const routes: [string, string, object?][] = [
      ["GET", "/v1/admin/merchants"],
      ["POST", "/v1/admin/merchants", { id: "174", public_key: "k", alias: "Intruder" }],
      ["PUT", "/v1/admin/merchants/173", { alias: "Hacked" }],
      ["DELETE", "/v1/admin/merchants/173"],
      ["POST", "/v1/admin/merchants/173/refetch"],
      ["GET", "/v1/admin/milestones"],
      ["POST", "/v1/admin/milestones", { name: "x", type: "transactions", threshold: 1 }],
      ["PUT", "/v1/admin/milestones/1", { name: "x" }],
      ["DELETE", "/v1/admin/milestones/1"],
    ];
    for (const [method, url, payload] of routes) {
      for (const headers of [{}, { authorization: "Bearer wrong" }, { "x-admin-token": "wrong" }]) {
        const res = await t.app.inject({
          method: method as "GET",
          url,
          headers,
          remoteAddress: `10.1.0.${++client}`,
          ...(payload ? { payload } : {}),
        });
        expectError(res, 401, "unauthorized");
      }
    }
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "173", alias: "Bitcoin Coffee" },
    ]);
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toEqual([]);
    expect(t.refetched).toEqual([]);
  });

  test("POST /v1/admin/auth/login: right token → {status: ok}; wrong → 401 {error: invalid token}", async () => {
    const login = (token: unknown) =>
      t.app.inject({
        method: "POST",
        url: "/v1/admin/auth/login",
        payload: { token },
        remoteAddress: `10.2.0.${++client}`,
      });
    const ok = await login(TEST_TOKEN);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: "ok" });
    expectError(await login(WRONG_SAME_LENGTH), 401, "invalid token");
    expectError(await login("short"), 401, "invalid token");
    expectError(await login(""), 401, "invalid token");
    expectError(await login(null), 400, /token/);
    expectError(
      await t.app.inject({ method: "POST", url: "/v1/admin/auth/login", payload: {} }),
      400,
      /required property 'token'/,
    );
  });
});

describe("failed-authentication rate limit", () => {
  const from = (remoteAddress: string, headers: Record<string, string>) =>
    t.app.inject({ method: "GET", url: "/v1/admin/merchants", headers, remoteAddress });

  test("repeated failures → 429, then even the right token is refused until the window passes", async () => {
    const attacker = "203.0.113.7";
    let failures = 0;
    let limited: Awaited<ReturnType<typeof from>> | undefined;
    for (let i = 0; i < 100 && !limited; i++) {
      const res = await from(attacker, { authorization: `Bearer guess-${i}` });
      if (res.statusCode === 429) limited = res;
      else {
        expectError(res, 401, "unauthorized");
        failures++;
      }
    }
    expect(limited, "never rate limited after 100 failures").toBeDefined();
    expect(failures).toBeGreaterThanOrEqual(3);
    if (!limited) return;
    expectError(limited, 429, /too many failed authentication attempts/);
    const retryAfter = Number(limited.headers["retry-after"]);
    expect(Number.isInteger(retryAfter) && retryAfter > 0).toBe(true);

    // The right token, by either header or by login, is refused from that client.
    expectError(await from(attacker, t.auth), 429, /too many failed authentication attempts/);
    expectError(await from(attacker, { "x-admin-token": TEST_TOKEN }), 429, /too many/);
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/auth/login",
        payload: { token: TEST_TOKEN },
        remoteAddress: attacker,
      }),
      429,
      /too many/,
    );
    // Other clients are not affected.
    expect((await from("198.51.100.1", t.auth)).statusCode).toBe(200);

    // One second before Retry-After runs out it is still refused; once it has, the right token works.
    t.clock.now += (retryAfter - 1) * 1000;
    expect((await from(attacker, t.auth)).statusCode).toBe(429);
    t.clock.now += 1000;
    expect((await from(attacker, t.auth)).statusCode).toBe(200);
    // And the count started over: one wrong token is a plain 401 again.
    expectError(await from(attacker, { authorization: "Bearer wrong" }), 401, "unauthorized");
  });

  test("failed logins count too", async () => {
    const client = "203.0.113.8";
    let status = 401;
    for (let i = 0; i < 100 && status === 401; i++) {
      status = (
        await t.app.inject({
          method: "POST",
          url: "/v1/admin/auth/login",
          payload: { token: `guess-${i}` },
          remoteAddress: client,
        })
      ).statusCode;
    }
    expect(status).toBe(429);
    expect((await from(client, t.auth)).statusCode).toBe(429);
  });

  test("over a real port, each attempt on a fresh connection (new source port): the limit still applies", async () => {
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    const sourcePorts = new Set<number>();
    /** One login on its own TCP connection (no agent, no keep-alive), from 127.0.0.1. */
    const login = (token: string) =>
      new Promise<{ status: number; body: string; retryAfter?: string }>((resolve, reject) => {
        const req = request(
          { host: "127.0.0.1", port, method: "POST", path: "/v1/admin/auth/login", agent: false },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => {
              body += c;
            });
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                body,
                retryAfter: res.headers["retry-after"] as string,
              }),
            );
          },
        );
        req.on("socket", (socket) => socket.on("connect", () => sourcePorts.add(socket.localPort ?? 0)));
        req.on("error", reject);
        req.setHeader("content-type", "application/json");
        req.setHeader("connection", "close");
        req.end(JSON.stringify({ token }));
      });

    const statuses: number[] = [];
    let last = await login("guess-0");
    for (let i = 1; i < 100 && last.status === 401; i++) {
      statuses.push(last.status);
      last = await login(`guess-${i}`);
    }
    expect(last.status, "never rate limited after 100 failures on fresh connections").toBe(429);
    expect(JSON.parse(last.body)).toEqual({ error: expect.stringMatching(/too many failed authentication/) });
    expect(Number(last.retryAfter)).toBeGreaterThan(0);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    // Every attempt came from its own source port, yet they all counted against one address.
    expect(sourcePorts.size).toBe(statuses.length + 1);
    // The right token, on yet another connection, is refused too until the window passes.
    expect((await login(TEST_TOKEN)).status).toBe(429);
    t.clock.now += Number(last.retryAfter) * 1000;
    expect((await login(TEST_TOKEN)).status).toBe(200);
  });

  test("successful requests are never limited", async () => {
    for (let i = 0; i < 60; i++) {
      expect((await from("198.51.100.2", t.auth)).statusCode).toBe(200);
    }
  });
});

describe("request bodies", () => {
  test("a body over 1 MB → 413 JSON, for the login and for an authenticated admin route", async () => {
    const big = JSON.stringify({ token: "x".repeat(1024 * 1024) });
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/auth/login",
        headers: { "content-type": "application/json" },
        payload: big,
      }),
      413,
      "request body is larger than 1 MB",
    );
    const merchant = JSON.stringify({ id: "1", public_key: "k".repeat(1024 * 1024), alias: "a" });
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/merchants",
        headers: { ...t.auth, "content-type": "application/json" },
        payload: merchant,
      }),
      413,
      "request body is larger than 1 MB",
    );
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);
  });

  test("a body just under 1 MB is read (and then validated)", async () => {
    const payload = JSON.stringify({ id: "1", public_key: "k".repeat(1024 * 1024 - 100), alias: "a" });
    expect(payload.length).toBeLessThan(1024 * 1024);
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/merchants",
        headers: { ...t.auth, "content-type": "application/json" },
        payload,
      }),
      400,
      /public_key/,
    );
  });

  test.each([
    ["POST", "/v1/admin/merchants"],
    ["PUT", "/v1/admin/merchants/173"],
    ["POST", "/v1/admin/milestones"],
    ["POST", "/v1/admin/auth/login"],
  ])("malformed JSON to %s %s → 400 JSON", async (method, url) => {
    for (const payload of ["{bad", '{"id": "1",}', "[1, 2", "nul"]) {
      expectError(
        await t.app.inject({
          method: method as "POST",
          url,
          headers: { ...t.auth, "content-type": "application/json" },
          payload,
        }),
        400,
        "request body is not valid JSON",
      );
    }
  });

  test("an empty JSON body → 400; a form body → 415; plain text → 400", async () => {
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/milestones",
        headers: { ...t.auth, "content-type": "application/json" },
        payload: "",
      }),
      400,
      /empty/,
    );
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/milestones",
        headers: { ...t.auth, "content-type": "application/x-www-form-urlencoded" },
        payload: "name=x&type=volume&threshold=1",
      }),
      415,
      "request body must be application/json",
    );
    expectError(
      await t.app.inject({
        method: "POST",
        url: "/v1/admin/milestones",
        headers: { ...t.auth, "content-type": "text/plain" },
        payload: "name=x",
      }),
      400,
      /body must be object/,
    );
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toEqual([]);
  });

  test("a JSON body that is not an object → 400", async () => {
    for (const payload of ["[]", "42", '"text"', "null"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/admin/milestones",
        headers: { ...t.auth, "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode, payload).toBe(400);
      expect(Object.keys(res.json() as object)).toEqual(["error"]);
    }
    expect((await get(t, "/v1/admin/milestones", t.auth)).body).toEqual([]);
  });
});

describe("unknown routes", () => {
  test.each([
    ["GET", "/v1/nope", "no route for GET /v1/nope"],
    ["GET", "/v1/nope?token=secret", "no route for GET /v1/nope"],
    ["POST", "/v1/summary", "no route for POST /v1/summary"],
    ["DELETE", "/v1/ticker", "no route for DELETE /v1/ticker"],
    ["GET", "/v1/admin/nope", "no route for GET /v1/admin/nope"],
    ["GET", "/v2/health", "no route for GET /v2/health"],
  ])("%s %s → 404 JSON", async (method, url, message) => {
    expectError(await t.app.inject({ method: method as "GET", url }), 404, message);
  });
});

describe("CORS", () => {
  let cors: TestApp;
  beforeEach(async () => {
    cors = await makeTestApp({ corsOrigins: ["https://a.example", "https://b.example"] });
  });
  afterEach(async () => {
    await cors.close();
  });

  test("an allowed origin is echoed; another gets no allow-origin header", async () => {
    const allowed = await cors.app.inject({ url: "/v1/summary", headers: { origin: "https://a.example" } });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://a.example");
    expect(String(allowed.headers.vary)).toMatch(/origin/i);
    const second = await cors.app.inject({ url: "/v1/ticker", headers: { origin: "https://b.example" } });
    expect(second.headers["access-control-allow-origin"]).toBe("https://b.example");

    for (const origin of ["https://evil.example", "http://a.example", "https://a.example.evil", "null"]) {
      const denied = await cors.app.inject({ url: "/v1/summary", headers: { origin } });
      expect(denied.headers, origin).not.toHaveProperty("access-control-allow-origin");
    }
  });

  test("preflight allows the admin headers and methods for an allowed origin only", async () => {
    const preflight = await cors.app.inject({
      method: "OPTIONS",
      url: "/v1/admin/merchants/173",
      headers: {
        origin: "https://a.example",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "authorization, x-admin-token, content-type",
      },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://a.example");
    const headers = String(preflight.headers["access-control-allow-headers"])
      .split(",")
      .map((h) => h.trim().toLowerCase());
    expect(headers).toEqual(expect.arrayContaining(["authorization", "x-admin-token", "content-type"]));
    const methods = String(preflight.headers["access-control-allow-methods"])
      .split(",")
      .map((m) => m.trim());
    expect(methods).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "DELETE"]));

    const denied = await cors.app.inject({
      method: "OPTIONS",
      url: "/v1/admin/merchants/173",
      headers: { origin: "https://evil.example", "access-control-request-method": "DELETE" },
    });
    expect(denied.headers).not.toHaveProperty("access-control-allow-origin");
  });

  test('with CORS_ORIGINS "*" any origin is allowed', async () => {
    for (const origin of ["https://anything.example", "http://localhost:5173"]) {
      const res = await t.app.inject({ url: "/v1/health", headers: { origin } });
      expect(res.headers["access-control-allow-origin"], origin).toBe("*");
    }
    const preflight = await t.app.inject({
      method: "OPTIONS",
      url: "/v1/admin/milestones",
      headers: {
        origin: "https://anything.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-admin-token, content-type",
      },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers["access-control-allow-origin"]).toBe("*");
    expect(String(preflight.headers["access-control-allow-headers"])).toMatch(/X-Admin-Token/i);
  });
});

describe("server errors", () => {
  test("a 5xx says nothing internal: {error: internal server error}", async () => {
    await addMerchant(t, "173", "Bitcoin Coffee");
    await t.store.close(); // every query now fails inside the driver
    for (const url of ["/v1/summary", "/v1/ticker", "/v1/leaderboard/merchants", "/v1/milestones/triggers"]) {
      const res = await t.app.inject({ url });
      expectError(res, 500, "internal server error");
      expect(res.body, url).not.toMatch(/sqlite|kysely|driver|destroyed|stack/i);
    }
    expectError(
      await t.app.inject({ url: "/v1/admin/merchants", headers: t.auth }),
      500,
      "internal server error",
    );
    // Liveness does not touch the database.
    expect((await get(t, "/v1/health")).status).toBe(200);
  });
});
