import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { btcpayEventBody, btcpaySig, btcpayTestInvoiceId } from "./support/btcpay-webhook.js";
import {
  type Headers,
  OTHER_SECRET,
  SECRET,
  type SourceWebhookApp,
  sourceWebhookApp,
} from "./support/source-webhooks.js";

/*
 * POST /v1/webhooks/btcpay/{merchant_id} against the real app (inject()); which polls the deliveries
 * caused is read from the merchants' poll records (support/source-webhooks.ts). LNbits' webhook is in
 * webhook-lnbits.test.ts; the ingest thread and the request log in webhook-sources-live.test.ts.
 */

let s: SourceWebhookApp;
beforeEach(async () => {
  s = await sourceWebhookApp();
});
afterEach(() => s?.close());

const toBtcpay = (id: string, body: string | Buffer, sig?: string, headers: Headers = {}) =>
  s.deliver(`/v1/webhooks/btcpay/${id}`, body, {
    "content-type": "application/json",
    ...(sig === undefined ? {} : { "btcpay-sig": sig }),
    ...headers,
  });
const expectPolls = (id: string, n: number) => s.expectPolls(id, n);
const pollRecord = (id: string) => s.pollRecord(id);
const sales = () => s.sales();

describe("BTCPay deliveries", () => {
  it("are polled for only with BTCPay-Sig right over the exact bytes, with this merchant's secret", async () => {
    const body = btcpayEventBody();
    const refused = (why: string) => ({ status: 401, body: { error: why } });
    const bad = "invalid BTCPay-Sig signature";
    const malformed = "missing or malformed BTCPay-Sig header (sha256=<64 hex digits>)";
    expect(await toBtcpay("coffee", body)).toEqual(refused(malformed));
    expect(await toBtcpay("coffee", body, "")).toEqual(refused(malformed));
    const hex = btcpaySig(SECRET, body).slice("sha256=".length);
    for (const sig of [
      hex,
      `sha1=${hex}`,
      `sha256=${hex.slice(1)}`,
      `sha256=${hex}0`,
      `sha256=${"z".repeat(64)}`,
    ])
      expect(await toBtcpay("coffee", body, sig)).toEqual(refused(malformed));
    expect(await toBtcpay("coffee", body, btcpaySig(OTHER_SECRET, body))).toEqual(refused(bad));
    expect(await toBtcpay("coffee", body, btcpaySig(`${SECRET} `, body))).toEqual(refused(bad));
    // One byte changed after signing, and the same event signed but sent re-serialised (not indented).
    const changed = Buffer.from(body);
    changed[changed.indexOf("Fq8k")] = "G".charCodeAt(0);
    expect(await toBtcpay("coffee", changed, btcpaySig(SECRET, body))).toEqual(refused(bad));
    const compact = JSON.stringify(JSON.parse(body));
    expect(await toBtcpay("coffee", compact, btcpaySig(SECRET, body))).toEqual(refused(bad));
    // The bakery's valid delivery is not the coffee stand's.
    expect(await toBtcpay("coffee", body, btcpaySig(OTHER_SECRET, body))).toEqual(refused(bad));
    await expectPolls("coffee", 0);
    expect(await pollRecord("bakery")).toEqual({ polls: 0, last_error: null });

    expect(await toBtcpay("coffee", body, btcpaySig(SECRET, body))).toEqual({
      status: 200,
      body: { status: "ok" },
    });
    await expectPolls("coffee", 1);
    // Its BTCPay (base_url port 9) is not listening: the poll the delivery started failed at once.
    expect((await pollRecord("coffee")).last_error).toBe("BTCPay request failed: ECONNREFUSED");
    expect(await pollRecord("bakery")).toEqual({ polls: 0, last_error: null });
    expect(await sales()).toEqual([]);
  });

  it("verify the bytes as received: CRLF, non-ASCII text, a charset, upper-case hex", async () => {
    const body = `${btcpayEventBody({ metadata: { itemDesc: "Café crème ☕" } }).replace(/\n/g, "\r\n")}\r\n`;
    const sig = btcpaySig(SECRET, body);
    const charset = { "content-type": "application/json; charset=utf-8" };
    expect((await toBtcpay("coffee", body, sig, charset)).status).toBe(200);
    await expectPolls("coffee", 1);
    expect((await toBtcpay("coffee", body, `sha256=${sig.slice(7).toUpperCase()}`)).status).toBe(200);
    await expectPolls("coffee", 2);
  });

  it("redelivered are polled for again; test deliveries and events without an invoice are not", async () => {
    const first = btcpayEventBody();
    const deliveryId = (JSON.parse(first) as { deliveryId: string }).deliveryId;
    const ok = { status: 200, body: { status: "ok" } };
    expect(await toBtcpay("coffee", first, btcpaySig(SECRET, first))).toEqual(ok);
    await expectPolls("coffee", 1);
    const again = btcpayEventBody({ originalDeliveryId: deliveryId });
    expect(JSON.parse(again)).toMatchObject({ isRedelivery: true, originalDeliveryId: deliveryId });
    expect(await toBtcpay("coffee", again, btcpaySig(SECRET, again))).toEqual(ok);
    await expectPolls("coffee", 2);

    const ignored = async (fields: Record<string, unknown>, reason: string) => {
      const body = btcpayEventBody(fields);
      expect(await toBtcpay("coffee", body, btcpaySig(SECRET, body))).toEqual({
        status: 200,
        body: { status: "ignored", reason },
      });
    };
    await ignored({ invoiceId: btcpayTestInvoiceId() }, "test delivery");
    await ignored(
      { type: "PayoutCreated", invoiceId: undefined, payoutId: "Po1" },
      "no invoice in this event",
    );
    await ignored({ invoiceId: null }, "no invoice in this event");
    await ignored({ invoiceId: "not an id!" }, "invoiceId is not an invoice id");
    await ignored({ type: "InvoiceCreated" }, "InvoiceCreated cannot change a sale");
    await ignored({ type: "InvoiceExpired" }, "InvoiceExpired cannot change a sale");
    await expectPolls("coffee", 2);
    for (const type of ["InvoiceInvalid", "InvoiceProcessing", "InvoicePaymentSettled"]) {
      const body = btcpayEventBody({ type });
      expect(await toBtcpay("coffee", body, btcpaySig(SECRET, body))).toEqual(ok);
    }
    expect((await pollRecord("coffee")).polls).toBeGreaterThan(2);
    expect(await sales()).toEqual([]);
  });

  it("answer 401 for a merchant without a webhook_secret, 404, 400 and 413, and poll nothing", async () => {
    const body = btcpayEventBody();
    expect(await toBtcpay("nosecret", body, btcpaySig("", body))).toEqual({
      status: 401,
      body: { error: "this merchant has no webhook_secret: set it to the BTCPay webhook's secret" },
    });
    const sig = btcpaySig(SECRET, body);
    expect(await toBtcpay("nobody", body, sig)).toEqual({
      status: 404,
      body: { error: 'no merchant "nobody"' },
    });
    expect((await toBtcpay("no%20body", body, sig)).status).toBe(404);
    expect((await toBtcpay("m".repeat(65), body, sig)).status).toBe(404);
    expect(await toBtcpay("173", body, sig)).toEqual({
      status: 400,
      body: { error: "merchant 173 takes payments with pwf, not btcpay: this is the btcpay webhook" },
    });
    expect((await toBtcpay("tacos", body, sig)).status).toBe(400);
    // Over 1 MB, signed right: refused before it is read whole.
    const big = btcpayEventBody({ metadata: { note: "x".repeat(1024 * 1024) } });
    expect(await toBtcpay("coffee", big, btcpaySig(SECRET, big))).toEqual({
      status: 413,
      body: { error: "request body is larger than 1 MB" },
    });
    // Signed right but not JSON: BTCPay never sends that.
    expect(await toBtcpay("coffee", "{nope", btcpaySig(SECRET, "{nope"))).toEqual({
      status: 400,
      body: { error: "request body must be a JSON object (a BTCPay webhook event)" },
    });
    await expectPolls("coffee", 0);
    for (const id of ["nosecret", "173", "tacos"]) expect((await pollRecord(id)).polls).toBe(0);
  });

  it("for a disabled merchant are accepted and ignored once signed right (it is not ingested)", async () => {
    const body = btcpayEventBody();
    expect((await toBtcpay("closed", body, btcpaySig(OTHER_SECRET, body))).status).toBe(401);
    expect(await toBtcpay("closed", body, btcpaySig(SECRET, body))).toEqual({
      status: 200,
      body: { status: "ignored", reason: "merchant is disabled" },
    });
    await expectPolls("closed", 0);
  });
});
