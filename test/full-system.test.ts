/**
 * Full system: the mock upstream (fixed seed, driven by hand) → the real poller and upstream client →
 * a real SQLite file → the public API. Every expectation is recomputed from the mock's ground truth
 * and the test's own plan of which polls succeed, never from what the service reports.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import {
  type GroundTruthProduct,
  type GroundTruthSale,
  type MockUpstream,
  startMockUpstream,
} from "../src/mock/index.js";
import { createService, type Service } from "../src/service.js";
import { testConfig } from "./support/app.js";

const SEED = 7;
const T0 = Date.parse("2025-11-10T15:00:00Z");
const MINUTE = 60_000;
const TOKEN = "full-system-admin-token-0123456789abcdef0123";
const auth = { authorization: `Bearer ${TOKEN}` };
const ROUNDS = 9;

/** The generation plan, identical in the dry run and the real run (the mock is deterministic). */
function generateRound(mock: MockUpstream, clock: { now: number }, round: number): void {
  clock.now += 2 * MINUTE;
  mock.tick(2 * MINUTE);
  const ids = mock.merchants().map((m) => m.id);
  // A few extra sales every round on fixed merchants, so that reset, disabled and faulted ones
  // always have sales generated while they are in that state.
  for (const i of [0, 1, 2, 3, 4, 5]) {
    const id = ids[(i + round) % ids.length];
    if (id !== undefined) mock.addSale(id);
    const fixed = ids[i];
    if (fixed !== undefined) mock.addSale(fixed);
  }
}

/** Before the first poll: older sales on two merchants, so `24h` and `all` differ. */
function seedOldSales(mock: MockUpstream): void {
  const ids = mock.merchants().map((m) => m.id);
  for (const id of ids.slice(6, 8)) mock.addHistory(id, 12, { spanMs: 30 * 24 * 60 * MINUTE });
}

interface Expected {
  sales: Map<string, GroundTruthSale>;
  products: Map<string, GroundTruthProduct[]>;
}

const key = (merchantId: string, saleId: number) => `${merchantId}:${saleId}`;

