/**
 * Full system, mixed event (issue 15): PayWithFlash merchants on the PWF mock (fixed seed, driven by
 * hand), two BTCPay stores and three LNbits wallets on their mocks → the real service (createService,
 * ingest in this thread so each round's polls run when the plan says and on the test's clock; webhooks
 * reach it over a real port) with a real SQLite file → the public and admin APIs. Every expectation is
 * recomputed from the mocks' ground truth, never from what the service reports. The threaded service
 * (as main.ts runs it) meets a failing BTCPay store in full-system-mixed-faults.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Merchant } from "../src/contract/index.js";
import { captureLogger } from "./support/log.js";
import { checkAgainstTruth } from "./support/mixed-checks.js";
import { MINUTE, type MixedEvent, OLD_KEY, startMixedEvent } from "./support/mixed-event.js";
import { type Carry, generateRound, seedHistory } from "./support/mixed-rounds.js";
import {
  auth,
  deliver,
  type MixedService,
  openMixedService,
  shownStanding,
  standing,
  until,
} from "./support/mixed-service.js";
import { expectedOf } from "./support/mixed-truth.js";

const T0 = Date.parse("2025-11-10T15:00:00Z");
const ROUNDS = 5;
/** Every admin GET: none may carry a secret. */
const ADMIN_GETS = ["/v1/admin/merchants", "/v1/admin/summary", "/v1/admin/milestones", "/v1/admin/scenes"];
/** Answers that must be the same before and after a restart. */
const SNAPSHOT = [
  "/v1/summary",
  "/v1/summary?source=btcpay",
  "/v1/summary?source=lnbits",
  "/v1/ticker?limit=1000",
  "/v1/leaderboard/merchants?window=all&limit=1000",
  "/v1/leaderboard/products?window=all&limit=1000",
  "/v1/leaderboard/products?window=1h&limit=1000",
  "/v1/timeseries?window=60m&bucket=1m",
];

