import { afterEach, describe, expect, it } from "vitest";
import { addMerchant, addMilestone, get } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/*
 * POST /v1/webhooks/wifi (the LNbits pay link's payment webhook) and GET /v1/wifi/config, against the
 * real app (inject()) on a real SQLite database. The ingest thread, the live stream and the logs are
 * in webhook-wifi-live.test.ts.
 */

const HASH = "3f9a1c0b4e5d6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a";
/** What LNbits' LNURLp extension sends (lnurlp/tasks.py), with fields the webhook must ignore. */
const lnbitsBody = (over: Record<string, unknown> = {}) => ({
  payment_hash: HASH,
  payment_request: "lnbc21u1p...",
  amount: 2_100_000,
  comment: null,
  webhook_data: "",
  lnurlp: "Xy12ab",
  body: {},
  memo: "WiFi upgrade",
  ...over,
});

let t: TestApp;
afterEach(() => t?.close());

async function post(body: unknown, opts: { headers?: Record<string, string>; query?: string } = {}) {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const res = await t.app.inject({
    method: "POST",
    url: `/v1/webhooks/wifi${opts.query ?? ""}`,
    headers: { "content-type": "application/json", ...opts.headers },
    payload,
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

const stored = () =>
  t.store.db.selectFrom("transactions").selectAll().where("merchant_id", "=", "wifi").orderBy("id").execute();

describe("the webhook secret", () => {
  it("is required in the header or the query when WEBHOOK_SECRET is set, before the body is read", async () => {
    t = await makeTestApp({ webhookSecret: "s3cret" });
    const refused = { error: "invalid webhook secret" };
    expect(await post(lnbitsBody())).toEqual({ status: 401, body: refused });
    expect(await post(lnbitsBody(), { headers: { "x-webhook-secret": "s3cre" } })).toEqual({
      status: 401,
      body: refused,
    });
    expect(await post(lnbitsBody(), { query: "?secret=wrong" })).toEqual({ status: 401, body: refused });
    expect(await post(lnbitsBody(), { query: "?secret=" })).toEqual({ status: 401, body: refused });
    expect(await post(lnbitsBody(), { query: "?secret=s3cret&secret=s3cret" })).toEqual({
      status: 401,
      body: refused,
    });
    // Not JSON at all: the secret is checked first, so this is a 401 and not a 400.
    expect((await post("{not json", { query: "?secret=nope" })).status).toBe(401);
    expect(await stored()).toEqual([]);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);

    const ok = await post(lnbitsBody(), { headers: { "x-webhook-secret": "s3cret" } });
    expect(ok).toEqual({ status: 200, body: { status: "ok", inserted: 1, amount_sats: 2100 } });
    const viaQuery = await post(lnbitsBody({ payment_hash: "a".repeat(64) }), { query: "?secret=s3cret" });
    expect(viaQuery.body.inserted).toBe(1);
    expect(await stored()).toHaveLength(2);
  });

  it("header wins over the query; an empty header falls back to the query", async () => {
    t = await makeTestApp({ webhookSecret: "s3cret" });
    const both = (header: string, query: string, hash: string) =>
      post(lnbitsBody({ payment_hash: hash }), {
        headers: { "x-webhook-secret": header },
        query: `?secret=${query}`,
      });
    expect((await both("s3cret", "wrong", "1".repeat(64))).status).toBe(200);
    expect((await both("wrong", "s3cret", "2".repeat(64))).status).toBe(401);
    expect((await both("", "s3cret", "3".repeat(64))).status).toBe(200);
    expect((await stored()).map((s) => s.external_id)).toEqual(["1".repeat(64), "3".repeat(64)]);
  });

  it("is not asked for when WEBHOOK_SECRET is unset (the webhook is open)", async () => {
    t = await makeTestApp();
    expect((await post(lnbitsBody())).status).toBe(200);
    expect((await post(lnbitsBody({ payment_hash: "b".repeat(64) }), { query: "?secret=x" })).status).toBe(
      200,
    );
  });
});

describe("a webhook sale", () => {
  it("is stored once: a redelivery answers inserted 0 and changes no total", async () => {
    t = await makeTestApp();
    expect((await post(lnbitsBody())).body).toEqual({ status: "ok", inserted: 1, amount_sats: 2100 });
    const before = (await get(t, "/v1/summary")).body;
    expect(before).toMatchObject({ total_transactions: 1, total_volume_sats: 2100 });
    expect((await post(lnbitsBody())).body).toEqual({ status: "ok", inserted: 0, amount_sats: 2100 });
    // The same hash in capitals is the same payment.
    expect((await post(lnbitsBody({ payment_hash: HASH.toUpperCase() }))).body.inserted).toBe(0);
    expect((await get(t, "/v1/summary")).body).toEqual(before);
    expect(await stored()).toHaveLength(1);
  });

  it("counts whole sats of its msat amount; under one sat is refused", async () => {
    t = await makeTestApp();
    expect((await post(lnbitsBody({ amount: 2_100_999 }))).body.amount_sats).toBe(2100);
    expect((await post(lnbitsBody({ amount: 1000, payment_hash: "c".repeat(64) }))).body.amount_sats).toBe(1);
    for (const amount of [999, 0, -2_100_000]) {
      const res = await post(lnbitsBody({ amount, payment_hash: "d".repeat(64) }));
      expect(res).toEqual({
        status: 400,
        body: { error: "body/amount is under 1000 msat (one sat): not a sale" },
      });
    }
    expect((await stored()).map((s) => s.amount_sats)).toEqual([2100, 1]);
  });

  it("gets a sale id from its hash's first 13 hex digits, exact in JavaScript, and keeps the hash", async () => {
    t = await makeTestApp();
    await post(lnbitsBody());
    await post(lnbitsBody({ payment_hash: "f".repeat(64) }));
    const rows = await stored();
    // 0x3f9a1c0b4e5d6 and 0xfffffffffffff = 2^52 - 1, the largest: below 2^53 - 1.
    expect(rows.map((r) => r.sale_id)).toEqual([1_118_898_048_263_638, 2 ** 52 - 1]);
    expect(rows.every((r) => Number.isSafeInteger(r.sale_id))).toBe(true);
    const ticker = (await get(t, "/v1/ticker?limit=5")).body as Record<string, unknown>[];
    expect(ticker.map((r) => [r.sale_id, r.external_id, r.source, r.merchant_id])).toEqual([
      [2 ** 52 - 1, "f".repeat(64), "wifi", "wifi"],
      [1_118_898_048_263_638, HASH, "wifi", "wifi"],
    ]);
  });

  it("whose hash shares its first 13 digits with an earlier one takes the next free id", async () => {
    t = await makeTestApp();
    const prefix = HASH.slice(0, 13);
    const hashes = ["0", "1", "2"].map((c) => prefix + c.repeat(51));
    // An unrelated sale already holds the id right after the shared one.
    const next = `${(Number.parseInt(prefix, 16) + 1).toString(16)}${"9".repeat(51)}`;
    for (const h of [next, ...hashes])
      expect((await post(lnbitsBody({ payment_hash: h }))).body.inserted).toBe(1);
    const base = Number.parseInt(prefix, 16);
    const ids = Object.fromEntries((await stored()).map((r) => [r.external_id, r.sale_id]));
    expect(ids).toEqual({
      [next]: base + 1,
      [hashes[0] as string]: base,
      [hashes[1] as string]: base + 2,
      [hashes[2] as string]: base + 3,
    });
    // A redelivery of the one that moved still finds it.
    expect((await post(lnbitsBody({ payment_hash: hashes[1] }))).body.inserted).toBe(0);
    expect(await stored()).toHaveLength(4);
  });

  it("is dated by `time` (unix seconds), or when it arrived if `time` is absent, null or 0", async () => {
    t = await makeTestApp();
    const at = (i: number) => `${i}`.repeat(64);
    await post(lnbitsBody({ payment_hash: at(1), time: 1_762_780_800 }));
    await post(lnbitsBody({ payment_hash: at(2) }));
    await post(lnbitsBody({ payment_hash: at(3), time: 0 }));
    await post(lnbitsBody({ payment_hash: at(4), time: null }));
    const dates = Object.fromEntries((await stored()).map((r) => [r.external_id, r.sale_date]));
    expect(dates).toEqual({
      [at(1)]: 1_762_780_800_000,
      [at(2)]: t.clock.now,
      [at(3)]: t.clock.now,
      [at(4)]: t.clock.now,
    });
    for (const time of ["1762780800", 1.5, 5, -1, 1e12]) {
      expect((await post(lnbitsBody({ payment_hash: at(5), time }))).status).toBe(400);
    }
    expect(await stored()).toHaveLength(4);
  });

  it("refuses malformed bodies with 400, storing nothing", async () => {
    t = await makeTestApp();
    const bad: [unknown, string][] = [
      ["{not json", "request body is not valid JSON"],
      ["[]", "request body must be a JSON object"],
      ["null", "request body must be a JSON object"],
      [JSON.stringify(JSON.stringify(lnbitsBody())), "request body must be a JSON object"],
      [lnbitsBody({ amount: undefined }), "body/amount must be an integer (millisatoshis)"],
      [lnbitsBody({ amount: "2100000" }), "body/amount must be an integer (millisatoshis)"],
      [lnbitsBody({ amount: 2100000.5 }), "body/amount must be an integer (millisatoshis)"],
      [lnbitsBody({ amount: 2 ** 60 }), "body/amount must be an integer (millisatoshis)"],
      [lnbitsBody({ payment_hash: undefined }), "body/payment_hash must be a payment hash: 64 hex digits"],
      [
        lnbitsBody({ payment_hash: HASH.slice(1) }),
        "body/payment_hash must be a payment hash: 64 hex digits",
      ],
      [
        lnbitsBody({ payment_hash: `${HASH.slice(1)}g` }),
        "body/payment_hash must be a payment hash: 64 hex digits",
      ],
      [lnbitsBody({ payment_hash: 12 }), "body/payment_hash must be a payment hash: 64 hex digits"],
    ];
    for (const [body, error] of bad) expect(await post(body)).toEqual({ status: 400, body: { error } });
    const empty = await t.app.inject({
      method: "POST",
      url: "/v1/webhooks/wifi",
      headers: { "content-type": "application/json" },
    });
    expect(empty.statusCode).toBe(400);
    expect(await stored()).toEqual([]);
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);
  });
});

describe("the wifi merchant", () => {
  it("does not exist on a fresh database; the first webhook creates it, and it counts like any other", async () => {
    t = await makeTestApp();
    expect((await get(t, "/v1/admin/merchants", t.auth)).body).toEqual([]);
    expect((await get(t, "/v1/summary")).body).toMatchObject({ total_merchants: 0, active_merchants: 0 });
    await post(lnbitsBody());
    const merchants = (await get(t, "/v1/admin/merchants", t.auth)).body as Record<string, unknown>[];
    expect(merchants).toEqual([
      expect.objectContaining({
        id: "wifi",
        public_key: "wifi_payments",
        alias: "WiFi Upgrades",
        enabled: true,
        source: "wifi",
        consecutive_failures: 0,
      }),
    ]);
    expect(merchants[0]).not.toHaveProperty("last_polled_at");
    expect((await get(t, "/v1/summary")).body).toMatchObject({
      total_merchants: 1,
      active_merchants: 1,
      total_transactions: 1,
      total_volume_sats: 2100,
    });
    const board = (await get(t, "/v1/leaderboard/merchants?window=all")).body;
    expect(board).toEqual([
      { merchant_id: "wifi", alias: "WiFi Upgrades", transactions: 1, volume_sats: 2100 },
    ]);
    const series = (await get(t, "/v1/timeseries?window=60m&bucket=1m")).body as {
      buckets: { transactions: number; volume_sats: number }[];
    };
    expect(series.buckets.filter((b) => b.transactions > 0)).toEqual([
      expect.objectContaining({ transactions: 1, volume_sats: 2100 }),
    ]);
  });

  it("is never polled: a refetch answers 409 and no poll asks upstream for it", async () => {
    t = await makeTestApp();
    await post(lnbitsBody());
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/admin/merchants/wifi/refetch",
      headers: t.auth,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: "merchant wifi is fed by a webhook; nothing to poll" });
    expect(t.refetched).toEqual([]);
  });

  it("that an operator created as a PayWithFlash merchant makes the webhook answer 409, storing nothing", async () => {
    t = await makeTestApp();
    await addMerchant(t, "wifi", "Polled wifi");
    const res = await post(lnbitsBody());
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/^merchant wifi exists with source "pwf"/);
    expect(await stored()).toEqual([]);
  });
});

