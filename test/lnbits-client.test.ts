// The LNbits client against the LNbits mock over real HTTP: the mock writes LNbits' 1.x and 0.x
// formats from its own code (src/mock/lnbits), so each quirk of shared/spec/pos-sources.md "LNbits"
// is read end to end: carts, fiat, pending/failed/outgoing rows, paging while payments arrive, cheap
// re-polls, webhook hints and every kind of failure in plain words.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LnbitsSettings } from "../src/contract/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../src/mock/lnbits/index.js";
import { createLnbitsClient, type LnbitsClientOptions } from "../src/sources/lnbits/client.js";
import type { SourceHint, SourcePollResult } from "../src/sources/source-client.js";
import type { SourceSale } from "../src/sources/source-sale.js";

const T0 = Date.UTC(2025, 10, 10, 15, 0, 0);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
let clock = T0;
let mock: StartedLnbitsMock;

beforeEach(async () => {
  clock = T0;
  mock = await startLnbitsMock({ now: () => clock });
});
afterEach(async () => {
  await mock.stop();
});

const settings = (api_key: string, base_url = mock.url): LnbitsSettings => ({ base_url, api_key });

function poll(
  inkey: string,
  o: { state?: unknown; hints?: SourceHint[]; client?: LnbitsClientOptions; baseUrl?: string } = {},
): Promise<SourcePollResult> {
  return createLnbitsClient({ timeoutMs: 2000, ...o.client }).poll({
    merchantId: "m1",
    settings: settings(inkey, o.baseUrl),
    state: o.state ?? null,
    hints: o.hints ?? [],
    signal: new AbortController().signal,
    now: clock,
  });
}

/** A sale as the ground truth writes it. */
function view(s: SourceSale) {
  return {
    hash: s.externalId,
    timeMs: s.date,
    amountSats: s.amountSats,
    fiatAmount: s.fiatAmount,
    currency: s.currency,
    lines: s.lines.map((l) => ({ title: l.name, quantity: l.quantity, unitSats: l.unitSats })),
    origin: s.origin,
  };
}

const tacoCart = {
  tposId: "Hk3",
  currency: "USD",
  satsPerUnit: 1000,
  items: [
    { title: "Taco", price: 3.5, quantity: 2 },
    { title: "Horchata", price: 1.5, quantity: 1 },
  ],
};

/** Every kind of row: sales of each kind, and the rows that must not count. */
function mixedWallet(version: "1.4" | "0.x"): { inkey: string; sales: string[] } {
  const { inkey } = mock.addWallet({ name: `Taco Stand ${version}`, version });
  const at = (m: number) => T0 - m * MIN;
  const sales = [
    mock.addPayment(inkey, { tpos: tacoCart, time: at(50) }),
    mock.addPayment(inkey, { tpos: { ...tacoCart, tipSats: 1000 }, time: at(40) }),
    mock.addPayment(inkey, { lnurlp: { link: "x1", comment: "gm" }, amountMsat: 21_000_999, time: at(30) }),
    mock.addPayment(inkey, { amountSats: 5000, time: at(20) }),
  ];
  mock.addPayment(inkey, { kind: "tip-forward", amountSats: 1000, time: at(39) });
  mock.addPayment(inkey, { kind: "outgoing", amountSats: 300, time: at(25) });
  mock.addPayment(inkey, { kind: "cash", tpos: tacoCart, time: at(15) });
  mock.addPayment(inkey, { status: "pending", amountSats: 700, time: at(10) });
  if (version !== "0.x") mock.addPayment(inkey, { status: "failed", amountSats: 800, time: at(5) });
  return { inkey, sales };
}