describe("full system: mock upstream → poller → SQLite → public API", () => {
  const dir = mkdtempSync(join(tmpdir(), "full-system-"));
  let mock: MockUpstream | undefined;
  let service: Service | undefined;

  afterAll(async () => {
    await service?.stop();
    await mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores exactly the mock's sales and serves leaderboards, ticker, rates and milestones that match a recount", async () => {
    // Dry run: the same plan without a client, to place milestone thresholds at 1/3 and 2/3 of the total.
    const dryClock = { now: T0 };
    const dry = await startMockUpstream({
      seed: SEED,
      generate: false,
      history: true,
      port: 0,
      now: () => dryClock.now,
    });
    seedOldSales(dry);
    for (let r = 1; r <= ROUNDS; r++) generateRound(dry, dryClock, r);
    const finalGenerated = dry.groundTruth().merchants.reduce((n, m) => n + m.sales.length, 0);
    await dry.stop();

    const clock = { now: T0 };
    const now = () => clock.now;
    mock = await startMockUpstream({ seed: SEED, generate: false, history: true, port: 0, now });
    const m = mock;
    // The service as main.ts builds it, with ingest in this thread so that polls run when the plan says,
    // and no read cache: each check must see the polls just made.
    service = await createService(
      testConfig({
        adminToken: TOKEN,
        dbPath: join(dir, "dashboard.sqlite"),
        sourceBaseUrl: m.url,
        pollIntervalMs: 1000,
        maxStreamClients: 10,
      }),
      {
        log: pino({ level: "silent" }),
        ingest: "inline",
        now,
        random: () => 0.5,
        readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
      },
    );
    const { app: a, inline } = service;
    if (!inline) throw new Error("inline ingest exposes its poller and database");

    const get = async <T>(url: string, headers: Record<string, string> = {}): Promise<T> => {
      const res = await a.inject({ method: "GET", url, headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      return res.json() as T;
    };
    const send = async (method: "POST" | "PUT", url: string, payload: object) => {
      const res = await a.inject({ method, url, payload, headers: auth });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res.json() as unknown;
    };

    const merchants = m.merchants();
    const ids = merchants.map((x) => x.id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    for (const x of merchants) {
      await send("POST", "/v1/admin/merchants", { id: x.id, public_key: x.publicKey, alias: x.name });
    }

    const t1 = Math.ceil(finalGenerated / 3);
    const t2 = Math.ceil((2 * finalGenerated) / 3);
    await send("POST", "/v1/admin/milestones", { name: "third", type: "transactions", threshold: t1 });
    await send("POST", "/v1/admin/milestones", { name: "two thirds", type: "transactions", threshold: t2 });

    // What the store must hold: every sale served at a poll the plan says succeeds, and the product
    // statistics of each merchant's last successful poll.
    const expected: Expected = { sales: new Map(), products: new Map() };
    const pollAndRecord = async (failing: Set<string>, disabled: Set<string>) => {
      await inline.pollAll();
      for (const id of ids) {
        if (failing.has(id) || disabled.has(id)) continue;
        const truth = m.groundTruth(id).merchants[0];
        if (!truth) throw new Error(`no truth for ${id}`);
        for (const s of truth.sales) if (s.served) expected.sales.set(key(id, s.saleId), s);
        expected.products.set(id, truth.products);
      }
    };

    const checkAll = async (label: string) => {
      const sales = [...expected.sales.values()];
      const at = clock.now;

      // Totals: count and sats, in all and per merchant.
      const summary = await get<{
        total_transactions: number;
        total_volume_sats: number;
        transactions_per_minute: number;
        volume_per_minute: number;
      }>("/v1/summary");
      expect(summary.total_transactions, label).toBe(sales.length);
      expect(summary.total_volume_sats, label).toBe(sales.reduce((n, s) => n + s.amountSats, 0));
      const recent = sales.filter((s) => s.date >= at - 5 * MINUTE);
      expect(summary.transactions_per_minute, label).toBe(Math.round((recent.length / 5) * 100) / 100);
      // The windows below must really differ for the recount to mean something.
      expect(recent.length, label).toBeGreaterThan(0);
      expect(sales.some((s) => s.date < at - 24 * 60 * MINUTE && s.date >= at - 60 * 24 * 60 * MINUTE)).toBe(
        true,
      );
      expect(sales.some((s) => s.date < at - 5 * MINUTE && s.date >= at - 24 * 60 * MINUTE)).toBe(true);
      const recentSats = recent.reduce((n, s) => n + s.amountSats, 0);
      expect(summary.volume_per_minute, label).toBe(Math.round((recentSats / 5) * 100) / 100);

      // Merchant leaderboards for three windows, recounted by date.
      for (const [window, sinceMs] of [
        ["5m", at - 5 * MINUTE],
        ["24h", at - 24 * 60 * MINUTE],
        ["all", Number.NEGATIVE_INFINITY],
      ] as const) {
        const recount = new Map<string, { merchant_id: string; transactions: number; volume_sats: number }>();
        for (const s of sales) {
          if (s.date < sinceMs) continue;
          const row = recount.get(s.merchantId) ?? {
            merchant_id: s.merchantId,
            transactions: 0,
            volume_sats: 0,
          };
          row.transactions++;
          row.volume_sats += s.amountSats;
          recount.set(s.merchantId, row);
        }
        const board = await get<{ merchant_id: string; transactions: number; volume_sats: number }[]>(
          `/v1/leaderboard/merchants?window=${window}&limit=1000`,
        );
        const got = board
          .map((r) => ({
            merchant_id: r.merchant_id,
            transactions: r.transactions,
            volume_sats: r.volume_sats,
          }))
          .sort((x, y) => x.merchant_id.localeCompare(y.merchant_id));
        const want = [...recount.values()].sort((x, y) => x.merchant_id.localeCompare(y.merchant_id));
        expect(got, `${label}: merchants window=${window}`).toEqual(want);
      }

      // Product leaderboard (all time): the upstream's cumulative statistics of active products.
      const wantProducts = [...expected.products.entries()]
        .flatMap(([merchantId, products]) =>
          products
            .filter((x) => x.active && x.totalTransactions > 0)
            .map((x) => ({
              merchant_id: merchantId,
              product_id: x.productId,
              name: x.name,
              transactions: x.totalTransactions,
              volume_sats: x.totalRevenueSats,
            })),
        )
        .sort((x, y) => x.merchant_id.localeCompare(y.merchant_id) || x.product_id - y.product_id);
      const productBoard = await get<
        { merchant_id: string; product_id: number; name: string; transactions: number; volume_sats: number }[]
      >("/v1/leaderboard/products?limit=1000");
      const gotProducts = productBoard
        .map((r) => ({
          merchant_id: r.merchant_id,
          product_id: r.product_id,
          name: r.name,
          transactions: r.transactions,
          volume_sats: r.volume_sats,
        }))
        .sort((x, y) => x.merchant_id.localeCompare(y.merchant_id) || x.product_id - y.product_id);
      expect(gotProducts.length, label).toBeGreaterThan(0);
      expect(gotProducts, `${label}: products`).toEqual(wantProducts);

      // Ticker: the newest 50 by date, newest first; ties at the 50th date may be in any order.
      const ticker =
        await get<{ sale_id: number; merchant_id: string; amount_sats: number }[]>("/v1/ticker?limit=50");
      const byDate = [...sales].sort((x, y) => y.date - x.date);
      const n = Math.min(50, byDate.length);
      expect(ticker.length, label).toBe(n);
      const edge = byDate[n - 1]?.date ?? 0;
      const mustHave = byDate.filter((s) => s.date > edge).map((s) => key(s.merchantId, s.saleId));
      const mayHave = new Set(byDate.filter((s) => s.date >= edge).map((s) => key(s.merchantId, s.saleId)));
      const tickerKeys = ticker.map((r) => key(r.merchant_id, r.sale_id));
      expect(new Set(tickerKeys).size, label).toBe(n);
      for (const k of mustHave) expect(tickerKeys, `${label}: ticker has ${k}`).toContain(k);
      for (const k of tickerKeys)
        expect(mayHave.has(k), `${label}: ticker row ${k} is among the newest`).toBe(true);
      const tickerDates = ticker.map(
        (r) => expected.sales.get(key(r.merchant_id, r.sale_id))?.date ?? Number.NaN,
      );
      for (let i = 1; i < tickerDates.length; i++) {
        expect(tickerDates[i - 1] ?? 0, `${label}: ticker order`).toBeGreaterThanOrEqual(tickerDates[i] ?? 0);
      }
      for (const r of ticker) {
        expect(r.amount_sats).toBe(expected.sales.get(key(r.merchant_id, r.sale_id))?.amountSats);
      }
      return summary;
    };

    const none = new Set<string>();
    const [resetId, disabledId, failId, garbageId, slowId, fineSlowId, envelopeId] = ids as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];

    // Phase 1: history plus a few rounds, everyone healthy.
    seedOldSales(m);
    await pollAndRecord(none, none);
    await checkAll("history");
    for (let r = 1; r <= 3; r++) {
      generateRound(m, clock, r);
      await pollAndRecord(none, none);
      await checkAll(`round ${r}`);
    }

    // Phase 2: reset one merchant right after a poll, disable another, break three.
    expect(m.reset(resetId)).toBeGreaterThan(0);
    await send("PUT", `/v1/admin/merchants/${disabledId}`, { enabled: false });
    const disabled = new Set([disabledId]);
    const disabledSalesAtDisable = m.groundTruth(disabledId).merchants[0]?.sales.length ?? 0;
    m.setFault(failId, { status: 500 });
    m.setFault(garbageId, { garbage: true });
    m.setFault(slowId, { latencyMs: 2500 });
    m.setFault(fineSlowId, { latencyMs: 30 });
    m.setFault(envelopeId, { envelopeFailure: true });
    const failing = new Set([failId, garbageId, slowId, envelopeId]);
    for (let r = 4; r <= 5; r++) {
      generateRound(m, clock, r);
      await pollAndRecord(failing, disabled);
      await checkAll(`faults round ${r}`);
    }
    const admin = await get<{ id: string; consecutive_failures: number; last_error?: string }[]>(
      "/v1/admin/merchants",
      auth,
    );
    const state = new Map(admin.map((x) => [x.id, x]));
    for (const id of ids) {
      const row = state.get(id);
      if (failing.has(id)) {
        expect(row?.consecutive_failures, id).toBe(2);
        expect(row?.last_error, id).toBeTruthy();
      } else if (!disabled.has(id)) {
        expect(row?.consecutive_failures, id).toBe(0);
      }
    }
    expect(state.get(failId)?.last_error).toContain("500");
    expect(state.get(slowId)?.last_error).toContain("timed out");

    // Phase 3: faults cleared; everyone but the disabled merchant catches up.
    for (const id of [failId, garbageId, slowId, fineSlowId, envelopeId]) m.clearFault(id);
    for (let r = 6; r <= ROUNDS; r++) {
      generateRound(m, clock, r);
      await pollAndRecord(none, disabled);
      await checkAll(`recovered round ${r}`);
    }

    // The model is the plain statement: every generated sale once, except the disabled merchant's later ones.
    const truth = m.groundTruth();
    const all = truth.merchants.flatMap((x) =>
      x.id === disabledId ? x.sales.slice(0, disabledSalesAtDisable) : x.sales,
    );
    expect(new Set(all.map((s) => key(s.merchantId, s.saleId)))).toEqual(new Set(expected.sales.keys()));
    expect(truth.merchants.find((x) => x.id === disabledId)?.sales.length).toBeGreaterThan(
      disabledSalesAtDisable,
    );
    const reset = truth.merchants.find((x) => x.id === resetId);
    expect(reset?.sales.some((s) => !s.served)).toBe(true);
    expect(reset?.sales.some((s) => s.served)).toBe(true);
    expect(truth.merchants.reduce((n, x) => n + x.sales.length, 0)).toBe(finalGenerated);

    // Milestones: each fired exactly once, at a total at or past its threshold.
    const triggersOf = () =>
      get<{ milestone_id: number; name: string; threshold: number; total_transactions: number }[]>(
        "/v1/milestones/triggers?limit=1000",
      );
    const triggers = await triggersOf();
    expect(triggers.map((t) => t.name).sort()).toEqual(["third", "two thirds"]);
    for (const t of triggers) expect(t.total_transactions).toBeGreaterThanOrEqual(t.threshold);
    expect(expected.sales.size).toBeGreaterThanOrEqual(t2);

    // Re-polling with nothing new changes nothing.
    const before = await checkAll("final");
    for (let i = 0; i < 5; i++) await pollAndRecord(none, disabled);
    expect(await checkAll("after re-polls")).toEqual(before);
    expect(await triggersOf()).toEqual(triggers);
  }, 60_000);
});
