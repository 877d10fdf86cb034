// The BTCPay client against the mock Greenfield API over real HTTP: what counts, carts to lines, paging,
// cheap re-polls, webhook hints, errors in plain words, test connection.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBtcpayClient } from "../src/sources/btcpay/client.js";
import { MONITORING_OVERLAP_S } from "../src/sources/btcpay/sync-state.js";
import { type BtcpayFixture, pollInput, startBtcpayFixture, T0 } from "./support/btcpay.js";

let f: BtcpayFixture;
const client = createBtcpayClient({ timeoutMs: 2000 });

beforeEach(async () => {
  f = await startBtcpayFixture();
});
afterEach(async () => {
  await f.mock.stop();
});

const DAY = 86_400;

describe("BTCPay client: what counts", () => {
  it("fiat and BTC/SATS invoices, carts to lines; Expired/PaidLate, New, Processing and Invalid do not count", async () => {
    const s = f.storeId;
    const cart = f.mock.addInvoice(s, {
      createdTime: T0,
      cart: [
        { id: "taco", title: "Taco", price: 3.5, count: 2 },
        { id: "horchata", title: "Horchata", price: 2, count: 1 },
      ],
    });
    const text = f.mock.addInvoice(s, {
      createdTime: T0 + 10,
      currency: "USD",
      rate: "40000.00",
      cart: [{ id: "latte", title: "Latte", price: 4, count: 2 }],
      posDataForm: "string",
      paidWith: "split",
    });
    const btc = f.mock.addInvoice(s, {
      createdTime: T0 + 20,
      currency: "BTC",
      amount: "0.00012345",
      metadata: {},
    });
    const sats = f.mock.addInvoice(s, {
      createdTime: T0 + 30,
      currency: "SATS",
      single: { itemCode: "sticker", itemDesc: "Sticker", price: 2100, oneLineCart: false },
    });
    f.mock.addInvoice(s, { createdTime: T0 + 40, status: "Expired", additionalStatus: "PaidLate" });
    f.mock.addInvoice(s, { createdTime: T0 + 50, status: "Expired" });
    f.mock.addInvoice(s, { createdTime: T0 + 60, status: "New" });
    f.mock.addInvoice(s, { createdTime: T0 + 70, status: "Processing", paidWith: "BTC-CHAIN" });
    const unconfirmed = f.mock.addInvoice(s, { createdTime: T0 + 80, status: "Processing" });
    f.mock.markInvalid(s, unconfirmed.id, false);

    const { parse, state } = await client.poll(pollInput(f.settings));
    expect(parse.skippedCount).toBe(0);
    const truth = f.mock.groundTruth(s)[0];
    expect(truth?.count).toBe(4);
    const got = parse.sales.map((x) => [x.externalId, x.amountSats, x.fiatAmount, x.currency, x.date]);
    const want = truth?.sales.map((t) => [t.invoiceId, t.sats, t.fiat, t.currency, t.paidAt * 1000]);
    expect(got.sort()).toEqual(want?.sort());
    const byId = new Map(parse.sales.map((x) => [x.externalId, x]));
    expect(byId.get(cart.id)).toMatchObject({
      fiatAmount: 9,
      currency: "eur",
      amountSats: 18000,
      origin: "pos",
    });
    expect(byId.get(cart.id)?.lines.map((l) => [l.name, l.quantity, l.unitSats])).toEqual([
      ["Taco", 2, 7000],
      ["Horchata", 1, 4000],
    ]);
    expect(byId.get(text.id)?.lines.map((l) => [l.name, l.quantity])).toEqual([["Latte", 2]]);
    expect(byId.get(text.id)).toMatchObject({ fiatAmount: 8, currency: "usd", amountSats: 20000 });
    expect(byId.get(btc.id)).toMatchObject({
      amountSats: 12345,
      fiatAmount: null,
      currency: null,
      lines: [],
    });
    expect(byId.get(sats.id)?.lines).toMatchObject([{ name: "Sticker", quantity: 1, unitSats: 2100 }]);
    // The unconfirmed one turned Invalid: reported as withdrawn, which the store ignores unless it holds it.
    expect(parse.withdrawn.map((w) => w.externalId)).toEqual([unconfirmed.id]);
    expect(state).toEqual({ v: 1, storeId: s, newestCreated: T0 + 80 });
    // Only Settled and Invalid were asked for: the others never left the server.
    const list = f.mock.requests(s).filter((r) => r.path.endsWith("/invoices"));
    expect(list.map((r) => r.query.getAll("status"))).toEqual([["Settled", "Invalid"]]);
  });

  it("a Processing invoice counts on the poll after it settles", async () => {
    const inv = f.mock.addInvoice(f.storeId, {
      createdTime: T0,
      status: "Processing",
      paidWith: "BTC-CHAIN",
    });
    const first = await client.poll(pollInput(f.settings));
    expect(first.parse.sales).toEqual([]);
    f.mock.settle(f.storeId, inv.id);
    const second = await client.poll(pollInput(f.settings, first.state));
    expect(second.parse.sales.map((s) => s.externalId)).toEqual([inv.id]);
  });

  it("single-item 2.x carts and untitled cart lines are named from the POS app; without access, by item id", async () => {
    const appId = f.mock.addPosApp(f.storeId, {
      name: "Taco truck",
      items: [
        { id: "taco", title: "Taco al pastor", price: 3.5 },
        { id: "agua", title: "Agua fresca", price: 2 },
      ],
    });
    f.mock.addInvoice(f.storeId, { createdTime: T0, single: { itemCode: "taco", price: 3.5 } });
    f.mock.addInvoice(f.storeId, {
      createdTime: T0 + 1,
      cart: [
        { id: "agua", price: 2, count: 2 },
        { id: "taco", title: "Taco", price: 3.5, count: 1 },
      ],
    });
    const names = async (settings: typeof f.settings) =>
      (await client.poll(pollInput(settings))).parse.sales
        .sort((a, b) => a.date - b.date)
        .map((s) => s.lines.map((l) => l.name));
    // The store's key reads invoices only: GET /apps/pos needs btcpay.store.canmodifystoresettings.
    expect(await names({ ...f.settings, pos_app_id: appId })).toEqual([["taco"], ["agua", "Taco"]]);
    f.mock.addKey("admin-key", [f.storeId], ["btcpay.store.canmodifystoresettings"]);
    const withApp = createBtcpayClient({ timeoutMs: 2000 });
    const admin = { ...f.settings, api_key: "admin-key", pos_app_id: appId };
    const got = (await withApp.poll(pollInput(admin))).parse.sales.sort((a, b) => a.date - b.date);
    expect(got.map((s) => s.lines.map((l) => l.name))).toEqual([["Taco al pastor"], ["Agua fresca", "Taco"]]);
    // Cached: a second poll within the TTL does not ask for the app again.
    await withApp.poll(pollInput(admin));
    expect(f.mock.requests().filter((r) => r.path.includes("/apps/pos/")).length).toBe(2);
  });

  it("an older server without includePaymentMethods: payment methods fetched per settled invoice", async () => {
    await f.mock.stop();
    f = await startBtcpayFixture({ inlinePaymentMethods: false });
    for (let i = 0; i < 5; i++)
      f.mock.addInvoice(f.storeId, {
        createdTime: T0 + i,
        cart: [{ id: "a", title: "A", price: 5, count: 1 }],
      });
    f.mock.addInvoice(f.storeId, { createdTime: T0 + 9, status: "Expired" });
    const older = createBtcpayClient({ timeoutMs: 2000 });
    const { parse, state } = await older.poll(pollInput(f.settings));
    expect(parse.sales.map((s) => s.amountSats)).toEqual([10000, 10000, 10000, 10000, 10000]);
    const methodRequests = () => f.mock.requests().filter((r) => r.path.endsWith("/payment-methods")).length;
    expect(methodRequests()).toBe(5);
    // A settled invoice's payments are final: the re-poll fetches only the new one's.
    f.mock.addInvoice(f.storeId, { createdTime: T0 + 20 });
    const again = await older.poll(pollInput(f.settings, state));
    expect(again.parse.sales.length).toBe(6);
    expect(methodRequests()).toBe(6);
  });
});