describe("LNbits payments read end to end", () => {
  it.each(["1.4", "0.x"] as const)(
    "%s: TPoS carts with fiat, LNURLp, plain; nothing else counts",
    async (v) => {
      const { inkey, sales } = mixedWallet(v);
      const { parse } = await poll(inkey);
      expect(parse.sales.map(view)).toEqual(mock.groundTruth(inkey));
      expect(parse.sales.map((s) => s.externalId).sort()).toEqual([...sales].sort());
      expect(parse.skippedCount).toBe(0);
      const tipped = view(parse.sales.find((s) => s.externalId === sales[1]) as SourceSale);
      expect(tipped).toMatchObject({ amountSats: 9500, fiatAmount: 9.5, currency: "usd" });
      expect(tipped.lines).toEqual([
        { title: "Taco", quantity: 2, unitSats: 3500 },
        { title: "Horchata", quantity: 1, unitSats: 1500 },
      ]);
      const lnurlp = parse.sales.find((s) => s.externalId === sales[2]);
      expect(lnurlp).toMatchObject({ origin: "lnurlp", amountSats: 21000, fiatAmount: null, lines: [] });
    },
  );

  it("text PostgreSQL cannot store alike (NUL, a lone surrogate) is read as U+FFFD, the sale kept", async () => {
    const { inkey } = mock.addWallet({ version: "1.4" });
    const items = [
      { title: "Ta\u0000co", price: 3.5, quantity: 1 },
      { title: "\ud800Horchata", price: 1.5, quantity: 1 },
    ];
    mock.addPayment(inkey, { tpos: { ...tacoCart, items }, time: T0 - MIN });
    const { parse } = await poll(inkey);
    expect(parse.skippedCount).toBe(0);
    expect(parse.sales.flatMap((s) => s.lines.map((l) => l.name))).toEqual(["Ta\uFFFDco", "\uFFFDHorchata"]);
  });

  it("0.x ignores limit and offset: one answer longer than asked is the whole history", async () => {
    const { inkey } = mock.addWallet({ version: "0.x" });
    for (let i = 0; i < 12; i++) mock.addPayment(inkey, { amountSats: 100 + i, time: T0 - i * MIN });
    const { parse } = await poll(inkey, { client: { timeoutMs: 2000, pageSize: 5 } });
    expect(parse.sales).toHaveLength(12);
    expect(mock.requests(inkey)).toHaveLength(1);
  });

  it("a pending invoice that is paid later counts on a later poll, at its creation time", async () => {
    const { inkey } = mock.addWallet();
    const hash = mock.addPayment(inkey, { status: "pending", amountSats: 2100, time: T0 - 5 * MIN });
    const first = await poll(inkey);
    expect(first.parse.sales).toEqual([]);
    expect(first.parse.notCounted).toBe(1);
    clock += 10 * MIN;
    mock.settle(inkey, hash);
    const second = await poll(inkey, { state: first.state });
    expect(second.parse.sales.map((s) => [s.externalId, s.amountSats, s.date])).toEqual([
      [hash, 2100, T0 - 5 * MIN],
    ]);
  });

  it("malformed payments are skipped and counted, the rest land", async () => {
    const { inkey } = mock.addWallet();
    const good = mock.addPayment(inkey, { amountSats: 1000, time: T0 - MIN });
    const badAmount = mock.addPayment(inkey, { amountSats: 1000, time: T0 - 2 * MIN });
    const badTime = mock.addPayment(inkey, { amountSats: 1000, time: T0 - 3 * MIN });
    const badHash = mock.addPayment(inkey, { amountSats: 1000, time: T0 - 4 * MIN });
    mock.corrupt(inkey, badAmount, { amount: "1000000" });
    mock.corrupt(inkey, badTime, { time: "yesterday" });
    mock.corrupt(inkey, badHash, { payment_hash: undefined });
    const { parse } = await poll(inkey);
    expect(parse.sales.map((s) => s.externalId)).toEqual([good]);
    expect(parse.skippedCount).toBe(3);
    expect(parse.skipped.map((s) => s.reason)).toEqual([
      "amount is not an integer (msat)",
      "time is neither an ISO instant nor unix seconds",
      "payment_hash is not 64 hex digits",
    ]);
  });
});

