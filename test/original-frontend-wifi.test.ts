/**
 * Sources, the WiFi offer and the WiFi webhook (spec /work/shared/spec/original-later-api.md §2–§5) as
 * the ORIGINAL frontend reads them (test/support/original-client.ts, written from §1) and as LNbits
 * posts its payments, against the real service (ingest thread, real 127.0.0.1 port) polling the mock
 * upstream for two PayWithFlash merchants. One describe per spec section; they run in order on one
 * database (a second, open service for the unset variables).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import {
  lnbitsPayment,
  type Merchant,
  type MerchantRank,
  type Milestone,
  paymentHash,
  postWebhook,
  type Served,
  type Summary,
  serve,
  type TickerRow,
  type Trigger,
  type WifiConfig,
} from "./support/original-client.js";

const MIN = 60_000;
/** testConfig's RATE_WINDOW: the per-minute rates count the sales of the last 5 minutes. */
const RATE_MINUTES = 5;
const SECRET = "lnbits-webhook-s3cret";
const ADDRESS = "wifi@pay.example";
const REFUSED = { error: "invalid webhook secret" };
const WIFI_MERCHANT = { id: "wifi", public_key: "wifi_payments", alias: "WiFi Upgrades", enabled: true };

let mock: MockUpstream;
/** WEBHOOK_SECRET and WIFI_LIGHTNING_ADDRESS set; polls the mock's merchants 100 and 101. */
let main: Served;
/** Neither set, nothing polled: a fresh database. */
let open: Served;

beforeAll(async () => {
  mock = await startMockUpstream({ seed: 5, merchants: 2, generate: false, history: true });
  const now = Date.now();
  for (const id of ["100", "101"])
    for (const ago of [1, 2, 20, 90]) mock.addSale(id, { date: now - ago * MIN });
  main = await serve({ sourceBaseUrl: mock.url, webhookSecret: SECRET, wifiLightningAddress: ADDRESS });
  open = await serve({ webhookSecret: undefined, wifiLightningAddress: "" });
  for (const [id, alias] of [
    ["100", "Zebra Café"],
    ["101", "Mango Bar"],
  ] as const) {
    await main.client.admin("POST", "/v1/admin/merchants", {
      id,
      public_key: `mock_pubkey_${Number(id) - 100}`,
      alias,
      enabled: true,
    });
    await main.client.admin("POST", `/v1/admin/merchants/${id}/refetch`);
  }
  await vi.waitFor(
    async () => {
      const { data } = await main.client.get<Summary>("/v1/summary");
      if (data.total_transactions !== polled().length) throw new Error("the polled sales are not in yet");
    },
    { timeout: 15_000, interval: 50 },
  );
}, 30_000);

afterAll(async () => {
  await open?.stop();
  await main?.stop();
  await mock?.stop();
});

const polled = () => mock.groundTruth().merchants.flatMap((m) => m.sales);

/** The wifi sales main has accepted, as the tests posted them. */
const wifiSales: { hash: string; sats: number; date: number }[] = [];
let hashes = 0;
const nextHash = () => paymentHash(++hashes);

/** Posts a payment to main with the secret in the header; records what should have been stored. */
async function payWifi(amountMsat: number, extra: Record<string, unknown> = {}) {
  const hash = nextHash();
  const before = Date.now();
  const answer = await postWebhook(main.base, lnbitsPayment(hash, amountMsat, extra), {
    headers: { "X-Webhook-Secret": SECRET },
  });
  expect(answer).toEqual({
    status: 200,
    body: { status: "ok", inserted: 1, amount_sats: Math.trunc(amountMsat / 1000) },
  });
  const time = typeof extra.time === "number" && extra.time !== 0 ? extra.time * 1000 : before;
  wifiSales.push({ hash, sats: Math.trunc(amountMsat / 1000), date: time });
  await wifiSettled();
  return hash;
}

/**
 * main's wifi reads show exactly the sales accepted so far. Read right after the webhook answered: a
 * webhook sale reaches every cached answer before its 200 (src/service.ts), unlike a poll's.
 */
const wifiSettled = async () => {
  expect((await wifiRows()).map((r) => r.external_id).sort()).toEqual(wifiSales.map((s) => s.hash).sort());
  const summary = (await main.client.get<Summary>("/v1/summary?source=wifi")).data;
  expect(summary.total_transactions).toBe(wifiSales.length);
};