describe("BTCPay client: paging and re-polls", () => {
  it("pages shift as invoices arrive: each invoice read once, the newcomers on the next poll", async () => {
    const ids = Array.from(
      { length: 450 },
      (_, i) => f.mock.addInvoice(f.storeId, { createdTime: T0 + i }).id,
    );
    const arrived: string[] = [];
    f.mock.handler.onRequest = (r) => {
      if (r.path.endsWith("/invoices") && arrived.length < 6)
        for (let k = 0; k < 3; k++)
          arrived.push(f.mock.addInvoice(f.storeId, { createdTime: T0 + 1000 + arrived.length }).id);
    };
    const first = await client.poll(pollInput(f.settings));
    expect(first.parse.skipped).toEqual([]);
    const got = first.parse.sales.map((s) => s.externalId);
    expect(new Set(got).size).toBe(got.length);
    for (const id of ids) expect(got).toContain(id);
    f.mock.handler.onRequest = undefined;
    const second = await client.poll(pollInput(f.settings, first.state));
    const again = new Set(second.parse.sales.map((s) => s.externalId));
    for (const id of arrived) expect(got.includes(id) || again.has(id)).toBe(true);
  });

  it("a re-poll reads only the monitoring window of the newest invoice, not the history", async () => {
    for (let d = 30; d >= 1; d--)
      for (let k = 0; k < 20; k++) f.mock.addInvoice(f.storeId, { createdTime: T0 - d * DAY + k * 60 });
    const recent = Array.from({ length: 7 }, (_, i) =>
      f.mock.addInvoice(f.storeId, { createdTime: T0 + i * 600 }),
    );
    const first = await client.poll(pollInput(f.settings));
    expect(first.parse.sales.length).toBe(607);
    const firstServed = f.mock.requests().reduce((n, r) => n + r.invoices, 0);
    expect(firstServed).toBeGreaterThanOrEqual(607);
    f.mock.clearRequests();
    f.mock.addInvoice(f.storeId, { createdTime: T0 + 7200 });
    const second = await client.poll(pollInput(f.settings, first.state));
    const seen = f.mock.requests();
    expect(seen.map((r) => r.query.get("startDate"))).toEqual([String(T0 + 3600 - MONITORING_OVERLAP_S)]);
    // The window holds yesterday's last invoices (within 24 h 15 min), the recent seven and the new one.
    const inWindow = f.mock
      .groundTruth(f.storeId)[0]
      ?.sales.filter((t) => t.paidAt - 30 >= T0 + 3600 - MONITORING_OVERLAP_S);
    expect(seen.reduce((n, r) => n + r.invoices, 0)).toBe(inWindow?.length);
    expect(inWindow?.length).toBeLessThan(40);
    expect(second.parse.sales.map((s) => s.externalId)).toEqual(
      expect.arrayContaining(recent.map((r) => r.id)),
    );
    expect(second.state).toEqual({ v: 1, storeId: f.storeId, newestCreated: T0 + 7200 });
  });

  it("a hint fetches an old invoice marked Invalid or Settled by hand; test ids and unknown ids change nothing", async () => {
    const old = f.mock.addInvoice(f.storeId, { createdTime: T0 - 10 * DAY });
    const expired = f.mock.addInvoice(f.storeId, { createdTime: T0 - 9 * DAY, status: "Expired" });
    f.mock.addInvoice(f.storeId, { createdTime: T0 });
    const first = await client.poll(pollInput(f.settings));
    expect(first.parse.sales.map((s) => s.externalId)).toContain(old.id);
    f.mock.markInvalid(f.storeId, old.id);
    f.mock.markSettled(f.storeId, expired.id);
    const blind = await client.poll(pollInput(f.settings, first.state));
    expect(blind.parse.withdrawn).toEqual([]);
    f.mock.clearRequests();
    const hinted = await client.poll(
      pollInput(f.settings, first.state, [
        { keys: [old.id, "__test__0b5e7c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b__test__"] },
        { keys: [expired.id, "NoSuchInvoice123", old.id] },
      ]),
    );
    expect(hinted.parse.withdrawn).toMatchObject([{ externalId: old.id, reason: "marked invalid" }]);
    expect(hinted.parse.sales.map((s) => s.externalId)).toContain(expired.id);
    const byId = f.mock
      .requests()
      .filter((r) => /\/invoices\/[^/]+$/.test(r.path))
      .map((r) => r.path.split("/").pop());
    expect(byId.sort()).toEqual([expired.id, old.id, "NoSuchInvoice123"].sort());
    // An old hinted invoice does not drag the window back.
    expect(hinted.state).toEqual(first.state);
  });
});