describe("LNbits paging and re-polls", () => {
  it("asks for an explicit limit (1.4+ would answer 10 rows without one) and reads every page", async () => {
    const { inkey } = mock.addWallet({ version: "1.4" });
    for (let i = 0; i < 25; i++) mock.addPayment(inkey, { amountSats: 100, time: T0 - i * MIN });
    const { parse } = await poll(inkey);
    expect(parse.sales).toHaveLength(25);
    expect(mock.requests(inkey).map((r) => r.query)).toEqual([
      "?limit=1000&offset=0&sortby=time&direction=desc",
    ]);
  });

  it("payments arriving between pages push rows down: every sale once, no row skipped as malformed", async () => {
    const { inkey } = mock.addWallet({ version: "1.4" });
    for (let i = 0; i < 35; i++) mock.addPayment(inkey, { amountSats: 100 + i, time: T0 - (i + 1) * MIN });
    let pages = 0;
    mock.onRequest(() => {
      // Three new sales land after the first page and two after the second.
      if (pages === 1) for (let i = 0; i < 3; i++) mock.addPayment(inkey, { amountSats: 7, time: T0 + i });
      if (pages === 2)
        for (let i = 0; i < 2; i++) mock.addPayment(inkey, { amountSats: 8, time: T0 + 10 + i });
      pages++;
    });
    const { parse } = await poll(inkey, { client: { timeoutMs: 2000, pageSize: 10 } });
    expect(parse.skippedCount).toBe(0);
    const truth = mock.groundTruth(inkey).map((s) => s.hash);
    expect(truth).toHaveLength(40);
    // The 35 old ones for sure; new ones pushed rows down, never skipped them.
    const got = new Set(parse.sales.map((s) => s.externalId));
    expect(got.size).toBe(parse.sales.length);
    for (const h of truth.slice(5)) expect(got.has(h)).toBe(true);
    expect(mock.requests(inkey).map((r) => r.query.match(/offset=(\d+)/)?.[1])).toEqual([
      "0",
      "10",
      "20",
      "30",
      "40",
    ]);
  });

  it("a re-poll reads only the recent window, not the whole history", async () => {
    const { inkey } = mock.addWallet({ version: "1.4" });
    for (let i = 0; i < 3000; i++)
      mock.addPayment(inkey, { amountSats: 100, time: T0 - 30 * DAY + i * 10 * MIN });
    const recentPending = mock.addPayment(inkey, { status: "pending", amountSats: 999, time: T0 - 30 * MIN });
    const first = await poll(inkey, { client: { timeoutMs: 2000, pageSize: 100 } });
    expect(first.parse.sales).toHaveLength(3000);
    const firstRows = mock.requests(inkey).reduce((n, r) => n + r.rows, 0);
    expect(firstRows).toBe(3001);
    mock.clearRequests();

    clock += 5 * MIN;
    const fresh = mock.addPayment(inkey, { amountSats: 4242, time: clock - MIN });
    mock.settle(inkey, recentPending);
    const second = await poll(inkey, { state: first.state, client: { timeoutMs: 2000, pageSize: 100 } });
    const served = mock.requests(inkey);
    expect(served).toHaveLength(1);
    expect(served[0]?.rows).toBe(100);
    const keys = second.parse.sales.map((s) => s.externalId);
    expect(keys).toContain(fresh);
    expect(keys).toContain(recentPending);
  });

  it("an invoice with a long expiry keeps the window open until it can no longer be paid", async () => {
    const { inkey } = mock.addWallet({ version: "1.4" });
    for (let i = 0; i < 50; i++)
      mock.addPayment(inkey, { amountSats: 100, time: T0 - 2 * DAY + i * 20 * MIN });
    const longLived = mock.addPayment(inkey, {
      status: "pending",
      amountSats: 5000,
      time: T0 - 20 * 60 * MIN,
      expirySec: 24 * 3600,
    });
    // Newer payments put it far behind the usual two-hour overlap.
    for (let i = 0; i < 30; i++)
      mock.addPayment(inkey, { amountSats: 100, time: T0 - 180 * MIN - i * 20 * MIN });
    for (let i = 1; i <= 15; i++) mock.addPayment(inkey, { amountSats: 100, time: T0 - i * MIN });
    const client = { timeoutMs: 2000, pageSize: 10 };
    const first = await poll(inkey, { client });
    clock += 60 * MIN;
    mock.settle(inkey, longLived);
    const second = await poll(inkey, { state: first.state, client });
    expect(second.parse.sales.map((s) => s.externalId)).toContain(longLived);
  });

  it("a server that honours limit but ignores offset: the first page of repeats ends the read", async () => {
    // Literal LNbits 1.x rows, the same page whatever the offset, one of them not a payment at all.
    const row = (hash: string) => ({
      checking_id: hash,
      payment_hash: hash,
      wallet_id: "c0ffee",
      amount: 2_100_000,
      fee: 0,
      status: "success",
      memo: "Invoice",
      time: "2025-11-10T14:00:00.000000+00:00",
      extra: {},
    });
    const page = JSON.stringify([null, row("a".repeat(64)), row("b".repeat(64))]);
    let served = 0;
    const stubborn = createServer((_req, res) => {
      served++;
      res.writeHead(200, { "content-type": "application/json" }).end(page);
    });
    await new Promise<void>((r) => stubborn.listen(0, "127.0.0.1", r));
    try {
      const baseUrl = `http://127.0.0.1:${(stubborn.address() as AddressInfo).port}`;
      const { parse } = await poll("k", { baseUrl, client: { timeoutMs: 2000, pageSize: 3 } });
      expect(parse.sales).toHaveLength(2);
      expect(served).toBe(2);
    } finally {
      stubborn.closeAllConnections();
      await new Promise<void>((r) => stubborn.close(() => r()));
    }
  });

  it("a stored state from elsewhere is not trusted: the poll reads everything", async () => {
    const { inkey } = mock.addWallet();
    mock.addPayment(inkey, { amountSats: 100, time: T0 - 30 * DAY });
    const { parse, state } = await poll(inkey, { state: { v: 99, newest: T0 } });
    expect(parse.sales).toHaveLength(1);
    expect(state).toEqual({ v: 1, newest: T0 - 30 * DAY, pendingFrom: null });
  });
});