const wifiRows = async () => (await main.client.get<TickerRow[]>("/v1/ticker?limit=50&source=wifi")).data;

describe("§2 environment", () => {
  it('WEBHOOK_SECRET and WIFI_LIGHTNING_ADDRESS unset: the webhook is open, the address is ""', async () => {
    expect((await open.client.get<WifiConfig>("/v1/wifi/config")).data.lightning_address).toBe("");
    const answer = await postWebhook(open.base, lnbitsPayment(paymentHash(1, "0000aaaa"), 2_100_000));
    expect(answer).toEqual({ status: 200, body: { status: "ok", inserted: 1, amount_sats: 2100 } });
  });

  it("both set: the webhook needs the secret, the address is echoed", async () => {
    expect((await main.client.get<WifiConfig>("/v1/wifi/config")).data.lightning_address).toBe(ADDRESS);
    expect(await postWebhook(main.base, lnbitsPayment(nextHash(), 2_100_000))).toEqual({
      status: 401,
      body: REFUSED,
    });
  });
});

describe("§4 GET /v1/wifi/config", () => {
  it("answers the four fields as strings: the address, the fixed offer, 2100 sats, 8 hours", async () => {
    const { data } = await main.client.get<WifiConfig>("/v1/wifi/config");
    expect(data).toEqual({
      lightning_address: ADDRESS,
      description: expect.any(String),
      price_sats: "2100",
      duration_hours: "8",
    });
    // The original's sentence: 30 → 100 Mbps for 8 h at 2100 sats, 5% donated.
    expect(data.description).toMatch(/30 Mbps.*100 Mbps.*8 hours.*2,?100 sats.*5%/s);
    expect(await open.client.get<WifiConfig>("/v1/wifi/config")).toEqual({
      status: 200,
      data: { ...data, lightning_address: "" },
    });
  });
});

