import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openIngest } from "../src/ingest/runtime.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { testConfig } from "./support/app.js";
import {
  type Headers,
  LN_SECRET,
  NOW,
  type SourceWebhookApp,
  sourceWebhookApp,
} from "./support/source-webhooks.js";

/*
 * POST /v1/webhooks/lnbits/{merchant_id} against the real app (inject()); which polls the deliveries
 * caused is read from the merchants' poll records (support/source-webhooks.ts). Also ingest's hint
 * itself, whoever calls it. The ingest thread and the request log are in webhook-sources-live.test.ts.
 */

const HASH = "4be1c0ffee4be1c0ffee4be1c0ffee4be1c0ffee4be1c0ffee4be1c0ffee4be1";
let s: SourceWebhookApp;
beforeEach(async () => {
  s = await sourceWebhookApp();
});
afterEach(() => s?.close());

const expectPolls = (id: string, n: number) => s.expectPolls(id, n);
const pollRecord = (id: string) => s.pollRecord(id);
const sales = () => s.sales();

describe("LNbits deliveries", () => {
  const lnurlpBody = JSON.stringify({
    payment_hash: HASH,
    payment_request: "lnbc85u1p...",
    amount: 8_500_000,
    comment: null,
    webhook_data: "",
    lnurlp: "Xy12ab",
    body: {},
  });
  const payment = {
    checking_id: HASH,
    payment_hash: HASH,
    amount: 2_000_000,
    pending: false,
    time: 1762780800,
  };
  const toLnbits = (id: string, body: string | Buffer, query = "", headers: Headers = {}) =>
    s.deliver(`/v1/webhooks/lnbits/${id}${query}`, body, headers);
  const json = { "content-type": "application/json" };

  it("need the merchant's secret as X-Webhook-Secret or ?secret=", async () => {
    const refused = { status: 401, body: { error: "invalid webhook secret" } };
    expect(await toLnbits("tacos", lnurlpBody, "", json)).toEqual(refused);
    expect(await toLnbits("tacos", lnurlpBody, "", { ...json, "x-webhook-secret": "wrong" })).toEqual(
      refused,
    );
    expect(await toLnbits("tacos", lnurlpBody, "?secret=juice-secret", json)).toEqual(refused);
    expect(await toLnbits("tacos", lnurlpBody, `?secret=${LN_SECRET}x`, json)).toEqual(refused);
    expect(await toLnbits("tacos", lnurlpBody, `?secret=${LN_SECRET}&secret=${LN_SECRET}`, json)).toEqual(
      refused,
    );
    expect(await toLnbits("ln-nosecret", lnurlpBody, "?secret=", json)).toEqual(refused);
    expect(await toLnbits("ln-nosecret", lnurlpBody, "", { ...json, "x-webhook-secret": "" })).toEqual(
      refused,
    );
    // The header wins over the query.
    expect(await toLnbits("tacos", lnurlpBody, `?secret=${LN_SECRET}`, { "x-webhook-secret": "no" })).toEqual(
      refused,
    );
    await expectPolls("tacos", 0);

    const ok = { status: 200, body: { status: "ok" } };
    expect(await toLnbits("tacos", lnurlpBody, "", { ...json, "x-webhook-secret": LN_SECRET })).toEqual(ok);
    await expectPolls("tacos", 1);
    expect(await toLnbits("tacos", lnurlpBody, `?secret=${encodeURIComponent(LN_SECRET)}`, json)).toEqual(ok);
    await expectPolls("tacos", 2);
    expect((await pollRecord("tacos")).last_error).toBe("LNbits request failed: ECONNREFUSED");
    expect((await pollRecord("juice")).polls).toBe(0);
  });

  it("are polled for in every body form LNbits sends, with or without a content type", async () => {
    const query = `?secret=${LN_SECRET}`;
    const forms: [string, string | Buffer, Headers][] = [
      ["LNURLp pay link", lnurlpBody, json],
      ["core 0.x payment object", JSON.stringify(payment), json],
      ["core 1.1+ JSON string, application/json", JSON.stringify(JSON.stringify(payment)), json],
      ["core 1.1+ JSON string, no content type", Buffer.from(JSON.stringify(JSON.stringify(payment))), {}],
      ["not JSON", "paid!", { "content-type": "text/plain" }],
      ["empty", "", {}],
    ];
    let polls = 0;
    for (const [form, body, headers] of forms) {
      expect(await toLnbits("tacos", body, query, headers), form).toEqual({
        status: 200,
        body: { status: "ok" },
      });
      await expectPolls("tacos", ++polls);
    }
    expect(await sales()).toEqual([]);
  });

  it("answer 404, 400 and 413, ignore a disabled merchant, and poll nothing then", async () => {
    const query = `?secret=${LN_SECRET}`;
    expect((await toLnbits("nobody", lnurlpBody, query, json)).status).toBe(404);
    expect(await toLnbits("coffee", lnurlpBody, query, json)).toEqual({
      status: 400,
      body: { error: "merchant coffee takes payments with btcpay, not lnbits: this is the lnbits webhook" },
    });
    expect((await toLnbits("173", lnurlpBody, query, json)).status).toBe(400);
    const big = JSON.stringify({ payment_hash: HASH, memo: "x".repeat(1024 * 1024) });
    expect(await toLnbits("tacos", big, query, json)).toEqual({
      status: 413,
      body: { error: "request body is larger than 1 MB" },
    });
    await expectPolls("tacos", 0);

    await upsertMerchant(
      s.t.store.db,
      {
        id: "tacos",
        public_key: "pk-tacos",
        alias: "tacos",
        enabled: false,
        source: "lnbits",
        source_settings: { base_url: "http://127.0.0.1:9", api_key: "k", webhook_secret: LN_SECRET },
      },
      NOW,
    );
    expect(await toLnbits("tacos", lnurlpBody, query, json)).toEqual({
      status: 200,
      body: { status: "ignored", reason: "merchant is disabled" },
    });
    await expectPolls("tacos", 0);
  });
});

describe("ingest's hint", () => {
  it("polls enabled BTCPay and LNbits merchants only, whoever calls it", async () => {
    const ingest = await openIngest(testConfig(), pino({ level: "silent" }), {});
    try {
      const add = (id: string, source: string, enabled: boolean) =>
        upsertMerchant(
          ingest.database.db,
          {
            id,
            public_key: `pk-${id}`,
            alias: id,
            enabled,
            source,
            source_settings: { base_url: "http://x.test" },
          },
          NOW,
        );
      await add("pwf-1", "pwf", true);
      await add("btc-off", "btcpay", false);
      await add("ln-on", "lnbits", true);
      const hint = { keys: [HASH] };
      expect(await ingest.hint("nobody", hint)).toBe("unknown merchant");
      expect(await ingest.hint("pwf-1", hint)).toBe("not keyed");
      expect(await ingest.hint("btc-off", hint)).toBe("disabled");
      expect(await ingest.hint("ln-on", hint)).toBe("started");
    } finally {
      await ingest.stop();
    }
  });
});
