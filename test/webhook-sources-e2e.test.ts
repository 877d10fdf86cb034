/**
 * The source webhooks end to end (issue 15), through the service as main.ts builds it (ingest thread,
 * real port) against the mock BTCPay Server and LNbits: merchants made through the admin API, a delivery
 * that makes the poller read the mock at once, redeliveries and races that store nothing twice, and a
 * hand-marked invalid invoice taken back. What must be stored comes from the mock's ground truth.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary, TickerRow } from "../src/contract/index.js";
import { type RunningBtcpayMock, startBtcpayMock } from "../src/mock/btcpay/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../src/mock/lnbits/index.js";
import type { createService as createInline, Service } from "../src/service.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";

const built = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof createInline;
};

const SECRET = "whsec-e2e-coffee-4f1a";
const KEY = "Greenfield-Key-e2e-000000a1";
const auth = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };

let dir: string;
let service: Service;
let btcpay: RunningBtcpayMock;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "webhook-e2e-"));
  btcpay = await startBtcpayMock();
  btcpay.addStore({ id: "CoffeeStore1", name: "Coffee", apiKey: KEY });
  // An hour between scheduled polls: after the first (empty) cycle only deliveries and refetches poll.
  service = await built.createService(
    testConfig({ dbPath: join(dir, "pos.db"), pollIntervalMs: 3_600_000 }),
    { log: pino({ level: "silent" }), readCache: { maxStaleMs: 0, refreshAfterMs: 0 } },
  );
  await service.start();
  base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await service?.stop();
  await btcpay?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${base}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as T };
};
const ticker = async () => (await api<TickerRow[]>("/v1/ticker?source=btcpay&limit=100")).body;
const summary = async () => (await api<Summary>("/v1/summary?source=btcpay")).body;
const hook = { url: "", secret: SECRET };

async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 5000,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return { value, ms: Date.now() - start };
    if (Date.now() - start > ms) throw new Error(`not reached within ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const truth = () => btcpay.groundTruth("CoffeeStore1")[0] as { count: number; sats: number };

describe("BTCPay webhooks end to end", () => {
  it("a signed delivery brings the store's settled invoices at once; expired and invalid ones never count", async () => {
    btcpay.addInvoice("CoffeeStore1", {
      cart: [{ id: "espresso", title: "Espresso", price: 2.5, count: 3 }],
    });
    btcpay.addInvoice("CoffeeStore1", { currency: "SATS", amount: "2100" });
    btcpay.addInvoice("CoffeeStore1", { status: "Expired", additionalStatus: "PaidLate" });
    btcpay.addInvoice("CoffeeStore1", { status: "Invalid" });
    const pending = btcpay.addInvoice("CoffeeStore1", { status: "New" });
    const created = await api("/v1/admin/merchants", {
      method: "POST",
      body: JSON.stringify({
        id: "coffee",
        alias: "Coffee",
        source: "btcpay",
        btcpay: { base_url: btcpay.url, store_id: "CoffeeStore1", api_key: KEY, webhook_secret: SECRET },
      }),
    });
    expect(created.status).toBe(201);
    hook.url = `${base}/v1/webhooks/btcpay/coffee`;
    expect(await ticker()).toEqual([]);

    btcpay.settle("CoffeeStore1", pending.id);
    const delivery = await btcpay.sendWebhook(hook, "InvoiceSettled", "CoffeeStore1", pending.id);
    expect(delivery.status).toBe(200);
    const { value: rows } = await until(ticker, (r) => r.length === 3);
    expect(truth().count).toBe(3);
    expect(rows.every((r) => r.source === "btcpay" && r.merchant_id === "coffee")).toBe(true);
    expect(rows.map((r) => r.external_id).sort()).toEqual(
      btcpay
        .groundTruth("CoffeeStore1")[0]
        ?.sales.map((s) => s.invoiceId)
        .sort(),
    );
    expect((await summary()).total_volume_sats).toBe(truth().sats);
    const products = (await api<{ name: string }[]>("/v1/leaderboard/products?source=btcpay")).body;
    expect(products.map((p) => p.name)).toContain("Espresso");
  });

  it("a redelivery, a test delivery, a wrong signature and a delivery racing a refetch store nothing twice", async () => {
    const before = await summary();
    const inv = btcpay.addInvoice("CoffeeStore1", { currency: "SATS", amount: "5000" });
    const first = await btcpay.sendWebhook(hook, "InvoiceSettled", "CoffeeStore1", inv.id);
    await btcpay.redeliver(hook, first);
    await btcpay.redeliver(hook, first);
    const refetch = await api(`/v1/admin/merchants/coffee/refetch`, { method: "POST", body: "{}" });
    expect(refetch.status).toBeLessThan(300);
    expect((await btcpay.sendTestWebhook(hook, "CoffeeStore1")).status).toBe(200);
    const forged = await btcpay.sendWebhook(
      { ...hook, signWith: "not-the-secret" },
      "InvoiceSettled",
      "CoffeeStore1",
      inv.id,
    );
    expect(forged.status).toBe(401);
    await until(summary, (s) => s.total_transactions === before.total_transactions + 1);
    // Every poll those deliveries caused has ended: still one more sale, never two.
    await new Promise((r) => setTimeout(r, 300));
    const after = await summary();
    expect(after.total_transactions).toBe(truth().count);
    expect(after.total_volume_sats).toBe(truth().sats);
    expect((await ticker()).filter((r) => r.external_id === inv.id)).toHaveLength(1);
  });

  it("an invoice marked invalid by hand after it settled is taken back when its webhook comes", async () => {
    const [settled] = btcpay.groundTruth("CoffeeStore1")[0]?.sales ?? [];
    if (!settled) throw new Error("no settled invoice");
    btcpay.markInvalid("CoffeeStore1", settled.invoiceId);
    await btcpay.sendWebhook(hook, "InvoiceInvalid", "CoffeeStore1", settled.invoiceId, {
      manuallyMarked: true,
    });
    const { value } = await until(summary, (s) => s.total_transactions === truth().count);
    expect(value.total_volume_sats).toBe(truth().sats);
    expect((await ticker()).some((r) => r.external_id === settled.invoiceId)).toBe(false);
  });
});

describe("LNbits webhooks end to end", () => {
  const LN_SECRET = "ln-e2e-secret-77c1";
  let lnbits: StartedLnbitsMock;
  let inkey = "";
  const lnTicker = async () => (await api<TickerRow[]>("/v1/ticker?source=lnbits&limit=100")).body;
  const lnTruth = () => lnbits.groundTruth(inkey);

  beforeAll(async () => {
    lnbits = await startLnbitsMock();
    inkey = lnbits.addWallet({ name: "Tacos" }).inkey;
  });
  afterAll(() => lnbits?.stop());

  it("a pay link's delivery (secret header) or core's (?secret=) polls at once; only paid incoming payments count", async () => {
    const paid = lnbits.addPayment(inkey, { amountSats: 2100, lnurlp: { comment: "tacos" } });
    lnbits.addPayment(inkey, { amountSats: 900, kind: "outgoing" });
    const pending = lnbits.addPayment(inkey, { amountSats: 3300, status: "pending" });
    const created = await api("/v1/admin/merchants", {
      method: "POST",
      body: JSON.stringify({
        id: "tacos",
        alias: "Tacos",
        source: "lnbits",
        lnbits: { base_url: lnbits.url, api_key: inkey, webhook_secret: LN_SECRET },
      }),
    });
    expect(created.status).toBe(201);
    const url = `${base}/v1/webhooks/lnbits/tacos`;

    const wrong = await lnbits.sendLnurlpWebhook(url, inkey, paid, {
      headers: { "X-Webhook-Secret": "nope" },
    });
    expect(wrong.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(await lnTicker()).toEqual([]);

    await lnbits.sendLnurlpWebhook(url, inkey, paid, { headers: { "X-Webhook-Secret": LN_SECRET } });
    const { value: first } = await until(lnTicker, (r) => r.length === 1);
    expect(first[0]).toMatchObject({ source: "lnbits", external_id: paid, amount_sats: 2100 });

    lnbits.settle(inkey, pending);
    const core = await lnbits.sendInvoiceWebhook(`${url}?secret=${LN_SECRET}`, inkey, pending);
    expect(core.status).toBe(200);
    const { value: both } = await until(lnTicker, (r) => r.length === 2);
    expect(both.map((r) => r.external_id).sort()).toEqual(
      lnTruth()
        .map((s) => s.hash)
        .sort(),
    );
    const lnSummary = (await api<Summary>("/v1/summary?source=lnbits")).body;
    expect(lnSummary.total_volume_sats).toBe(lnTruth().reduce((n, s) => n + s.amountSats, 0));

    // The same delivery again changes nothing.
    await lnbits.sendLnurlpWebhook(url, inkey, paid, { headers: { "X-Webhook-Secret": LN_SECRET } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await lnTicker()).length).toBe(2);
  });
});