describe("§5 POST /v1/webhooks/wifi as LNbits sends it", () => {
  it("a missing or wrong secret is 401 {error: invalid webhook secret}, before the body; nothing is stored", async () => {
    const body = lnbitsPayment(nextHash(), 2_100_000);
    for (const opts of [
      {},
      { headers: { "X-Webhook-Secret": "wrong" } },
      { headers: { "X-Webhook-Secret": SECRET.slice(0, -1) } },
      { query: "?secret=wrong" },
      { query: "?secret=" },
      // The header, when present and not empty, is the one compared: the query cannot rescue it.
      { headers: { "X-Webhook-Secret": "wrong" }, query: `?secret=${SECRET}` },
    ])
      expect(await postWebhook(main.base, body, opts), JSON.stringify(opts)).toEqual({
        status: 401,
        body: REFUSED,
      });
    // Not even JSON: the secret is checked first, so 401 and not 400.
    expect(await postWebhook(main.base, "{not json", { query: "?secret=nope" })).toEqual({
      status: 401,
      body: REFUSED,
    });
    expect((await main.client.get<Summary>("/v1/summary?source=wifi")).data.total_transactions).toBe(0);
    expect(await wifiRows()).toEqual([]);
    const merchants = (await main.client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data;
    expect(merchants.map((m) => m.id)).not.toContain("wifi");
  });

  it("the first accepted payment creates merchant wifi with the spec's fields: a fresh database lists none before", async () => {
    // The open service's database was fresh until §2's payment; check a fresh one here, then main.
    const fresh = await serve({ webhookSecret: undefined });
    try {
      expect((await fresh.client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data).toEqual([]);
      expect((await fresh.client.get<Summary>("/v1/summary")).data).toMatchObject({
        total_merchants: 0,
        active_merchants: 0,
        total_transactions: 0,
      });
      expect((await postWebhook(fresh.base, lnbitsPayment(paymentHash(7), 2_100_000))).status).toBe(200);
      const [wifi, ...others] = (await fresh.client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data;
      expect(others).toEqual([]);
      expect(wifi).toMatchObject(WIFI_MERCHANT);
      expect((await fresh.client.get<Summary>("/v1/summary")).data).toMatchObject({
        total_merchants: 1,
        active_merchants: 1,
        total_transactions: 1,
      });
    } finally {
      await fresh.stop();
    }

    // main: 2 100 999 msat is 2100 sats (truncated), secret in the header.
    await payWifi(2_100_999);
    const listed = (await main.client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data;
    expect(listed.find((m) => m.id === "wifi")).toMatchObject(WIFI_MERCHANT);
    expect((await main.client.get<Summary>("/v1/summary")).data).toMatchObject({
      total_merchants: 3,
      active_merchants: 3,
    });
  });

  it("takes the secret from ?secret= when the header is absent or empty", async () => {
    const query = `?secret=${encodeURIComponent(SECRET)}`;
    for (const [msat, headers] of [
      [1_000_000, {}],
      [5_000_500, { "X-Webhook-Secret": "" }],
    ] as const) {
      const hash = nextHash();
      const before = Date.now();
      const answer = await postWebhook(main.base, lnbitsPayment(hash, msat), { query, headers });
      expect(answer).toEqual({
        status: 200,
        body: { status: "ok", inserted: 1, amount_sats: Math.trunc(msat / 1000) },
      });
      wifiSales.push({ hash, sats: Math.trunc(msat / 1000), date: before });
    }
    await wifiSettled();
  });

  it("a redelivery answers 200 with inserted 0 and changes nothing", async () => {
    const first = wifiSales[0];
    if (!first) throw new Error("no wifi sale yet");
    const rowBefore = (await wifiRows()).find((r) => r.external_id === first.hash);
    const again = await postWebhook(main.base, lnbitsPayment(first.hash, 2_100_999), {
      headers: { "X-Webhook-Secret": SECRET },
    });
    expect(again).toEqual({ status: 200, body: { status: "ok", inserted: 0, amount_sats: 2100 } });
    // A new sale after it: once that shows, the wifi rows and count are exactly the accepted payments
    // (wifiSettled), so the redelivery added no row, and the first one's row is as it was.
    await payWifi(1_500_000);
    expect((await wifiRows()).find((r) => r.external_id === first.hash)).toEqual(rowBefore);
  });

  it("the sale id is an integer ≤ 2^53 − 1, the same on every read, and the hash is the row's external_id", async () => {
    const rows = await wifiRows();
    expect(rows.map((r) => r.external_id).sort()).toEqual(wifiSales.map((s) => s.hash).sort());
    for (const row of rows) {
      expect(row).toMatchObject({ merchant_id: "wifi", merchant_alias: "WiFi Upgrades" });
      expect(Number.isSafeInteger(row.sale_id) && row.sale_id >= 0).toBe(true);
      // The README's rule: the first 13 hex digits. The original's 8-byte read would be ~4.6e18 here.
      expect(row.sale_id).toBe(Number.parseInt((row.external_id ?? "").slice(0, 13), 16));
    }
    expect(new Set(rows.map((r) => r.sale_id)).size).toBe(rows.length);
    expect(await wifiRows()).toEqual(rows);
  });

  it("sale_date is `time` (UTC) when given, the receipt time when absent or 0", async () => {
    const dated = await payWifi(3_000_000, { time: 1_762_780_800 });
    const before = Date.now();
    const zero = await payWifi(2_100_000, { time: 0 });
    const after = Date.now();
    const rows = await wifiRows();
    const dateOf = (hash: string) => Date.parse(rows.find((r) => r.external_id === hash)?.sale_date ?? "");
    expect(dateOf(dated)).toBe(Date.parse("2025-11-10T13:20:00Z"));
    // Receipt time, to the second the row shows.
    expect(dateOf(zero)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(dateOf(zero)).toBeLessThanOrEqual(after);
    for (const s of wifiSales.filter((w) => w.hash !== dated)) {
      expect(dateOf(s.hash)).toBeGreaterThanOrEqual(Math.floor(s.date / 1000) * 1000);
      expect(dateOf(s.hash)).toBeLessThanOrEqual(after);
    }
  });

  it("a milestone the webhook sale crosses fires at once, counting every source's sales", async () => {
    const total = (await main.client.get<Summary>("/v1/summary")).data;
    expect(total.total_transactions).toBe(polled().length + wifiSales.length);
    const since = new Date(Date.now() - 1000).toISOString();
    const milestone = (
      await main.client.admin<Milestone>("POST", "/v1/admin/milestones", {
        name: "Next sale",
        type: "transactions",
        threshold: total.total_transactions + 1,
        enabled: true,
      })
    ).data;
    expect(milestone.triggered).toBe(false);
    await payWifi(2_100_000);
    const triggers = (await main.client.get<Trigger[]>(`/v1/milestones/triggers?since=${since}`)).data;
    expect(triggers).toContainEqual(
      expect.objectContaining({
        milestone_id: milestone.id,
        total_transactions: total.total_transactions + 1,
        total_volume_sats: total.total_volume_sats + 2100,
      }),
    );
    const listed = (await main.client.admin<Milestone[]>("GET", "/v1/admin/milestones")).data;
    expect(listed.find((m) => m.id === milestone.id)).toMatchObject({ triggered: true });
  });

  it("a payment under one sat ([REC]) or a `time` sent as a string is a 400 and stores nothing", async () => {
    const before = await wifiRows();
    for (const body of [
      lnbitsPayment(nextHash(), 999),
      lnbitsPayment(nextHash(), 2_100_000, { time: "1762780800" }),
    ]) {
      const answer = await postWebhook(main.base, body, { headers: { "X-Webhook-Secret": SECRET } });
      expect(answer, JSON.stringify(body)).toEqual({ status: 400, body: { error: expect.any(String) } });
    }
    await payWifi(1_000_000);
    expect((await wifiRows()).slice(1)).toEqual(before);
  });
});

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The sales figures §3 filters, for the given sales, the rates bounded by when the server answered. */
function expectSalesFigures(
  data: Summary,
  sales: { date: number; sats: number }[],
  from: number,
  to: number,
) {
  const volume = sales.reduce((n, s) => n + s.sats, 0);
  expect(data.total_transactions).toBe(sales.length);
  expect(data.total_volume_sats).toBe(volume);
  expect(data.average_transaction_size).toBeCloseTo(sales.length === 0 ? 0 : volume / sales.length, 2);
  const recent = (at: number) => sales.filter((s) => s.date >= at - RATE_MINUTES * MIN);
  const [few, many] = [recent(to), recent(from)];
  expect(data.transactions_per_minute).toBeGreaterThanOrEqual(round2(few.length / RATE_MINUTES));
  expect(data.transactions_per_minute).toBeLessThanOrEqual(round2(many.length / RATE_MINUTES));
  const sats = (l: { sats: number }[]) => l.reduce((n, s) => n + s.sats, 0);
  expect(data.volume_per_minute).toBeGreaterThanOrEqual(round2(sats(few) / RATE_MINUTES));
  expect(data.volume_per_minute).toBeLessThanOrEqual(round2(sats(many) / RATE_MINUTES));
}

describe("§3 transaction source", () => {
  const pwfSales = () => polled().map((s) => ({ date: s.date, sats: s.amountSats }));
  const everySale = () => [...pwfSales(), ...wifiSales];

  it("summary: all, empty and absent count every sale, wifi included; pwf and wifi filter only the sales figures", async () => {
    expect(wifiSales.length).toBeGreaterThan(3);
    const from = Date.now();
    const unfiltered = (await main.client.get<Summary>("/v1/summary")).data;
    const bySource: Record<string, Summary> = {};
    for (const source of ["all", "", "pwf", "wifi"])
      bySource[source] = (await main.client.get<Summary>(`/v1/summary?source=${source}`)).data;
    const to = Date.now();
    expect(bySource.all).toEqual(unfiltered);
    expect(bySource[""]).toEqual(unfiltered);
    expectSalesFigures(unfiltered, everySale(), from, to);
    expectSalesFigures(bySource.pwf as Summary, pwfSales(), from, to);
    expectSalesFigures(bySource.wifi as Summary, wifiSales, from, to);
    for (const s of Object.values(bySource))
      expect(s).toMatchObject({
        active_merchants: 3,
        total_merchants: 3,
        unique_products: unfiltered.unique_products,
      });
    expect(unfiltered.unique_products).toBeGreaterThan(0);
  });

  it("any other source matches no sale: 200 with zero sales figures (a malformed one 400, as §3 allows)", async () => {
    const unfiltered = (await main.client.get<Summary>("/v1/summary")).data;
    const none = (await main.client.get<Summary>("/v1/summary?source=lnurl")).data;
    expect(none).toMatchObject({
      total_transactions: 0,
      total_volume_sats: 0,
      average_transaction_size: 0,
      transactions_per_minute: 0,
      volume_per_minute: 0,
      active_merchants: unfiltered.active_merchants,
      total_merchants: unfiltered.total_merchants,
      unique_products: unfiltered.unique_products,
    });
    expect((await main.client.get<TickerRow[]>("/v1/ticker?limit=50&source=lnurl")).data).toEqual([]);
    await expect(main.client.get("/v1/summary?source=WiFi")).rejects.toThrow(/^Request failed: 400$/);
  });

  it("/v1/admin/summary gives the same answers behind the token, 401 without it", async () => {
    for (const q of ["", "?source=", "?source=all", "?source=pwf", "?source=wifi", "?source=lnurl"]) {
      const pub = (await main.client.get<Summary>(`/v1/summary${q}`)).data;
      expect((await main.client.admin<Summary>("GET", `/v1/admin/summary${q}`)).data, q).toEqual(pub);
      const res = await fetch(`${main.base}/v1/admin/summary${q}`, {
        headers: { Accept: "application/json" },
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it("ticker: pwf leaves the wifi rows out, wifi lists only them; limit and newest-first unchanged", async () => {
    const all = (await main.client.get<TickerRow[]>("/v1/ticker?limit=50")).data;
    expect((await main.client.get<TickerRow[]>("/v1/ticker?limit=50&source=all")).data).toEqual(all);
    expect((await main.client.get<TickerRow[]>("/v1/ticker?limit=50&source=")).data).toEqual(all);
    expect(all).toHaveLength(everySale().length);
    expect(all.filter((r) => r.merchant_id === "wifi")).toHaveLength(wifiSales.length);
    const newestFirst = (rows: TickerRow[]) => {
      const dates = rows.map((r) => Date.parse(r.sale_date));
      expect(dates).toEqual([...dates].sort((a, b) => b - a));
    };
    newestFirst(all);

    const pwf = (await main.client.get<TickerRow[]>("/v1/ticker?limit=50&source=pwf")).data;
    expect(pwf).toEqual(all.filter((r) => r.merchant_id !== "wifi"));
    const wifi = (await main.client.get<TickerRow[]>("/v1/ticker?limit=50&source=wifi")).data;
    expect(wifi).toEqual(all.filter((r) => r.merchant_id === "wifi"));
    for (const [source, rows] of [
      ["pwf", pwf],
      ["wifi", wifi],
    ] as const) {
      newestFirst(rows);
      const limited = (await main.client.get<TickerRow[]>(`/v1/ticker?limit=2&source=${source}`)).data;
      expect(limited).toEqual(rows.slice(0, 2));
    }
  });

  it("leaderboards have no filter: the wifi merchant ranks like any other", async () => {
    const volume = wifiSales.reduce((n, s) => n + s.sats, 0);
    for (const metric of ["transactions", "volume"] as const) {
      const { data } = await main.client.get<MerchantRank[]>(
        `/v1/leaderboard/merchants?metric=${metric}&limit=10&window=all`,
      );
      expect(data.map((r) => r.merchant_id).sort()).toEqual(["100", "101", "wifi"]);
      expect(data.find((r) => r.merchant_id === "wifi")).toEqual({
        merchant_id: "wifi",
        alias: "WiFi Upgrades",
        transactions: wifiSales.length,
        volume_sats: volume,
      });
      const key = metric === "transactions" ? "transactions" : "volume_sats";
      const values = data.map((r) => r[key]);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
    // In a window only its sales in the window count, as for any merchant (one is dated 2025-11-10).
    const recent = wifiSales.filter((s) => s.date > Date.now() - 5 * MIN);
    const windowed = (
      await main.client.get<MerchantRank[]>("/v1/leaderboard/merchants?metric=volume&limit=10&window=5m")
    ).data;
    expect(windowed.find((r) => r.merchant_id === "wifi")).toMatchObject({ transactions: recent.length });
  });
});
