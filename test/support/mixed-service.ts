/**
 * The service for the mixed full-system test: createService as main.ts calls it, on a real SQLite
 * file and a real port (the mocks deliver webhooks to it), with ingest in this thread so that a round's
 * polls run when the plan says (pollAll) and on the test's clock, and every log line captured. Plus
 * the test's HTTP helpers and the webhook deliveries of a round, sent by the mocks themselves.
 */
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import type { MerchantStanding } from "../../src/contract/index.js";
import { createService, type Service } from "../../src/service.js";
import { testConfig } from "./app.js";
import type { captureLogger } from "./log.js";
import { type MixedEvent, merchantOf } from "./mixed-event.js";
import type { RoundWebhooks } from "./mixed-rounds.js";
import { type Expected, perMerchant } from "./mixed-truth.js";

export const TOKEN = "mixed-event-admin-token-0123456789abcdef0123";
export const auth = { authorization: `Bearer ${TOKEN}` };

export interface MixedService {
  service: Service;
  base: string;
  get<T>(url: string, headers?: Record<string, string>): Promise<T>;
  send(method: "POST" | "PUT", url: string, payload: object): Promise<{ status: number; body: string }>;
  pollAll(): Promise<void>;
}

export async function openMixedService(
  event: MixedEvent,
  dbPath: string,
  logs: ReturnType<typeof captureLogger>,
): Promise<MixedService> {
  const now = () => event.clock.now;
  const service = await createService(
    testConfig({
      adminToken: TOKEN,
      dbPath,
      sourceBaseUrl: event.pwf.url,
      // Only pollAll and webhook hints poll: the schedule never starts.
      pollIntervalMs: 3_600_000,
      httpTimeoutMs: 3000,
    }),
    {
      log: logs.log,
      ingest: "inline",
      now,
      random: () => 0.5,
      readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
    },
  );
  const { app, inline } = service;
  if (!inline) throw new Error("inline ingest exposes pollAll");
  // Listening without start(): start() would also start the poll schedule.
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    service,
    base,
    async get<T>(url: string, headers: Record<string, string> = {}) {
      const res = await app.inject({ method: "GET", url, headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      return res.json() as T;
    },
    async send(method, url, payload) {
      const res = await app.inject({ method, url, payload, headers: auth });
      return { status: res.statusCode, body: res.body };
    },
    pollAll: () => inline.pollAll(),
  };
}

/** One merchant's all-time standing, as the truth has it and as the service shows it. */
export function standing(expected: Expected, merchantId: string) {
  return perMerchant(expected.sales.filter((s) => s.merchantId === merchantId))[0] ?? null;
}

export async function shownStanding(s: MixedService, merchantId: string) {
  const board = await s.get<MerchantStanding[]>("/v1/leaderboard/merchants?window=all&limit=1000");
  const row = board.find((r) => r.merchant_id === merchantId);
  return row
    ? { merchant_id: row.merchant_id, transactions: row.transactions, volume_sats: row.volume_sats }
    : null;
}

/** Sends the round's deliveries (and redeliveries) from the mocks; each must be accepted. */
export async function deliver(e: MixedEvent, s: MixedService, hooks: RoundWebhooks): Promise<string[]> {
  const hinted = new Set<string>();
  for (const h of hooks.btcpay) {
    const m = merchantOf(e, h.merchantId);
    const target = { url: `${s.base}/v1/webhooks/btcpay/${m.id}`, secret: m.secrets[1] as string };
    const extra = h.type === "InvoiceInvalid" ? { manuallyMarked: true } : {};
    const first = await e.btcpay.sendWebhook(target, h.type, m.upstreamKey, h.invoiceId, extra);
    expect(first.status, `${h.type} ${h.invoiceId}`).toBe(200);
    for (let i = 0; i < h.redeliver; i++) expect((await e.btcpay.redeliver(target, first)).status).toBe(200);
    hinted.add(m.id);
  }
  for (const h of hooks.lnurlp) {
    const m = merchantOf(e, h.merchantId);
    const url = `${s.base}/v1/webhooks/lnbits/${m.id}`;
    const headers = { "X-Webhook-Secret": m.secrets[1] as string };
    for (let i = 0; i <= h.redeliver; i++)
      expect((await e.lnbits.sendLnurlpWebhook(url, m.upstreamKey, h.hash, { headers })).status).toBe(200);
    hinted.add(m.id);
  }
  for (const h of hooks.invoice) {
    const m = merchantOf(e, h.merchantId);
    // Core's per-invoice webhook can only be a URL: the secret rides in the query.
    const url = `${s.base}/v1/webhooks/lnbits/${m.id}?secret=${encodeURIComponent(m.secrets[1] as string)}`;
    expect((await e.lnbits.sendInvoiceWebhook(url, m.upstreamKey, h.hash)).status).toBe(200);
    hinted.add(m.id);
  }
  return [...hinted];
}

/** Reads until `ok`, for at most `ms`; returns the last value either way (the caller asserts). */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}