describe("LNbits webhook hints", () => {
  it("looks up a hinted payment the list did not bring, and counts it only if the wallet says it is a sale", async () => {
    const { inkey } = mock.addWallet();
    const other = mock.addWallet({ name: "Other" });
    const client = { timeoutMs: 2000, pageSize: 2 };
    const recent = mock.addPayment(inkey, { amountSats: 100, time: T0 - MIN });
    for (let i = 0; i < 5; i++) mock.addPayment(inkey, { amountSats: 100, time: T0 - DAY - i * MIN });
    const first = await poll(inkey, { client });
    expect(first.parse.sales).toHaveLength(6);
    // Old payments the re-poll's window does not reach, named by webhooks.
    const oldSale = mock.addPayment(inkey, { amountSats: 3000, time: T0 - 3 * DAY });
    const oldOutgoing = mock.addPayment(inkey, { kind: "outgoing", amountSats: 3000, time: T0 - 3 * DAY });
    const othersSale = mock.addPayment(other.inkey, { amountSats: 3000, time: T0 - 3 * DAY });
    const unhinted = await poll(inkey, { state: first.state, client });
    expect(unhinted.parse.sales.map((s) => s.externalId)).not.toContain(oldSale);
    mock.clearRequests();

    const keys = [oldSale, oldOutgoing, othersSale, "f".repeat(64), "not-a-hash", oldSale.toUpperCase()];
    const second = await poll(inkey, { state: first.state, hints: [{ keys }], client });
    const sales = second.parse.sales.map((s) => s.externalId);
    expect(sales).toHaveLength(3);
    expect(sales.slice(0, 1)).toEqual([recent]);
    expect(sales[2]).toBe(oldSale);
    expect(second.parse.sales[2]?.amountSats).toBe(3000);
    const lookups = mock.requests().filter((r) => r.path !== "/api/v1/payments");
    expect(lookups.map((r) => [r.path.slice(-64), r.status])).toEqual([
      [oldSale, 200],
      [oldOutgoing, 200],
      [othersSale, 404],
      ["f".repeat(64), 404],
    ]);
  });

  it("a hint the list already brought costs no lookup; a failing lookup does not fail the poll", async () => {
    const { inkey } = mock.addWallet();
    const recent = mock.addPayment(inkey, { amountSats: 100, time: T0 - MIN });
    const viaList = await poll(inkey, { hints: [{ keys: [recent] }] });
    expect(viaList.parse.sales).toHaveLength(1);
    expect(mock.requests(inkey).filter((r) => r.path !== "/api/v1/payments")).toEqual([]);

    let calls = 0;
    mock.onRequest(() => {
      if (++calls === 2) mock.setFault(inkey, { status: 500 });
    });
    const failing = await poll(inkey, { state: viaList.state, hints: [{ keys: ["a".repeat(64)] }] });
    expect(failing.parse.sales).toHaveLength(1);
  });
});