describe("BTCPay client: errors in plain words, never the key", () => {
  const poll = async (settings = f.settings, timeoutMs = 2000) => {
    try {
      await createBtcpayClient({ timeoutMs }).poll(pollInput(settings));
    } catch (e) {
      expect((e as Error).message).not.toContain(settings.api_key);
      return (e as Error).message;
    }
    throw new Error("poll succeeded");
  };

  it.each([
    ["unknown key", () => ({ ...f.settings, api_key: "wrong-key-1234" }), "BTCPay refused the API key (401)"],
    [
      "key without canviewinvoices",
      () => {
        f.mock.addKey("settings-only", [f.storeId], ["btcpay.store.canviewstoresettings"]);
        return { ...f.settings, api_key: "settings-only" };
      },
      "BTCPay refused access to store 7Hn2cQx9 (403): the API key lacks permission btcpay.store.canviewinvoices for it (or the store id is wrong)",
    ],
    [
      "another store's id",
      () => ({ ...f.settings, store_id: "OtherStore" }),
      "BTCPay refused access to store OtherStore (403): the API key lacks permission btcpay.store.canviewinvoices for it (or the store id is wrong)",
    ],
    [
      "a user-wide key and a store that does not exist",
      () => {
        f.mock.addKey("user-wide", "*", ["btcpay.store.canviewinvoices"]);
        return { ...f.settings, api_key: "user-wide", store_id: "Gone" };
      },
      "BTCPay store Gone not found (404)",
    ],
  ])("%s", async (_name, settings, message) => {
    expect(await poll(settings())).toBe(message);
  });

  it.each([
    [{ status: 500 }, "BTCPay responded 500 to the invoices request"],
    [{ status: 422 }, "BTCPay rejected the invoices query (422)"],
    [{ html: true }, "BTCPay responded 502 to the invoices request, not JSON"],
    [{ hang: true }, "BTCPay timed out after 300ms"],
  ])("store fault %j", async (fault, message) => {
    f.mock.setFault(f.storeId, fault);
    expect(await poll(f.settings, 300)).toBe(message);
  });

  it("a hint for an invoice BTCPay does not know (404) fails nothing", async () => {
    f.mock.addInvoice(f.storeId, { createdTime: T0 });
    const ok = await client.poll(pollInput(f.settings, null, [{ keys: ["Missing1"] }]));
    expect(ok.parse.sales.length).toBe(1);
  });
});

