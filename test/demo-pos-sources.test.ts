/**
 * The demo's BTCPay and LNbits stands against the service as main.ts builds it (ingest thread, real
 * port): merchants registered as the demo registers them, the sales timer with its webhooks, and what
 * the dashboard then shows per merchant compared with the mocks' own ground truth: every counted
 * invoice and payment once, with its sats and fiat, and none of the endings that must not count
 * (BTCPay Expired/PaidLate, LNbits pending or failed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TickerRow } from "../src/contract/index.js";
import { type PosSources, type StandTruth, startPosSources } from "../src/demo/pos-sources.js";
import type { createService as createInline, Service } from "../src/service.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";

const built = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof createInline;
};
const auth = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };

let dir: string;
let service: Service;
let pos: PosSources;
let base: string;
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "demo-pos-"));
  pos = await startPosSources({
    host: "127.0.0.1",
    btcpayPort: 0,
    lnbitsPort: 0,
    speed: 50,
    intervalMs: 40,
    runId: 1,
    log: (line) => logged.push(line),
  });
  service = await built.createService(testConfig({ dbPath: join(dir, "pos.db"), pollIntervalMs: 300 }), {
    log: pino({ level: "silent" }),
    readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
  });
  await service.start();
  base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await pos?.stopSales();
  await service?.stop();
  await pos?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { ...init, headers: auth, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

async function until(ok: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Shown = Record<string, { sats: number; fiat: number | null; currency: string | null }>;

function expected(t: StandTruth): Shown {
  return Object.fromEntries(
    t.sales.map((s) => [s.externalId, { sats: s.sats, fiat: s.fiat, currency: s.currency }]),
  );
}

async function shown(): Promise<Record<string, Shown>> {
  const out: Record<string, Shown> = {};
  for (const source of ["btcpay", "lnbits"]) {
    const rows = (await api<TickerRow[]>(`/v1/ticker?source=${source}&limit=1000`)).body;
    for (const r of rows) {
      const mine = out[r.merchant_id] ?? {};
      out[r.merchant_id] = mine;
      mine[r.external_id ?? `sale ${r.sale_id}`] = {
        sats: r.amount_sats,
        fiat: r.fiat_amount ?? null,
        currency: r.currency ?? null,
      };
    }
  }
  return out;
}

describe("the demo's BTCPay and LNbits stands", () => {
  it("register as an operator would, sell with webhooks, and show exactly the mocks' ground truth", async () => {
    for (const m of pos.merchants()) {
      const res = await api("/v1/admin/merchants", { method: "POST", body: JSON.stringify(m) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    // Again, as a rerun does: the same merchant, updated.
    for (const m of pos.merchants()) {
      const res = await api("/v1/admin/merchants", { method: "POST", body: JSON.stringify(m) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    pos.startSales(base);
    await until(() => pos.truth().every((t) => t.made >= 30), 20_000, "30 sales at every stand");
    await pos.stopSales();
    const truth = pos.truth();

    // Some endings must not count, and the demo makes them: at every stand but the raffle.
    for (const t of truth) {
      if (t.merchantId !== "raffle") expect(t.made, t.merchantId).toBeGreaterThan(t.sales.length);
    }
    const want = Object.fromEntries(truth.map((t) => [t.merchantId, expected(t)]));
    let last: Record<string, Shown> = {};
    const caughtUp = async () => {
      last = await shown();
      return isDeepStrictEqual(last, want);
    };
    // A timeout is reported by the comparison below, which shows the difference.
    await until(caughtUp, 10_000, "the dashboard to show the ground truth").catch(() => undefined);
    expect(last).toEqual(want);
    expect(logged).toEqual([]);

    const merchants = (await api<{ id: string; last_error?: string }[]>("/v1/admin/merchants")).body;
    expect(merchants.filter((m) => m.last_error !== undefined)).toEqual([]);
  }, 40_000);

  it("ranks the stands' cart items as products, named by title (the POS app's for single items)", async () => {
    const products = (
      await api<{ merchant_id: string; name: string }[]>("/v1/leaderboard/products?limit=100")
    ).body;
    const names = (id: string) =>
      products
        .filter((p) => p.merchant_id === id)
        .map((p) => p.name)
        .sort();
    expect(names("bratwurst")).toEqual(["Bratwurst", "Craft Beer", "Currywurst", "Fries", "Lemonade"]);
    expect(names("latte")).toEqual(["Banana Bread", "Cappuccino", "Croissant", "Espresso", "Flat White"]);
    expect(names("swag")).toContain("Stack Sats Hoodie");
    expect(names("books")).toContain("The Bitcoin Standard");
  });
});
