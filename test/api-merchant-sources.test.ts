/**
 * Merchants of BTCPay Server and LNbits in the admin API (issue 15): their settings in, masked out,
 * secrets kept when omitted, refusals that name the field, a source kept for life, and "test
 * connection" against a real BTCPay-like server on 127.0.0.1.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type RunningBtcpayMock, startBtcpayMock } from "../src/mock/btcpay/index.js";
import { createBtcpayClient } from "../src/sources/btcpay/client.js";
import type { Database } from "../src/store/schema.js";
import { expectError, get, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import { testEngine } from "./support/test-database.js";

const KEY = "Ab3kT9qZ7xW2mN5pR8sV1a2b";
const SECRET = "whsec-4Hq9Lm2Zp7Rk";
const LN_KEY = "c0ffee0123456789abcdef00deadbeef";

const btcpay = (over: Record<string, unknown> = {}) => ({
  base_url: "https://btcpay.example.com/",
  store_id: "7Hn2cQx9",
  api_key: KEY,
  webhook_secret: SECRET,
  ...over,
});
const btcpayMerchant = (over: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) => ({
  id: "coffee",
  alias: "Coffee Stand",
  source: "btcpay",
  btcpay: btcpay(settings),
  ...over,
});

let t: TestApp;
let fake: RunningBtcpayMock;
/** What the mock BTCPay was asked for: test connection reads the store first. */
const storeReads = () => fake.requests().filter((r) => r.path === "/api/v1/stores/7Hn2cQx9");
beforeEach(async () => {
  fake = await startBtcpayMock();
  fake.addStore({ id: "7Hn2cQx9", name: "Coffee Stand Store", apiKey: KEY });
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
  await fake.stop();
});

const inject = (method: "POST" | "PUT", url: string, payload: object) =>
  t.app.inject({ method, url, headers: t.auth, payload });
const stored = async (id: string) =>
  (
    await sql<{
      source_settings: string | null;
      sync_state: string | null;
    }>`select source_settings, sync_state from merchants where id = ${id}`.execute(t.store.db)
  ).rows[0];