describe("full system, mixed event: PayWithFlash + BTCPay + LNbits → service → SQLite → API", () => {
  const dir = mkdtempSync(join(tmpdir(), "full-system-mixed-"));
  const dbPath = join(dir, "dashboard.sqlite");
  const logs = captureLogger();
  let event: MixedEvent | undefined;
  let s: MixedService | undefined;

  afterAll(async () => {
    await s?.service.stop();
    await event?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores exactly what each source counts, serves it per source and in all, keeps it over a restart, and leaks no secret", async () => {
    const e = await startMixedEvent({ t0: T0, pwfMerchants: 4 });
    event = e;
    let svc = await openMixedService(e, dbPath, logs);
    s = svc;
    const secrets = e.merchants.flatMap((m) => m.secrets);
    const adminAnswers: string[] = [];
    const scanAdmin = async () => {
      for (const url of ADMIN_GETS) adminAnswers.push(JSON.stringify(await svc.get(url, auth)));
    };

    for (const m of e.merchants) {
      const res = await svc.send("POST", "/v1/admin/merchants", m.body);
      expect(res.status, res.body).toBe(201);
      adminAnswers.push(res.body);
      const shown = JSON.parse(res.body) as Merchant;
      expect(shown.source).toBe(m.source);
      const settings = shown.btcpay ?? shown.lnbits;
      if (m.source === "pwf") expect(settings).toBeUndefined();
      else expect(settings?.api_key).toBe(`••••${(m.secrets[0] as string).slice(-4)}`);
    }
    const check = async (label: string) => {
      const expected = expectedOf(e);
      const total = await checkAgainstTruth((url) => svc.get(url), expected, e.clock.now, label);
      await scanAdmin();
      return { expected, total };
    };

    // The history: the first poll reads every source's whole past.
    seedHistory(e);
    await svc.pollAll();
    await check("history");

    const carry: Carry = {};
    let webhookPolls = 0;
    for (let r = 1; r <= ROUNDS; r++) {
      const hooks = generateRound(e, r, carry);
      const expected = expectedOf(e);
      const hookedIds = [
        ...new Set([...hooks.btcpay, ...hooks.lnurlp, ...hooks.invoice].map((h) => h.merchantId)),
      ];
      // The deliveries alone (no scheduled poll runs) bring their merchants' sales, as the sources say them.
      for (const id of hookedIds)
        expect(await shownStanding(svc, id), `round ${r}: ${id} has news`).not.toEqual(
          standing(expected, id),
        );
      await deliver(e, svc, hooks);
      for (const id of hookedIds) {
        const want = standing(expected, id);
        const got = await until(
          () => shownStanding(svc, id),
          (v) => JSON.stringify(v) === JSON.stringify(want),
        );
        expect(got, `round ${r}: ${id} after its webhooks`).toEqual(want);
        webhookPolls++;
      }
      await svc.pollAll();
      await check(`round ${r}`);
    }
    expect(webhookPolls).toBeGreaterThanOrEqual(6);
    expectPlanCovered(e, carry);

    // Two sources fail for a round (HTML from a proxy, a 500): the others land, theirs wait, and the
    // recorded errors are plain and carry no key. The round after, they catch up exactly.
    e.btcpay.setFault("BarStore4Kd9", { html: true });
    e.lnbits.setFault(OLD_KEY, { status: 500 });
    generateRound(e, ROUNDS + 1, carry);
    await svc.pollAll();
    const failing = new Set(["btc-bar", "ln-old"]);
    const partial = expectedOf(e);
    partial.sales = partial.sales.filter((x) => !failing.has(x.merchantId) || x.date < e.clock.now - MINUTE);
    await checkAgainstTruth((url) => svc.get(url), partial, e.clock.now, "two sources failing");
    const health = new Map((await svc.get<Merchant[]>("/v1/admin/merchants", auth)).map((m) => [m.id, m]));
    for (const m of e.merchants) {
      const row = health.get(m.id);
      expect(row?.consecutive_failures, m.id).toBe(failing.has(m.id) ? 1 : 0);
      if (!failing.has(m.id)) continue;
      expect(row?.last_error, m.id).toMatch(/50[02]/);
      expect(row?.last_error, m.id).not.toMatch(/<|html|token|api-key/i);
      for (const secret of m.secrets) expect(row?.last_error).not.toContain(secret);
    }
    e.btcpay.setFault("BarStore4Kd9", null);
    e.lnbits.clearFault(OLD_KEY);
    generateRound(e, ROUNDS + 2, carry);
    await svc.pollAll();
    await check("recovered");
    for (const m of await svc.get<Merchant[]>("/v1/admin/merchants", auth))
      expect(m.consecutive_failures, `${m.id} recovered`).toBe(0);

    // Every merchant is healthy, shows its source, and its secrets only masked.
    const admin = await svc.get<Merchant[]>("/v1/admin/merchants", auth);
    expect(admin.map((m) => [m.id, m.source]).sort()).toEqual(
      e.merchants.map((m) => [m.id, m.source]).sort(),
    );
    for (const m of admin) {
      expect(m.consecutive_failures, m.id).toBe(0);
      expect(m.last_error, m.id).toBeUndefined();
    }

    // An edit that leaves the secrets out keeps them: the next round still reads the store.
    const edit = await svc.send("PUT", "/v1/admin/merchants/btc-bar", {
      alias: "Bar Nakamoto (terrace)",
      btcpay: { base_url: e.btcpay.url, store_id: "BarStore4Kd9" },
    });
    expect(edit.status, edit.body).toBe(200);
    adminAnswers.push(edit.body);
    const conn = await svc.send("POST", "/v1/admin/merchants/test-connection", {
      source: "btcpay",
      id: "btc-bar",
    });
    adminAnswers.push(conn.body);
    expect(JSON.parse(conn.body)).toMatchObject({ ok: true });
    generateRound(e, ROUNDS + 3, carry);
    await svc.pollAll();
    const before = await check("after the edit");

    // Re-polls with nothing new change nothing.
    await svc.pollAll();
    await svc.pollAll();
    const snapshot = async () => Promise.all(SNAPSHOT.map((url) => svc.get(url)));
    const answers = await snapshot();
    await check("re-polled");

    // Restart on the same file: the same answers, and the next polls add nothing twice.
    await svc.service.stop();
    svc = await openMixedService(e, dbPath, logs);
    s = svc;
    expect(await snapshot(), "after restart").toEqual(answers);
    await svc.pollAll();
    await svc.pollAll();
    expect(await snapshot(), "after restart and two polls").toEqual(answers);
    const after = await check("after restart");
    expect(after.total).toEqual(before.total);

    // Secrets: never in an admin answer, never in a log line of the whole run.
    await scanAdmin();
    for (const secret of secrets) {
      for (const answer of adminAnswers)
        expect(answer.includes(secret), `admin answer shows ${secret}`).toBe(false);
      for (const line of logs.lines)
        expect(JSON.stringify(line).includes(secret), `log shows ${secret}`).toBe(false);
    }
    // The logs did see the deliveries, the query-string secret replaced.
    const paths = logs.lines.map((l) => String(l.path ?? ""));
    expect(paths.some((p) => p.startsWith("/v1/webhooks/lnbits/ln-merch?secret="))).toBe(true);
    expect(paths.some((p) => p.startsWith("/v1/webhooks/btcpay/btc-cafe"))).toBe(true);

    const bySource = (src: string) => before.expected.sales.filter((x) => x.source === src).length;
    console.log(
      `mixed event: ${before.expected.sales.length} sales (pwf ${bySource("pwf")}, btcpay ${bySource("btcpay")}, ` +
        `lnbits ${bySource("lnbits")}), ${webhookPolls} webhook-driven polls checked, ${logs.lines.length} log lines scanned`,
    );
  }, 60_000);
});

