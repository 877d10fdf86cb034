// The mock Greenfield API's own behaviour, checked over HTTP with plain fetch (no client code).
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningBtcpayMock, startBtcpayMock } from "./index.js";

const T0 = 1762780800;
let mock: RunningBtcpayMock;
let key: string;
let storeId: string;

beforeEach(async () => {
  mock = await startBtcpayMock({ now: () => T0 * 1000 });
  ({ id: storeId, apiKey: key } = mock.addStore({ name: "Shop" }));
});
afterEach(async () => {
  await mock.stop();
});

const get = async (path: string, auth: string | null = `token ${key}`) => {
  const res = await fetch(`${mock.url}${path}`, auth === null ? {} : { headers: { authorization: auth } });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("<") ? text : JSON.parse(text) };
};

describe("mock Greenfield invoices list", () => {
  beforeEach(() => {
    for (let i = 0; i < 5; i++) mock.addInvoice(storeId, { createdTime: T0 + i * 10 });
    mock.addInvoice(storeId, { createdTime: T0 + 100, status: "Expired" });
  });

  it("newest first; no take means everything; startDate/endDate inclusive; status repeatable and lenient", async () => {
    const all = await get(`/api/v1/stores/${storeId}/invoices`);
    expect(all.body.map((i: { createdTime: number }) => i.createdTime)).toEqual(
      [100, 40, 30, 20, 10, 0].map((d) => T0 + d),
    );
    const window = await get(`/api/v1/stores/${storeId}/invoices?startDate=${T0 + 10}&endDate=${T0 + 30}`);
    expect(window.body.length).toBe(3);
    const settled = await get(`/api/v1/stores/${storeId}/invoices?status=complete&status=bogus`);
    expect(settled.body.length).toBe(5);
    const unknownOnly = await get(`/api/v1/stores/${storeId}/invoices?status=bogus`);
    expect(unknownOnly.body.length).toBe(6);
    const page = await get(`/api/v1/stores/${storeId}/invoices?skip=1&take=2`);
    expect(page.body.map((i: { createdTime: number }) => i.createdTime)).toEqual([T0 + 40, T0 + 30]);
  });

  it("decimals as strings, 2.x payment methods with 11 Lightning decimals, inlined only when asked", async () => {
    const [plain] = (await get(`/api/v1/stores/${storeId}/invoices?take=1&skip=1`)).body;
    expect(plain.paymentMethods).toBeUndefined();
    expect(plain).toMatchObject({ amount: "7.50", paidAmount: "7.50", currency: "EUR", status: "Settled" });
    const [inline] = (
      await get(`/api/v1/stores/${storeId}/invoices?take=1&skip=1&includePaymentMethods=true`)
    ).body;
    const ln = inline.paymentMethods.find((m: { paymentMethodId: string }) => m.paymentMethodId === "BTC-LN");
    expect(ln).toMatchObject({
      amount: "0.00015000000",
      paymentMethodPaid: "0.00015000000",
      rate: "50000.00",
    });
    const chain = inline.paymentMethods.find(
      (m: { paymentMethodId: string }) => m.paymentMethodId === "BTC-CHAIN",
    );
    expect(chain).toMatchObject({
      amount: "0.00015000",
      paymentMethodPaid: "0.00000000",
      totalPaid: "0.00015000",
    });
  });

  it("errors as BTCPay writes them: 401, 403 with missingPermission, 404, 422 for a bad startDate", async () => {
    expect(await get(`/api/v1/stores/${storeId}/invoices`, null)).toMatchObject({
      status: 401,
      body: { code: "unauthenticated" },
    });
    expect(await get(`/api/v1/stores/other/invoices`)).toMatchObject({
      status: 403,
      body: { code: "missing-permission", missingPermission: "btcpay.store.canviewinvoices" },
    });
    expect(await get(`/api/v1/stores/${storeId}/invoices/nope`)).toMatchObject({
      status: 404,
      body: { code: "invoice-not-found" },
    });
    expect(await get(`/api/v1/stores/${storeId}/invoices?startDate=2025-11-10`)).toEqual({
      status: 422,
      body: [{ path: "startDate", message: "Invalid unix timestamp" }],
    });
    expect(await get("/api/v1/health", null)).toEqual({ status: 200, body: { synchronized: true } });
  });
});

describe("mock webhook deliveries", () => {
  let server: Server;
  const received: { headers: Record<string, unknown>; body: string }[] = [];
  beforeEach(async () => {
    received.length = 0;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  it("indented JSON signed with HMAC-SHA256 of the raw body; a redelivery keeps the event, new deliveryId", async () => {
    const inv = mock.addInvoice(storeId, {});
    const target = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      secret: "s3cret",
    };
    const first = await mock.sendWebhook(target, "InvoiceSettled", storeId, inv.id, {
      manuallyMarked: false,
    });
    const again = await mock.redeliver(target, first);
    expect(received.length).toBe(2);
    const [a, b] = received.map((r) => ({ ...r, event: JSON.parse(r.body) }));
    expect(a?.body).toContain('\n  "deliveryId"');
    const hmac = createHmac("sha256", "s3cret")
      .update(a?.body ?? "")
      .digest("hex");
    expect(a?.headers["btcpay-sig"]).toBe(`sha256=${hmac}`);
    expect(a?.event).toMatchObject({
      type: "InvoiceSettled",
      invoiceId: inv.id,
      storeId,
      isRedelivery: false,
    });
    expect(b?.event).toMatchObject({
      isRedelivery: true,
      originalDeliveryId: a?.event.deliveryId,
      invoiceId: inv.id,
    });
    expect(b?.event.deliveryId).not.toBe(a?.event.deliveryId);
    expect(again.status).toBe(200);
    await mock.sendTestWebhook(target, storeId);
    expect(JSON.parse(received[2]?.body ?? "{}").invoiceId).toMatch(/^__test__.+__test__$/);
  });
});

describe("mock Greenfield request hook", () => {
  it("tells onRequest of each request once its answer is decided, before it is sent, hung ones included", async () => {
    mock.addInvoice(storeId, { createdTime: T0 });
    const told: [string, number, number][] = [];
    mock.handler.onRequest = (r) => {
      told.push([r.path, r.status, r.invoices]);
      // A change made here is not in this answer: it was decided already.
      if (told.length === 1) mock.addInvoice(storeId, { createdTime: T0 + 1 });
    };
    const first = await get(`/api/v1/stores/${storeId}/invoices`);
    expect(first.body).toHaveLength(1);
    expect((await get(`/api/v1/stores/${storeId}/invoices`)).body).toHaveLength(2);
    mock.setFault(storeId, { hang: true });
    const hung = fetch(`${mock.url}/api/v1/stores/${storeId}/invoices`, {
      headers: { authorization: `token ${key}` },
    }).catch(() => "closed");
    for (let i = 0; i < 200 && told.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
    mock.handler.onRequest = undefined;
    expect(told).toEqual([
      [`/api/v1/stores/${storeId}/invoices`, 200, 1],
      [`/api/v1/stores/${storeId}/invoices`, 200, 2],
      [`/api/v1/stores/${storeId}/invoices`, 0, 0],
    ]);
    await mock.stop();
    expect(await hung).toBe("closed");
  });
});