describe("LNbits failures in plain words, never the key", () => {
  const KEY = "inkey-s3cret-0123456789";
  const failure = async (
    setup: () => void,
    o: { baseUrl?: string; key?: string; timeoutMs?: number } = {},
  ) => {
    setup();
    const error = await poll(o.key ?? KEY, {
      client: { timeoutMs: o.timeoutMs ?? 2000 },
      ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.constructor.name).toBe("UpstreamError");
    expect(error?.message).not.toContain(KEY);
    const test = await createLnbitsClient({ timeoutMs: o.timeoutMs ?? 2000 }).testConnection(
      settings(o.key ?? KEY, o.baseUrl),
    );
    expect(test.ok).toBe(false);
    expect(test.message).not.toContain(KEY);
    return [error?.message, test.message];
  };
  const wallet = () => mock.addWallet({ inkey: KEY, name: "Taco Stand" });

  it("no key, an unknown key, a wrong base URL", async () => {
    expect(await failure(() => {}, { key: "" })).toEqual([
      "LNbits refused the key (401 No Api Key provided)",
      "LNbits refused the key (401 No Api Key provided)",
    ]);
    expect(await failure(() => {})).toEqual([
      "LNbits does not know this key (404 Wallet not found)",
      "LNbits does not know this key (404 Wallet not found)",
    ]);
    expect(await failure(wallet, { baseUrl: `${mock.url}/nope` })).toEqual([
      "LNbits has no /api/v1/payments (404 Not Found): is the base URL an LNbits server?",
      "LNbits has no /api/v1/wallet (404 Not Found): is the base URL an LNbits server?",
    ]);
  });

  it("400, 5xx, an HTML 502, a hang, a refused connection", async () => {
    expect(await failure(() => mock.setFault(wallet().inkey, { status: 400 }))).toEqual([
      "LNbits refused the request for /api/v1/payments (400 Injected failure)",
      "LNbits refused the request for /api/v1/wallet (400 Injected failure)",
    ]);
    expect(await failure(() => mock.setFault(KEY, { status: 503 }))).toEqual([
      "LNbits failed (503 Injected failure)",
      "LNbits failed (503 Injected failure)",
    ]);
    const html = "LNbits answered 502 with a page that is not JSON (an outage, or a proxy in front of it)";
    expect(await failure(() => mock.setFault(KEY, { html: true }))).toEqual([html, html]);
    expect(await failure(() => mock.setFault(KEY, { hang: true }), { timeoutMs: 200 })).toEqual([
      "LNbits timed out after 200ms",
      "LNbits timed out after 200ms",
    ]);
    const closed = await startLnbitsMock();
    const deadUrl = closed.url;
    await closed.stop();
    expect(await failure(() => {}, { baseUrl: deadUrl })).toEqual([
      "LNbits request failed: ECONNREFUSED",
      "LNbits request failed: ECONNREFUSED",
    ]);
  });

  it("test connection names the wallet; the admin key works too", async () => {
    const w = wallet();
    const client = createLnbitsClient({ timeoutMs: 2000 });
    expect(await client.testConnection(settings(KEY))).toEqual({
      ok: true,
      message: "Connected to wallet Taco Stand",
    });
    expect(await client.testConnection(settings(w.adminkey, `${mock.url}/`))).toEqual({
      ok: true,
      message: "Connected to wallet Taco Stand",
    });
  });
});
