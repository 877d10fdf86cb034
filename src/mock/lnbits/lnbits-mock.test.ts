// The LNbits mock speaks LNbits' API as shared/spec/pos-sources.md describes it: list limits per
// version, success+pending vs paginated lists, auth errors, both wire formats, the single-payment
// lookup, faults, both webhook deliveries, and a handler a host server can mount.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLnbitsMock, type StartedLnbitsMock, startLnbitsMock } from "./index.js";

const T0 = Date.UTC(2025, 10, 10, 14, 20, 0);
let clock = T0;
let mock: StartedLnbitsMock;

beforeEach(async () => {
  clock = T0;
  mock = await startLnbitsMock({ now: () => clock });
});
afterEach(async () => {
  await mock.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON read by shape in the assertions
async function get(path: string, key?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${mock.url}${path}`, { headers: key === undefined ? {} : { "X-Api-Key": key } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}

describe("LNbits mock lists", () => {
  it("1.4 answers 10 rows without a limit and refuses more than 1000; 1.0 has no default; 0.x ignores both", async () => {
    const wallets = (["1.4", "1.0", "0.x"] as const).map((version) => mock.addWallet({ version }));
    for (const w of wallets)
      for (let i = 0; i < 25; i++) mock.addPayment(w.inkey, { amountSats: 10 + i, time: T0 - i * 1000 });
    const [v14, v10, v0] = wallets.map((w) => w.inkey) as [string, string, string];
    expect((await get("/api/v1/payments", v14)).body).toHaveLength(10);
    expect((await get("/api/v1/payments?limit=1001", v14)).status).toBe(400);
    expect((await get("/api/v1/payments?limit=x", v10)).status).toBe(400);
    expect((await get("/api/v1/payments", v10)).body).toHaveLength(25);
    const page = (await get("/api/v1/payments?limit=5&offset=20", v10)).body;
    expect(page.map((p: { amount: number }) => p.amount)).toEqual([30, 31, 32, 33, 34].map((s) => s * 1000));
    const asc = (await get("/api/v1/payments?limit=2&sortby=time&direction=asc", v10)).body;
    expect(asc.map((p: { amount: number }) => p.amount)).toEqual([34000, 33000]);
    expect((await get("/api/v1/payments?limit=5&offset=20", v0)).body).toHaveLength(25);
  });

  it("/payments lists success and pending, /paginated failed ones too with the total", async () => {
    const { inkey } = mock.addWallet();
    mock.addPayment(inkey, { status: "success", time: T0 - 3000 });
    mock.addPayment(inkey, { status: "pending", time: T0 - 2000 });
    mock.addPayment(inkey, { status: "failed", time: T0 - 1000 });
    const list = (await get("/api/v1/payments?limit=100", inkey)).body;
    expect(list.map((p: { status: string }) => p.status)).toEqual(["pending", "success"]);
    const paged = (await get("/api/v1/payments/paginated?limit=2", inkey)).body;
    expect(paged.total).toBe(3);
    expect(paged.data.map((p: { status: string }) => p.status)).toEqual(["failed", "pending"]);
  });

  it("auth: no key 401, an unknown key 404, ?api-key= and the admin key work", async () => {
    const w = mock.addWallet({ name: "Taco Stand" });
    expect(await get("/api/v1/payments")).toEqual({ status: 401, body: { detail: "No Api Key provided." } });
    expect(await get("/api/v1/wallet", "nope")).toEqual({
      status: 404,
      body: { detail: "Wallet not found." },
    });
    expect((await get(`/api/v1/wallet?api-key=${w.inkey}`)).body).toEqual({ name: "Taco Stand", balance: 0 });
    expect((await get("/api/v1/wallet", w.adminkey)).status).toBe(200);
    expect((await get("/api/v1/other", w.inkey)).status).toBe(404);
  });
});

describe("LNbits mock formats", () => {
  it("1.x: msat, status, ISO times; a settled invoice keeps its time and moves updated_at", async () => {
    const { inkey } = mock.addWallet();
    const hash = mock.addPayment(inkey, {
      status: "pending",
      tpos: { satsPerUnit: 1000, items: [{ title: "Taco", price: 3.5, quantity: 2 }] },
    });
    clock += 41_000;
    mock.settle(inkey, hash);
    const [p] = (await get("/api/v1/payments?limit=1", inkey)).body;
    expect(p).toMatchObject({
      payment_hash: hash,
      amount: 7_000_000,
      status: "success",
      time: "2025-11-10T14:20:00.000000+00:00",
      updated_at: "2025-11-10T14:20:41.000000+00:00",
      extra: {
        tag: "tpos",
        amount: 7000,
        exchangeRate: 1000,
        details: { currency: "USD", items: [{ id: 0, title: "Taco", price: 3.5, quantity: 2 }] },
      },
    });
  });

  it("0.x: pending bool, unix time, TPoS details as a JSON string; an expired invoice is deleted", async () => {
    const { inkey } = mock.addWallet({ version: "0.x" });
    mock.addPayment(inkey, {
      tpos: { satsPerUnit: 1000, items: [{ title: "Coffee", price: 2, quantity: 1 }] },
    });
    const gone = mock.addPayment(inkey, { status: "pending", time: T0 - 1000 });
    mock.fail(inkey, gone);
    const rows = (await get("/api/v1/payments", inkey)).body;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ pending: false, time: T0 / 1000, amount: 2_000_000 });
    expect(rows[0].status).toBeUndefined();
    expect(JSON.parse(rows[0].extra.details)).toEqual({
      currency: "USD",
      exchangeRate: 1000,
      items: [{ price: 2, quantity: 1, title: "Coffee", tax: 0 }],
    });
  });

  it("the single-payment lookup: details for the key's wallet only, 404 for another wallet's", async () => {
    const a = mock.addWallet({ name: "A" });
    const b = mock.addWallet({ name: "B" });
    const hash = mock.addPayment(a.inkey, { amountSats: 21 });
    expect((await get(`/api/v1/payments/${hash}`, a.inkey)).body).toMatchObject({
      paid: true,
      details: { payment_hash: hash, amount: 21000 },
    });
    expect((await get(`/api/v1/payments/${hash}`)).body.details).toBeUndefined();
    expect(await get(`/api/v1/payments/${hash}`, b.inkey)).toEqual({
      status: 404,
      body: { detail: "Payment does not exist." },
    });
  });

  it("faults per wallet: a status, an HTML 502", async () => {
    const { inkey } = mock.addWallet();
    mock.setFault(inkey, { html: true });
    const html = await get("/api/v1/payments", inkey);
    expect(html.status).toBe(502);
    expect(html.body).toContain("<html>");
    mock.setFault(inkey, { status: 500 });
    expect(await get("/api/v1/wallet", inkey)).toEqual({ status: 500, body: { detail: "Injected failure" } });
    mock.clearFault(inkey);
    expect((await get("/api/v1/wallet", inkey)).status).toBe(200);
  });
});

describe("LNbits mock webhooks and mounting", () => {
  it("LNURLp with its extra headers; core's 1.x body is a JSON string, 0.x's the payment itself", async () => {
    const got: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        got.push({ url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200).end("{}");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const v1 = mock.addWallet();
      const v0 = mock.addWallet({ version: "0.x" });
      const h1 = mock.addPayment(v1.inkey, { amountSats: 100, lnurlp: { link: "Lp9", comment: "gm" } });
      const h0 = mock.addPayment(v0.inkey, { amountSats: 200 });
      const headers = { "X-Webhook-Secret": "s3cret" };
      expect((await mock.sendLnurlpWebhook(base, v1.inkey, h1, { headers })).status).toBe(200);
      await mock.sendInvoiceWebhook(`${base}?secret=s3cret`, v1.inkey, h1);
      await mock.sendInvoiceWebhook(base, v0.inkey, h0);
      expect(got[0]?.headers["x-webhook-secret"]).toBe("s3cret");
      expect(JSON.parse(got[0]?.body ?? "")).toEqual({
        payment_hash: h1,
        payment_request: expect.stringMatching(/^lnbc/),
        amount: 100_000,
        comment: "gm",
        webhook_data: null,
        lnurlp: "Lp9",
        body: "",
      });
      expect(got[1]?.url).toBe("/hook?secret=s3cret");
      const inner = JSON.parse(got[1]?.body ?? "");
      expect(typeof inner).toBe("string");
      expect(JSON.parse(inner)).toMatchObject({ payment_hash: h1, status: "success", amount: 100_000 });
      expect(JSON.parse(got[2]?.body ?? "")).toMatchObject({ payment_hash: h0, pending: false });
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("as a handler: answers LNbits' paths and leaves the others to the host", async () => {
    const lnbits = createLnbitsMock();
    const { inkey } = lnbits.addWallet({ name: "Mounted" });
    const host = createServer((req, res) => {
      if (!lnbits.handle(req, res)) res.writeHead(418).end("host");
    });
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    try {
      const wallet = await fetch(`${url}/api/v1/wallet`, { headers: { "X-Api-Key": inkey } });
      expect(await wallet.json()).toEqual({ name: "Mounted", balance: 0 });
      expect((await fetch(`${url}/api/v1/stores/x/invoices`)).status).toBe(418);
    } finally {
      lnbits.stop();
      host.closeAllConnections();
      await new Promise<void>((r) => host.close(() => r()));
    }
  });
});
