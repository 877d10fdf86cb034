/**
 * GET /v1/admin/data-health against the real mocks: PayWithFlash (through a pass-through proxy that can
 * spoil one sale, for skipped rows) and LNbits, polled by the real poller into a SQLite file that a
 * second service opens after a restart. Expectations come from the mocks' ground truth and the plan of
 * which polls fail, never from what the service says.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { DataHealth, MerchantDataHealth } from "../src/contract/index.js";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../src/mock/lnbits/index.js";
import { createService, type Service } from "../src/service.js";
import { rfc3339 } from "../src/time/instant.js";
import { testConfig } from "./support/app.js";

const T0 = Date.parse("2025-11-10T15:00:00Z");
const INTERVAL = 30_000;
const TOKEN = "data-health-admin-token-0123456789abcdef0123";
const auth = { authorization: `Bearer ${TOKEN}` };

type Body = { data: { sales: { SaleId: number; TotalCostSats: unknown }[] } };

/** Passes every request on to the mock; `spoil` rewrites the answer's JSON on the way back. */
async function startProxy(
  target: () => string,
): Promise<{ url: string; spoil?: (b: Body) => void; close(): Promise<void> }> {
  const proxy: { url: string; spoil?: (b: Body) => void; close(): Promise<void> } = {
    url: "",
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const answer = await fetch(`${target()}${req.url ?? "/"}`);
    let text = await answer.text();
    if (proxy.spoil && answer.ok) {
      const body = JSON.parse(text) as Body;
      proxy.spoil(body);
      text = JSON.stringify(body);
    }
    res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

describe("data health: staleness, failures, skipped rows and product totals", () => {
  const dir = mkdtempSync(join(tmpdir(), "data-health-"));
  const clock = { now: T0 };
  let mock: MockUpstream;
  let lnbits: StartedLnbitsMock;
  let service: Service | undefined;
  const closers: (() => Promise<void>)[] = [];

  afterAll(async () => {
    await service?.stop();
    for (const close of closers) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (upstream: string) => {
    service = await createService(
      testConfig({
        adminToken: TOKEN,
        dbPath: join(dir, "dashboard.sqlite"),
        sourceBaseUrl: upstream,
        pollIntervalMs: INTERVAL,
      }),
      {
        log: pino({ level: "silent" }),
        ingest: "inline",
        now: () => clock.now,
        random: () => 0.5,
        readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
      },
    );
    return service;
  };
  const inject = (
    method: "GET" | "POST",
    url: string,
    payload?: object,
    headers: Record<string, string> = auth,
  ) => (service as Service).app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const health = async (): Promise<DataHealth> => {
    const res = await inject("GET", "/v1/admin/data-health");
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as DataHealth;
  };
  const of = async (id: string): Promise<MerchantDataHealth> => {
    const found = (await health()).merchants.find((m) => m.merchant_id === id);
    if (!found) throw new Error(`no health for ${id}`);
    return found;
  };
  const pollAll = () => (service as Service).inline?.pollAll();

  it("tells fresh, late and stale apart, counts failures and skipped rows, and compares product totals", async () => {
    mock = await startMockUpstream({ seed: 11, generate: false, history: true, now: () => clock.now });
    lnbits = await startLnbitsMock({ now: () => clock.now });
    closers.push(
      () => mock.stop(),
      () => lnbits.stop(),
    );
    const proxy = await startProxy(() => mock.url);
    closers.push(() => proxy.close());
    const { inkey } = lnbits.addWallet({ name: "Tacos" });
    lnbits.addPayment(inkey, { amountSats: 2100 });
    await start(proxy.url);

    expect((await inject("GET", "/v1/admin/data-health", undefined, {})).statusCode).toBe(401);
    const [coffee] = mock.merchants();
    if (!coffee) throw new Error("the mock has merchants");
    for (const body of [
      { id: coffee.id, public_key: coffee.publicKey, alias: coffee.name },
      { id: "tacos", alias: "Tacos", source: "lnbits", lnbits: { base_url: lnbits.url, api_key: inkey } },
    ])
      expect((await inject("POST", "/v1/admin/merchants", body)).statusCode).toBe(201);

    // Before any poll: nothing to be fresh about, and no totals yet.
    const before = await of(coffee.id);
    expect(before).toMatchObject({ freshness: "never", expected_interval_seconds: 30, skipped_rows: 0 });
    expect(before.products).toMatchObject({
      verdict: "unknown",
      reason: "no poll has brought its product totals yet",
    });

    await pollAll();
    const fresh = await of(coffee.id);
    expect(fresh).toMatchObject({
      freshness: "fresh",
      seconds_since_poll: 0,
      last_polled_at: rfc3339(T0),
      consecutive_failures: 0,
      total_failures: 0,
      skipped_rows: 0,
    });
    const truth = mock.groundTruth(coffee.id).merchants[0]?.products ?? [];
    expect(truth.some((p) => p.totalTransactions > 0)).toBe(true);
    expect(fresh.products).toMatchObject({
      verdict: "agree",
      products_compared: truth.length,
      products_differing: 0,
    });
    const tacos = await of("tacos");
    expect(tacos).toMatchObject({ freshness: "fresh", source: "lnbits" });
    expect(tacos.products).toMatchObject({ verdict: "unknown", reason: "LNbits reports no product totals" });

    // Against the interval (30 s): fresh up to twice it, late up to four times, stale beyond.
    clock.now = T0 + 60_000;
    expect((await of(coffee.id)).freshness).toBe("fresh");
    clock.now = T0 + 61_000;
    expect(await of(coffee.id)).toMatchObject({ freshness: "late", seconds_since_poll: 61 });
    clock.now = T0 + 121_000;
    expect((await of(coffee.id)).freshness).toBe("stale");

    // Two failures: counted, the error shown, and the backoff widens the expected interval (30 s + 60 s).
    mock.setFault(coffee.id, { status: 500 });
    await pollAll();
    mock.setFault(coffee.id, { garbage: true });
    clock.now += INTERVAL;
    await pollAll();
    const failing = await of(coffee.id);
    expect(failing).toMatchObject({
      last_error: "upstream body is not JSON",
      last_failure: "upstream body is not JSON",
      last_failed_at: rfc3339(clock.now),
      consecutive_failures: 2,
      total_failures: 2,
      expected_interval_seconds: 90,
      freshness: "late",
    });
    expect(failing.seconds_since_poll).toBe(151);

    // Recovery (past the backoff's wait: 60 s × 0.75): the error and the run of failures are cleared,
    // the total and the latest failure's words are kept.
    mock.clearFault(coffee.id);
    clock.now += 46_000;
    await pollAll();
    const recovered = await of(coffee.id);
    expect(recovered).toMatchObject({
      freshness: "fresh",
      seconds_since_poll: 0,
      consecutive_failures: 0,
      total_failures: 2,
      last_failure: "upstream body is not JSON",
      expected_interval_seconds: 30,
    });
    expect(recovered).not.toHaveProperty("last_error");

    // A new sale whose amount arrives spoiled: skipped and counted, and its product's totals no longer
    // agree with what was stored, by exactly that sale.
    const product = truth.find((p) => p.active);
    if (!product) throw new Error("an active product");
    const spoilt = mock.addSale(coffee.id, { lines: [{ productId: product.productId, quantity: 2 }] });
    proxy.spoil = (b) => {
      for (const s of b.data.sales) if (s.SaleId === spoilt.saleId) s.TotalCostSats = "abc";
    };
    await pollAll();
    const skipped = await of(coffee.id);
    expect(skipped).toMatchObject({ skipped_rows: 1, skipped_rows_total: 1 });
    expect(skipped.products).toMatchObject({
      verdict: "disagree",
      products_differing: 1,
      transactions_difference: -1,
      revenue_sats_difference: -spoilt.amountSats,
    });
    const after = mock
      .groundTruth(coffee.id)
      .merchants[0]?.products.find((p) => p.productId === product.productId);
    expect(skipped.products.differences).toEqual([
      {
        product_id: product.productId,
        name: product.name,
        source: { transactions: after?.totalTransactions, revenue_sats: after?.totalRevenueSats },
        stored: {
          transactions: (after?.totalTransactions ?? 0) - 1,
          revenue_sats: (after?.totalRevenueSats ?? 0) - spoilt.amountSats,
        },
      },
    ]);

    // The sale arrives whole on the next poll: none skipped in it, both sides agree again.
    proxy.spoil = undefined;
    await pollAll();
    const whole = await of(coffee.id);
    expect(whole).toMatchObject({ skipped_rows: 0, skipped_rows_total: 1 });
    expect(whole.products.verdict).toBe("agree");

    // The source's totals move without the sales behind them ever being served (sold, then forgotten
    // by a reset before the next poll): disagree, for as long as it lasts.
    const unseen = mock.addSale(coffee.id, { lines: [{ productId: product.productId, quantity: 1 }] });
    mock.reset(coffee.id);
    await pollAll();
    const moved = await of(coffee.id);
    expect(moved.products).toMatchObject({
      verdict: "disagree",
      transactions_difference: -1,
      revenue_sats_difference: -unseen.amountSats,
    });

    // LNbits: a malformed payment is skipped and counted; its totals stay unknown.
    const bad = lnbits.addPayment(inkey, { amountSats: 700 });
    lnbits.corrupt(inkey, bad, { amount: "700000" });
    await pollAll();
    expect(await of("tacos")).toMatchObject({ skipped_rows: 1, skipped_rows_total: 1, freshness: "fresh" });
  });

  it("keeps the failures, the latest failure and the skipped rows across a restart", async () => {
    const before = await health();
    await service?.stop();
    service = undefined;
    await start(mock.url);
    const after = await health();
    expect(after).toEqual(before);
    const coffee = after.merchants.find((m) => m.source === "pwf");
    expect(coffee).toMatchObject({
      total_failures: 2,
      skipped_rows_total: 1,
      last_failure: "upstream body is not JSON",
    });
    expect(coffee?.products.verdict).toBe("disagree");
  });
});