describe("milestones", () => {
  it("fire when a webhook sale reaches them", async () => {
    t = await makeTestApp();
    await addMilestone(t, { name: "First WiFi", type: "transactions", threshold: 1 });
    await addMilestone(t, { name: "Far", type: "volume", threshold: 1_000_000 });
    await post(lnbitsBody());
    const triggers = (await get(t, "/v1/milestones/triggers")).body;
    expect(triggers).toEqual([
      expect.objectContaining({ name: "First WiFi", total_transactions: 1, total_volume_sats: 2100 }),
    ]);
  });
});

describe("GET /v1/wifi/config", () => {
  it("echoes WIFI_LIGHTNING_ADDRESS, with the constant offer, all strings", async () => {
    t = await makeTestApp({ wifiLightningAddress: "wifi@pay.example" });
    const { status, body } = await get(t, "/v1/wifi/config");
    expect(status).toBe(200);
    expect(body).toEqual({
      lightning_address: "wifi@pay.example",
      description: expect.stringMatching(/30 Mbps to 100 Mbps for 8 hours for 2,100 sats\. 5% /),
      price_sats: "2100",
      duration_hours: "8",
    });
  });

  it("answers an empty address when unset, and never the webhook secret", async () => {
    t = await makeTestApp({ webhookSecret: "do-not-show-me" });
    const res = await t.app.inject({ method: "GET", url: "/v1/wifi/config" });
    expect(res.json()).toMatchObject({ lightning_address: "" });
    expect(res.body).not.toContain("do-not-show-me");
  });
});