describe("BTCPay and LNbits merchants", () => {
  test("POST creates a BTCPay merchant; every answer masks its secrets; the store keeps them whole", async () => {
    const created = await send(t, "POST", "/v1/admin/merchants", btcpayMerchant({}, { pos_app_id: "4Xk9" }));
    const shown = {
      id: "coffee",
      public_key: "7Hn2cQx9",
      alias: "Coffee Stand",
      enabled: true,
      source: "btcpay",
      btcpay: {
        base_url: "https://btcpay.example.com",
        store_id: "7Hn2cQx9",
        api_key: "••••1a2b",
        webhook_secret: "••••p7Rk",
        pos_app_id: "4Xk9",
      },
      consecutive_failures: 0,
      created_at: "2025-11-10T15:00:00Z",
      updated_at: "2025-11-10T15:00:00Z",
    };
    expect(created).toMatchObject({ status: 201, body: shown });
    expect(await get(t, "/v1/admin/merchants", t.auth)).toEqual({ status: 200, body: [shown] });
    for (const answer of [created.raw, JSON.stringify((await get(t, "/v1/admin/merchants", t.auth)).body)]) {
      expect(answer).not.toContain(KEY);
      expect(answer).not.toContain(SECRET);
    }
    expect(JSON.parse((await stored("coffee"))?.source_settings ?? "null")).toEqual({
      base_url: "https://btcpay.example.com",
      store_id: "7Hn2cQx9",
      api_key: KEY,
      webhook_secret: SECRET,
      pos_app_id: "4Xk9",
    });
  });

  test("an LNbits merchant: its base URL is its public_key; a secret of 8 characters or fewer shows bullets only", async () => {
    const created = await send(t, "POST", "/v1/admin/merchants", {
      id: "tacos",
      alias: "Taco Stand",
      source: "lnbits",
      lnbits: { base_url: "https://lnbits.example.com", api_key: LN_KEY, webhook_secret: "s3cr3t!" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      public_key: "https://lnbits.example.com",
      source: "lnbits",
      lnbits: { base_url: "https://lnbits.example.com", api_key: "••••beef", webhook_secret: "••••" },
    });
    expect(created.body).not.toHaveProperty("btcpay");
  });

  test("a PayWithFlash merchant's answer has no settings fields", async () => {
    const created = await send(t, "POST", "/v1/admin/merchants", { id: "173", public_key: "pk", alias: "A" });
    expect(Object.keys(created.body as object).sort()).toEqual([
      "alias",
      "consecutive_failures",
      "created_at",
      "enabled",
      "id",
      "public_key",
      "source",
      "updated_at",
    ]);
  });

  test.each<[string, object, string | RegExp]>([
    [
      "no api_key for a new merchant",
      btcpayMerchant({ btcpay: { base_url: "https://b.example", store_id: "s" } }),
      "btcpay.api_key is required",
    ],
    [
      "no base_url",
      btcpayMerchant({ btcpay: { store_id: "s", api_key: KEY } }),
      "btcpay.base_url is required",
    ],
    [
      "no store_id",
      btcpayMerchant({ btcpay: { base_url: "https://b.example", api_key: KEY } }),
      "btcpay.store_id is required",
    ],
    [
      "a base_url that is not http(s)",
      btcpayMerchant({}, { base_url: "ftp://btcpay.example.com" }),
      /^btcpay\.base_url must be an http\(s\) URL/,
    ],
    [
      "a base_url with a query",
      btcpayMerchant({}, { base_url: "https://b.example/?x=1" }),
      /^btcpay\.base_url must be an http\(s\) URL/,
    ],
    [
      "a store id with a slash",
      btcpayMerchant({}, { store_id: "a/b" }),
      /^btcpay\.store_id may hold only letters/,
    ],
    [
      "an API key with a space",
      btcpayMerchant({}, { api_key: "a b" }),
      "btcpay.api_key must be the key alone, without spaces",
    ],
    [
      "an API key that is a number",
      btcpayMerchant({}, { api_key: 12345678 }),
      "btcpay.api_key must be a string",
    ],
    [
      "a null webhook secret",
      btcpayMerchant({}, { webhook_secret: null }),
      "btcpay.webhook_secret must be a string",
    ],
    [
      "an empty webhook secret",
      btcpayMerchant({}, { webhook_secret: "" }),
      "btcpay.webhook_secret must not be empty",
    ],
    [
      "settings that are not an object",
      btcpayMerchant({ btcpay: "https://b.example" }),
      "btcpay must be an object",
    ],
    ["no settings", btcpayMerchant({ btcpay: undefined }), "btcpay is required"],
    [
      "the other source's settings",
      btcpayMerchant({ btcpay: undefined, lnbits: { base_url: "https://l.example", api_key: LN_KEY } }),
      "btcpay is required",
    ],
    [
      "both sources' settings",
      btcpayMerchant({ lnbits: { base_url: "https://l.example", api_key: LN_KEY } }),
      "give the settings of one source: btcpay or lnbits, not both",
    ],
    [
      "settings without their source",
      { id: "x", alias: "X", public_key: "pk", btcpay: btcpay() },
      'btcpay settings need "source": "btcpay"',
    ],
    [
      "source wifi",
      { id: "x", alias: "X", public_key: "pk", source: "wifi" },
      "source must be one of pwf, btcpay, lnbits",
    ],
    [
      "a public_key of its own",
      btcpayMerchant({ public_key: "other" }),
      "a btcpay merchant's public_key is its store id; leave public_key out",
    ],
    [
      "an LNbits merchant without a key",
      { id: "x", alias: "X", source: "lnbits", lnbits: { base_url: "https://l.example" } },
      "lnbits.api_key is required",
    ],
    [
      "a PayWithFlash merchant without public_key",
      { id: "x", alias: "X" },
      "body must have required property 'public_key'",
    ],
  ])("POST with %s → 400 naming the field, nothing stored", async (_, payload, message) => {
    expectError(await inject("POST", "/v1/admin/merchants", payload), 400, message);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);
  });

  test("PUT and POST without api_key or webhook_secret keep the stored ones; new ones replace them", async () => {
    await send(t, "POST", "/v1/admin/merchants", btcpayMerchant());
    await sql`update merchants set sync_state = '{"since":1}' where id = 'coffee'`.execute(t.store.db);

    const renamed = await send(t, "PUT", "/v1/admin/merchants/coffee", { alias: "Espresso Bar" });
    expect(renamed.body).toMatchObject({ alias: "Espresso Bar", btcpay: { api_key: "••••1a2b" } });
    // Same settings (secrets omitted): nothing to re-read from the start.
    const same = { base_url: "https://btcpay.example.com", store_id: "7Hn2cQx9" };
    await send(t, "PUT", "/v1/admin/merchants/coffee", { btcpay: same });
    expect(await stored("coffee")).toMatchObject({ sync_state: '{"since":1}' });
    expect(JSON.parse((await stored("coffee"))?.source_settings ?? "")).toMatchObject({
      api_key: KEY,
      webhook_secret: SECRET,
    });

    const moved = await send(t, "PUT", "/v1/admin/merchants/coffee", {
      source: "btcpay",
      btcpay: { ...same, store_id: "9Zz", api_key: "NewKey-0000000000009z9z" },
    });
    expect(moved).toMatchObject({
      status: 200,
      body: {
        public_key: "9Zz",
        btcpay: { store_id: "9Zz", api_key: "••••9z9z", webhook_secret: "••••p7Rk" },
      },
    });
    // Another store: its sync state goes with the old settings.
    expect(await stored("coffee")).toMatchObject({ sync_state: null });

    const upserted = await send(t, "POST", "/v1/admin/merchants", btcpayMerchant({ btcpay: same }));
    expect(upserted).toMatchObject({
      status: 200,
      body: { btcpay: { api_key: "••••9z9z", store_id: "7Hn2cQx9" } },
    });
    expect(JSON.parse((await stored("coffee"))?.source_settings ?? "")).toMatchObject({
      api_key: "NewKey-0000000000009z9z",
      webhook_secret: SECRET,
    });
  });

  test("a merchant keeps its source for life: POST or PUT of another source → 400 and nothing changes", async () => {
    await send(t, "POST", "/v1/admin/merchants", btcpayMerchant());
    await send(t, "POST", "/v1/admin/merchants", { id: "173", public_key: "pk", alias: "PWF Shop" });
    expectError(
      await inject("POST", "/v1/admin/merchants", { id: "coffee", public_key: "pk", alias: "Coffee" }),
      400,
      "merchant coffee is a btcpay merchant and keeps its source; add a new merchant for pwf",
    );
    expectError(
      await inject("PUT", "/v1/admin/merchants/coffee", { source: "lnbits" }),
      400,
      "merchant coffee is a btcpay merchant and keeps its source; add a new merchant for lnbits",
    );
    expectError(
      await inject("POST", "/v1/admin/merchants", btcpayMerchant({ id: "173" })),
      400,
      "merchant 173 is a pwf merchant and keeps its source; add a new merchant for btcpay",
    );
    expectError(
      await inject("PUT", "/v1/admin/merchants/173", { btcpay: btcpay() }),
      400,
      "btcpay settings do not fit a pwf merchant",
    );
    expectError(
      await inject("PUT", "/v1/admin/merchants/coffee", { lnbits: { base_url: "https://l.example" } }),
      400,
      "lnbits settings do not fit a btcpay merchant",
    );
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toMatchObject([
      { id: "coffee", source: "btcpay", alias: "Coffee Stand" },
      { id: "173", source: "pwf", public_key: "pk" },
    ]);
  });
});