describe("BTCPay test connection", () => {
  it("names the store when the key can read it", async () => {
    expect(await client.testConnection(f.settings)).toEqual({
      ok: true,
      message: "Connected to store Taco Stand",
    });
    const seen = f.mock.requests().map((r) => [r.path, r.query.get("take")]);
    expect(seen).toEqual([
      ["/api/v1/stores/7Hn2cQx9", null],
      ["/api/v1/stores/7Hn2cQx9/invoices", "1"],
    ]);
  });

  it("a key that reads invoices only still passes; a named POS app it cannot read is said so", async () => {
    f.mock.addKey("invoices-only", [f.storeId], ["btcpay.store.canviewinvoices"]);
    const appId = f.mock.addPosApp(f.storeId, { name: "Truck", items: [] });
    const r = await client.testConnection({ ...f.settings, api_key: "invoices-only", pos_app_id: appId });
    expect(r.ok).toBe(true);
    expect(r.message).toBe(
      "Connected to store 7Hn2cQx9 (its name needs btcpay.store.canviewstoresettings); item titles unavailable: BTCPay refused access to store 7Hn2cQx9 (403): the API key lacks permission btcpay.store.canmodifystoresettings for it (or the store id is wrong)",
    );
  });

  it.each([
    ["wrong key", () => ({ ...f.settings, api_key: "nope" }), "BTCPay refused the API key (401)"],
    [
      "no invoice permission",
      () => {
        f.mock.addKey("settings-only", [f.storeId], ["btcpay.store.canviewstoresettings"]);
        return { ...f.settings, api_key: "settings-only" };
      },
      "BTCPay refused access to store 7Hn2cQx9 (403): the API key lacks permission btcpay.store.canviewinvoices for it (or the store id is wrong)",
    ],
    [
      "server down",
      () => {
        f.mock.setFault(f.storeId, { html: true });
        return f.settings;
      },
      "BTCPay responded 502 to the store request, not JSON",
    ],
    [
      "nothing listening",
      () => ({ ...f.settings, base_url: "http://127.0.0.1:9" }),
      "BTCPay request failed: ECONNREFUSED",
    ],
  ])("%s → ok false, plainly", async (_name, settings, message) => {
    const s = settings();
    const r = await client.testConnection(s);
    expect(r).toEqual({ ok: false, message });
    expect(r.message).not.toContain(s.api_key);
  });
});