/** The plan's cases are really in the truth: what must count does, what must not does not. */
function expectPlanCovered(e: MixedEvent, carry: Carry) {
  const { sales } = expectedOf(e);
  const keys = new Set(sales.map((x) => x.externalId));
  expect(keys.has(carry.processing), "Processing → Settled counts").toBe(true);
  expect(keys.has(carry.settledCart), "settled, then marked invalid: taken back").toBe(false);
  expect(keys.has(carry.pendingTaco), "pending TPoS payment, paid later").toBe(true);
  expect(keys.has(carry.pendingMerch), "pending invoice, paid later").toBe(true);
  expect(keys.has(carry.failingMerch), "pending invoice that failed").toBe(false);
  const cafe = e.btcpay.groundTruth("CafeStore7Hn2")[0];
  // Expired/PaidLate, Invalid, New and the one taken back are invoices of the store but no sales.
  expect(e.btcpay.world.invoices.get("CafeStore7Hn2")?.length).toBe((cafe?.count ?? 0) + 4);
  const names = new Set(sales.flatMap((x) => x.lines.map((l) => `${x.merchantId}/${l.name}`)));
  for (const n of [
    "btc-cafe/Caffè Latte",
    "btc-cafe/Espresso",
    "btc-cafe/Croissant",
    "btc-bar/Beer",
    "btc-bar/Nachos",
    "ln-tacos/Taco",
    "ln-tacos/Horchata",
    "ln-old/Lemonade",
  ])
    expect(names, n).toContain(n);
  const currencies = new Set(sales.map((x) => `${x.source}/${x.currency}`));
  for (const c of [
    "pwf/usd",
    "btcpay/eur",
    "btcpay/usd",
    "btcpay/null",
    "lnbits/eur",
    "lnbits/usd",
    "lnbits/null",
  ])
    expect(currencies, c).toContain(c);
}
