/**
 * Full system, mixed event, with a failing BTCPay store (issue 15), through the service as main.ts
 * builds it (built, ingest on its own thread, its own poll schedule, a real port and a real SQLite
 * file): while the store's poll hangs, the PayWithFlash and LNbits merchants' new sales land; the
 * store's hang and then its proxy's HTML 502 are recorded as plain errors without its key; once it
 * answers again it catches up exactly, and a restart on the same file keeps everything and adds
 * nothing twice. The mocks run on the real clock here (the thread's clock cannot be injected); what
 * must be stored still comes from their ground truth.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Merchant, Summary, TickerRow } from "../src/contract/index.js";
import { type RunningBtcpayMock, startBtcpayMock } from "../src/mock/btcpay/index.js";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../src/mock/lnbits/index.js";
import type { createService as createInline, Service } from "../src/service.js";
import { testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import { until } from "./support/mixed-service.js";

const built = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof createInline;
};

const TOKEN = "mixed-faults-admin-token-0123456789abcdef0123";
const STORE = "SlowStore9Qx2";
const KEY = "gf-slow-key-Hq7Wm2Zx9Lp4Rt6Vn8Kb1Jc3Fd5";
const SECRET = "whsec-slow-Pm3Qz8Lx1Nv6Rb4";
const LN_KEY = "d4c0ffee7acc05ee0ddba11f00d5eed2";
const LN_SECRET = "ln-steady-hook-Wq2Ed6Rf9Tg1";
const SECRETS = [KEY, SECRET, LN_KEY, LN_SECRET];

describe("full system, mixed event: a failing BTCPay store through the threaded service", () => {
  const dir = mkdtempSync(join(tmpdir(), "full-system-mixed-faults-"));
  const dbPath = join(dir, "dashboard.sqlite");
  const logs = captureLogger();
  let pwf: MockUpstream | undefined;
  let btcpay: RunningBtcpayMock | undefined;
  let lnbits: StartedLnbitsMock | undefined;
  let service: Service | undefined;

  afterAll(async () => {
    await service?.stop();
    await Promise.all([pwf?.stop(), btcpay?.stop(), lnbits?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a hanging, then failing store does not hold the others back, and catches up exactly once it answers", async () => {
    const p = await startMockUpstream({ seed: 15, generate: false, history: false, merchants: 3, port: 0 });
    const b = await startBtcpayMock({ seed: 15 });
    const l = await startLnbitsMock();
    pwf = p;
    btcpay = b;
    lnbits = l;
    b.addStore({ id: STORE, name: "Slow Café", apiKey: KEY, defaultCurrency: "EUR" });
    l.addWallet({ name: "Steady Tacos", inkey: LN_KEY });

    const open = async () => {
      const s = await built.createService(
        testConfig({
          adminToken: TOKEN,
          dbPath,
          sourceBaseUrl: p.url,
          pollIntervalMs: 500,
          // Long enough that the PayWithFlash polls after the hang began are surely done before it
          // times out (a cycle's polls start within half an interval), short enough to keep the test brief.
          httpTimeoutMs: 3000,
        }),
        { log: logs.log, readCache: { maxStaleMs: 0, refreshAfterMs: 0 } },
      );
      await s.start();
      return s;
    };
    let svc = await open();
    service = svc;
    let base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    const adminAnswers: string[] = [];
    const call = async <T>(path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      });
      const text = await res.text();
      if (path.startsWith("/v1/admin/")) adminAnswers.push(text);
      expect(res.status, `${path}: ${text}`).toBeLessThan(300);
      return JSON.parse(text) as T;
    };
    const post = (path: string, body: object) => call(path, { method: "POST", body: JSON.stringify(body) });

    for (const m of p.merchants())
      await post("/v1/admin/merchants", { id: m.id, public_key: m.publicKey, alias: m.name });
    // Its id sorts first: a poller that polled a cycle's merchants one after another would reach the
    // others only after its hang.
    await post("/v1/admin/merchants", {
      id: "0-btc-slow",
      alias: "Slow Café",
      source: "btcpay",
      btcpay: { base_url: b.url, store_id: STORE, api_key: KEY, webhook_secret: SECRET },
    });
    await post("/v1/admin/merchants", {
      id: "ln-steady",
      alias: "Steady Tacos",
      source: "lnbits",
      lnbits: { base_url: l.url, api_key: LN_KEY, webhook_secret: LN_SECRET },
    });

    const sell = (invoices: number) => {
      for (const m of p.merchants()) p.addSale(m.id);
      l.addPayment(LN_KEY, {
        tpos: { currency: "EUR", satsPerUnit: 1600, items: [{ title: "Taco", price: 3.5, quantity: 2 }] },
      });
      for (let i = 0; i < invoices; i++)
        b.addInvoice(STORE, {
          cart: [{ id: "espresso", title: "Espresso", price: 2.5, count: 1 + i }],
          paidAfterS: 0,
        });
    };
    const truth = {
      pwf: () => {
        const sales = p.groundTruth().merchants.flatMap((m) => m.sales);
        return { n: sales.length, sats: sales.reduce((s, x) => s + x.amountSats, 0) };
      },
      btcpay: () => {
        const t = b.groundTruth(STORE)[0];
        return { n: t?.count ?? 0, sats: t?.sats ?? 0 };
      },
      lnbits: () => {
        const sales = l.groundTruth(LN_KEY);
        return { n: sales.length, sats: sales.reduce((s, x) => s + x.amountSats, 0) };
      },
    };
    type Src = keyof typeof truth;
    const shown = async (src: Src) => {
      const s = await call<Summary>(`/v1/summary?source=${src}`);
      return { n: s.total_transactions, sats: s.total_volume_sats };
    };
    const landed = async (src: Src) => {
      const got = await until(
        () => shown(src),
        (v) => JSON.stringify(v) === JSON.stringify(truth[src]()),
        10_000,
      );
      expect(got, `${src} matches its truth`).toEqual(truth[src]());
    };
    const slow = async () =>
      (await call<Merchant[]>("/v1/admin/merchants")).find((m) => m.id === "0-btc-slow");

    sell(2);
    for (const src of ["pwf", "btcpay", "lnbits"] as const) await landed(src);

    // While the last merchant of a cycle (ln-steady: polls start in id order) is being polled, the
    // store starts to hang and every source sells. The next cycle polls everyone again, the store
    // first: its poll there hangs until the HTTP timeout, and the others' polls must not wait for it.
    const heldBack = truth.btcpay();
    let armed = true;
    b.clearRequests();
    l.onRequest(() => {
      if (!armed) return;
      armed = false;
      b.setFault(STORE, { hang: true });
      sell(2);
    });
    const stuck = await until(
      async () => b.requests(STORE).some((r) => r.status === 0),
      (v) => v,
      10_000,
    );
    expect(stuck, "a poll of the store is hanging").toBe(true);
    l.onRequest(null);
    // The others' new sales land while that poll still hangs: nothing waited for it.
    await landed("pwf");
    await landed("lnbits");
    const during = await slow();
    expect(during?.consecutive_failures, "the hanging poll has not ended yet").toBe(0);
    expect(during?.last_error).toBeUndefined();
    expect(await shown("btcpay")).toEqual(heldBack);
    expect(truth.btcpay().n).toBe(heldBack.n + 2);

    // The timeout is recorded, plainly and without the key.
    const timedOut = await until(slow, (m) => m?.last_error !== undefined, 10_000);
    expect(timedOut?.last_error).toMatch(/timed out/i);
    expect(timedOut?.consecutive_failures).toBeGreaterThanOrEqual(1);

    // Then its proxy answers an HTML 502: recorded as a plain error, not the page.
    b.setFault(STORE, { html: true });
    const proxied = await until(slow, (m) => /502/.test(m?.last_error ?? ""), 10_000);
    expect(proxied?.last_error).toMatch(/502/);
    expect(proxied?.last_error).not.toMatch(/<|html|token/i);
    for (const m of [timedOut, proxied]) for (const s of SECRETS) expect(m?.last_error).not.toContain(s);
    sell(1);
    await landed("pwf");
    await landed("lnbits");
    expect(await shown("btcpay")).toEqual(heldBack);

    // It answers again: everything it held back arrives, once.
    b.setFault(STORE, null);
    await landed("btcpay");
    const healthy = await until(slow, (m) => m?.consecutive_failures === 0, 10_000);
    expect(healthy?.consecutive_failures).toBe(0);
    const polledAt = async () =>
      (await call<Merchant[]>("/v1/admin/merchants")).map((m) => Date.parse(m.last_polled_at ?? "") || 0);
    const waitForPolls = async () => {
      const mark = Date.now();
      const done = await until(polledAt, (ts) => ts.every((t) => t > mark + 50), 10_000);
      expect(
        done.every((t) => t > mark + 50),
        "every merchant polled again",
      ).toBe(true);
    };
    await waitForPolls();
    const tickerIds = async () =>
      (await call<TickerRow[]>("/v1/ticker?source=btcpay&limit=1000")).map((r) => r.external_id).sort();
    const truthIds = () => (b.groundTruth(STORE)[0]?.sales ?? []).map((s) => s.invoiceId).sort();
    expect(await tickerIds()).toEqual(truthIds());
    for (const src of ["pwf", "btcpay", "lnbits"] as const) expect(await shown(src)).toEqual(truth[src]());

    // Restart on the same file: the same answers; the polls after it add nothing twice.
    const snapshot = () =>
      Promise.all(
        [
          "/v1/summary",
          "/v1/ticker?limit=1000",
          "/v1/leaderboard/merchants?window=all&limit=1000",
          "/v1/leaderboard/products?window=all&limit=1000",
        ].map((u) => call(u)),
      ).then(([summary, ...rest]) => {
        // The last successful poll moves with every poll, by design: the sales data must not.
        const { last_polled_at: _, ...sales } = summary as Record<string, unknown>;
        return [sales, ...rest];
      });
    const before = await snapshot();
    await svc.stop();
    svc = await open();
    service = svc;
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    expect(await snapshot(), "after restart").toEqual(before);
    await waitForPolls();
    await waitForPolls();
    expect(await snapshot(), "after restart and polls").toEqual(before);

    for (const secret of SECRETS) {
      for (const answer of adminAnswers)
        expect(answer.includes(secret), `admin answer shows ${secret}`).toBe(false);
      for (const line of logs.lines)
        expect(JSON.stringify(line).includes(secret), `log shows ${secret}`).toBe(false);
    }
    const t = truth.pwf().n + truth.btcpay().n + truth.lnbits().n;
    console.log(
      `faults: ${t} sales (btcpay ${truth.btcpay().n}), ${b.requests(STORE).length} store requests since the hang`,
    );
  }, 60_000);
});