describe("test connection", () => {
  const testConnection = (payload: object) => inject("POST", "/v1/admin/merchants/test-connection", payload);

  test("the right key: ok with the store's name; a wrong key: what BTCPay said; no server: why", async () => {
    const ok = await testConnection({ source: "btcpay", btcpay: btcpay({ base_url: fake.url }) });
    expect([ok.statusCode, ok.json()]).toEqual([
      200,
      { ok: true, message: "Connected to store Coffee Stand Store" },
    ]);
    expect(storeReads().map((r) => r.status)).toEqual([200]);

    const wrong = await testConnection({
      source: "btcpay",
      btcpay: btcpay({ base_url: fake.url, api_key: "nope" }),
    });
    expect(wrong.json()).toEqual({
      ok: false,
      message: "BTCPay refused the API key (401)",
    });
    const away = await testConnection({
      source: "btcpay",
      btcpay: btcpay({ base_url: "http://127.0.0.1:9" }),
    });
    expect(away.json()).toEqual({ ok: false, message: "BTCPay request failed: ECONNREFUSED" });
  });

  test("with id, the stored key is used when the body leaves it out (or leaves out all settings)", async () => {
    await send(t, "POST", "/v1/admin/merchants", btcpayMerchant({}, { base_url: fake.url }));
    const { api_key: _k, ...withoutKey } = btcpay({ base_url: fake.url });
    const edited = await testConnection({ source: "btcpay", id: "coffee", btcpay: withoutKey });
    expect(edited.json()).toEqual({ ok: true, message: "Connected to store Coffee Stand Store" });
    const whole = await testConnection({ source: "btcpay", id: "coffee" });
    expect(whole.json()).toEqual({ ok: true, message: "Connected to store Coffee Stand Store" });
    // Only the stored key could have been let in.
    expect(storeReads().map((r) => r.status)).toEqual([200, 200]);
  });

  test("bad bodies → 400 naming the field; an unknown merchant → 404; no client for the source → 503", async () => {
    expectError(
      await testConnection({ source: "btcpay", btcpay: { base_url: fake.url, store_id: "s" } }),
      400,
      "btcpay.api_key is required",
    );
    expectError(await testConnection({ source: "btcpay" }), 400, "btcpay is required");
    expectError(await testConnection({ source: "pwf" }), 400, "source must be one of btcpay, lnbits");
    expectError(
      await testConnection({ source: "btcpay", btcpay: btcpay({ base_url: "nope" }) }),
      400,
      /^btcpay\.base_url must be an http\(s\) URL/,
    );
    expectError(
      await testConnection({ source: "btcpay", id: "ghost", btcpay: btcpay() }),
      404,
      "merchant ghost not found",
    );
    await send(t, "POST", "/v1/admin/merchants", { id: "173", public_key: "pk", alias: "PWF" });
    expectError(
      await testConnection({ source: "btcpay", id: "173", btcpay: btcpay() }),
      400,
      "merchant 173 is a pwf merchant, not btcpay",
    );
    // A service built without an LNbits client (the registry has one; a test may leave it out).
    const btcpayOnly = await makeTestApp({
      sourceClients: { btcpay: createBtcpayClient({ timeoutMs: 2000 }) },
    });
    try {
      const answer = await btcpayOnly.app.inject({
        method: "POST",
        url: "/v1/admin/merchants/test-connection",
        headers: btcpayOnly.auth,
        payload: { source: "lnbits", lnbits: { base_url: "http://127.0.0.1:9", api_key: LN_KEY } },
      });
      expectError(answer, 503, "this service has no lnbits client to test with");
    } finally {
      await btcpayOnly.close();
    }
    expect(fake.requests()).toEqual([]);
    const anonymous = await t.app.inject({
      method: "POST",
      url: "/v1/admin/merchants/test-connection",
      payload: {},
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("secrets never reach a log", () => {
  test("saving, editing, testing, refusing and failing with keys in the body leave none of them in the log", async () => {
    const captured = captureLogger();
    const logged = await makeTestApp({ log: captured.log });
    try {
      const call = (method: "POST" | "PUT", url: string, payload: object) =>
        logged.app.inject({ method, url, headers: logged.auth, payload });
      const keys = [KEY, SECRET, "Second-Key-0000000000xyz1", "Wrong-Key-0000000000xyz2", LN_KEY];
      expect(
        (await call("POST", "/v1/admin/merchants", btcpayMerchant({}, { base_url: fake.url }))).statusCode,
      ).toBe(201);
      expect(
        (
          await call("PUT", "/v1/admin/merchants/coffee", {
            btcpay: btcpay({ base_url: fake.url, api_key: keys[2] }),
          })
        ).statusCode,
      ).toBe(200);
      const tested = await call("POST", "/v1/admin/merchants/test-connection", {
        source: "btcpay",
        btcpay: btcpay({ base_url: fake.url, api_key: keys[3] }),
      });
      expect(tested.json()).toMatchObject({ ok: false });
      expect(
        (await call("POST", "/v1/admin/merchants", btcpayMerchant({}, { base_url: "ftp://x.example" })))
          .statusCode,
      ).toBe(400);
      // A write that fails inside the database is logged with its error: the error must not carry the body.
      await refuseMerchantInserts(logged.store.db);
      const failed = await call("POST", "/v1/admin/merchants", {
        id: "tacos",
        alias: "Tacos",
        source: "lnbits",
        lnbits: { base_url: "https://lnbits.example.com", api_key: LN_KEY },
      });
      expect(failed.statusCode).toBe(500);

      const text = captured.lines.map((l) => JSON.stringify(l)).join("\n");
      expect(captured.messages().filter((m) => m.startsWith("POST /v1/admin/merchants"))).toHaveLength(4);
      expect(captured.lines.some((l) => l.msg === "request failed")).toBe(true);
      for (const key of keys) expect(text).not.toContain(key);
      expect(text).not.toContain(KEY.slice(0, 12));
    } finally {
      await logged.close();
    }
  });
});

test("a restart keeps a merchant's settings and secrets: the same answers, and its stored key still connects", async () => {
  const dir = await mkdtemp(join(tmpdir(), "merchant-sources-"));
  const opts = { dbPath: join(dir, "dashboard.db") };
  try {
    const first = await makeTestApp(opts);
    await send(first, "POST", "/v1/admin/merchants", btcpayMerchant({}, { base_url: fake.url }));
    const before = (await get(first, "/v1/admin/merchants", first.auth)).body;
    await first.close();

    const second = await makeTestApp(opts);
    try {
      expect((await get(second, "/v1/admin/merchants", second.auth)).body).toEqual(before);
      const tested = await send(second, "POST", "/v1/admin/merchants/test-connection", {
        source: "btcpay",
        id: "coffee",
      });
      expect(tested.body).toEqual({ ok: true, message: "Connected to store Coffee Stand Store" });
      expect(storeReads().map((r) => r.status)).toEqual([200]);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** Makes the database itself refuse every new merchant, in each engine's own trigger language. */
async function refuseMerchantInserts(db: Kysely<Database>): Promise<void> {
  if (testEngine() === "sqlite") {
    await sql`create trigger refuse_merchants before insert on merchants begin select raise(abort, 'refused by the test'); end`.execute(
      db,
    );
    return;
  }
  await sql`create function refuse_merchant() returns trigger language plpgsql as $$
    begin raise exception 'refused by the test'; end $$`.execute(db);
  await sql`create trigger refuse_merchants before insert on merchants for each row execute function refuse_merchant()`.execute(
    db,
  );
}
