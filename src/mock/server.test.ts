import { afterEach, describe, expect, it } from "vitest";
import { type MockUpstream, type MockUpstreamOptions, PROFILES, startMockUpstream } from "./index.js";

const NOW = Date.UTC(2025, 7, 27, 18, 30, 0, 0);
const HOUR = 3_600_000;
const SALE_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/;
const ZONELESS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

// The wire shape as the spec describes it, typed here on purpose rather than imported.
interface WireLine {
  ProductID: number;
  ProductName: string;
  ProductPrice: number;
  ProductPriceSats: number;
  Quantity: number;
  ProductCurrency: string;
}
interface WireSale {
  SaleId: number;
  SaleOrigin: string;
  SaleOriginId: number;
  SaleDate: string;
  Currency: string;
  TotalCostSats: string;
  TotalCostCurrency: string;
  TotalTaxAmount: number;
  Products: WireLine[];
  [extra: string]: unknown;
}
interface WireProduct {
  productid: number;
  name: string;
  currency: string;
  price: string;
  total_transactions: number;
  total_units_sold: number;
  total_revenue_sats: string;
  total_revenue_currency: string;
  activestatus: boolean;
  deleted: boolean;
  wallet_id: number;
  [extra: string]: unknown;
}
interface WireEnvelope {
  success: boolean;
  status_code: number;
  message: string;
  data: {
    id: number;
    name: string;
    currency: string;
    created_at: string;
    total_transactions: number;
    total_revenue_sats: string;
    wallet_id: string;
    products: WireProduct[];
    sales: WireSale[];
  };
}

const started: MockUpstream[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((m) => m.stop()));
});

async function start(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const mock = await startMockUpstream({ generate: false, now: () => NOW, ...opts });
  started.push(mock);
  return mock;
}

function posUrl(mock: MockUpstream, id: string, key = `mock_pubkey_${Number(id) - 100}`): string {
  return `${mock.url}/user-pos/${id}?user_public_key=${encodeURIComponent(key)}`;
}

async function fetchPos(mock: MockUpstream, id: string): Promise<{ raw: string; body: WireEnvelope }> {
  const res = await fetch(posUrl(mock, id));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const raw = await res.text();
  return { raw, body: JSON.parse(raw) as WireEnvelope };
}

describe("GET /user-pos/{id}", () => {
  it("answers the upstream envelope and field formats", async () => {
    const mock = await start();
    const truth = mock.groundTruth("100").merchants[0];
    const [p1, p2] = truth?.products.filter((p) => p.active) ?? [];
    const saleDate = Date.UTC(2025, 7, 22, 19, 27, 23, 532);
    // Three consecutive ids cover both TotalCostSats forms and both ProductPriceSats forms.
    const anon = [0, 1, 2].map(() => mock.addSale("100", { amountSats: 977, date: saleDate }));
    const withLines = [0, 1].map(() =>
      mock.addSale("100", {
        lines: [
          { productId: p1?.productId ?? 0, quantity: 2 },
          { productId: p2?.productId ?? 0, quantity: 1 },
        ],
      }),
    );
    const { raw, body } = await fetchPos(mock, "100");

    expect(body).toMatchObject({ success: true, status_code: 200, message: "PoS fetched successfully" });
    const data = body.data;
    expect(data.id).toBe(100);
    expect(data.name).toBe("Bitcoin Coffee");
    expect(data.currency).toBe("usd");
    expect(data.created_at).toMatch(ZONELESS);
    expect(typeof data.wallet_id).toBe("string");
    expect(data.wallet_id).toMatch(/^\d+$/);
    expect(data.total_transactions).toBe(data.sales.length);
    expect(data.total_revenue_sats).toBe(String(data.sales.reduce((a, s) => a + Number(s.TotalCostSats), 0)));

    expect(data.products).toHaveLength(8);
    for (const p of data.products) {
      expect(p.currency).toBe("usd");
      expect(p.price).toMatch(/^\d+\.\d\d$/);
      expect(p.total_revenue_sats).toMatch(/^\d+\.00000000$/);
      expect(p.total_revenue_currency).toMatch(/^\d+(\.\d\d?)?$/);
      expect(p.deleted).toBe(false);
      expect(typeof p.activestatus).toBe("boolean");
      expect(typeof p.wallet_id).toBe("number");
      expect(String(p.wallet_id)).toBe(data.wallet_id);
      expect(p).toHaveProperty("description");
      expect(p).toHaveProperty("image_url");
    }

    for (const s of data.sales) {
      expect(s.SaleOrigin).toBe("pos");
      expect(s.SaleOriginId).toBe(100);
      expect(s.Currency).toBe("usd");
      expect(s.SaleDate).toMatch(SALE_DATE);
      expect(typeof s.TotalCostSats).toBe("string");
      expect(s.TotalCostSats).toMatch(/^\d+(\.00000000)?$/);
      expect(s.TotalCostCurrency).toMatch(/^\d+(\.\d\d?)?$/);
      expect(s.TotalTaxAmount).toBe(0);
      expect(s.PaymentMethod).toBe("lightning");
    }
    expect(raw).toContain('"TotalTaxAmount":0.0,');

    const wire = (id: number) => data.sales.find((s) => s.SaleId === id) as WireSale;
    expect(anon.map((a) => wire(a.saleId).TotalCostSats).sort()).toEqual(
      ["977", "977", "977.00000000"].sort(),
    );
    for (const a of anon) {
      expect(wire(a.saleId).SaleDate).toBe("2025-08-22T19:27:23.532000+00:00");
      expect(wire(a.saleId).Products).toEqual([]);
      expect(Number(wire(a.saleId).TotalCostCurrency)).toBe(a.fiatAmount);
    }
    for (const t of withLines) {
      const s = wire(t.saleId);
      expect(s.SaleDate).toBe("2025-08-27T18:30:00.000000+00:00");
      expect(Number(s.TotalCostSats)).toBe(t.amountSats);
      expect(Number(s.TotalCostCurrency)).toBeCloseTo(t.fiatAmount, 9);
      expect(s.Products).toEqual(
        t.lines.map((l) => ({
          ProductID: l.productId,
          ProductName: l.name,
          ProductPrice: l.unitPrice,
          ProductPriceSats: l.unitSats,
          Quantity: l.quantity,
          ProductCurrency: "usd",
        })),
      );
      expect(t.amountSats).toBe(2 * (t.lines[0]?.unitSats ?? 0) + (t.lines[1]?.unitSats ?? 0));
    }
    // Integral sats arrive as JSON numbers written both as 44.0 and as 44.
    const unit = withLines[0]?.lines[0]?.unitSats;
    expect(raw).toContain(`"ProductPriceSats":${unit}.0,`);
    expect(raw).toContain(`"ProductPriceSats":${unit},`);
  });

  it("lists line items only on product sales and the newest sale first", async () => {
    const mock = await start();
    mock.tick(HOUR);
    const { body } = await fetchPos(mock, "119");
    const truth = mock.groundTruth("119").merchants[0];
    expect(body.data.sales.length).toBe(truth?.sales.length);
    expect(body.data.sales.length).toBeGreaterThan(100);
    const byId = new Map(truth?.sales.map((s) => [s.saleId, s]));
    for (const s of body.data.sales) expect(s.Products.length).toBe(byId.get(s.SaleId)?.lines.length);
    expect(body.data.sales.some((s) => s.Products.length === 0)).toBe(true);
    expect(body.data.sales.some((s) => s.Products.length > 1)).toBe(true);
    const ids = body.data.sales.map((s) => s.SaleId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it("reports product statistics equal to the sums over every generated line", async () => {
    const mock = await start();
    mock.tick(2 * HOUR);
    mock.reset("103");
    mock.tick(HOUR);
    for (const id of ["100", "103", "119"]) {
      const { body } = await fetchPos(mock, id);
      const truth = mock.groundTruth(id).merchants[0];
      const lines = truth?.sales.flatMap((s) => s.lines) ?? [];
      for (const p of body.data.products) {
        const mine = lines.filter((l) => l.productId === p.productid);
        expect(p.total_transactions).toBe(mine.length);
        expect(p.total_units_sold).toBe(mine.reduce((a, l) => a + l.quantity, 0));
        expect(p.total_revenue_sats).toBe(
          `${mine.reduce((a, l) => a + l.quantity * l.unitSats, 0)}.00000000`,
        );
        expect(Number(p.total_revenue_currency)).toBeCloseTo(
          mine.reduce((a, l) => a + l.quantity * l.unitPrice, 0),
          6,
        );
        if (!p.activestatus) expect(p.total_transactions).toBe(0);
      }
    }
  });

  it("answers 401 for a wrong key and 404 for an unknown merchant, in an envelope", async () => {
    const mock = await start();
    const wrong = await fetch(posUrl(mock, "100", "mock_pubkey_1"));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      success: false,
      status_code: 401,
      message: "Invalid user public key",
      data: null,
    });
    const missingKey = await fetch(`${mock.url}/user-pos/100`);
    expect(missingKey.status).toBe(401);
    await missingKey.body?.cancel();
    const unknown = await fetch(posUrl(mock, "999", "mock_pubkey_0"));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      success: false,
      status_code: 404,
      message: "PoS not found",
      data: null,
    });
  });

  it("serves a merchant with nothing sold yet", async () => {
    const mock = await start({ history: false });
    const { body } = await fetchPos(mock, "101");
    expect(body.data.sales).toEqual([]);
    expect(body.data.total_transactions).toBe(0);
    expect(body.data.total_revenue_sats).toBe("0");
    expect(body.data.products).toHaveLength(5);
  });
});

describe("other endpoints", () => {
  it("answers /health, and 404 JSON for anything else", async () => {
    const mock = await start();
    const health = await fetch(`${mock.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/health"],
      ["GET", "/admin/merchants/100/reset"],
      ["POST", "/user-pos/100"],
    ] as const) {
      const res = await fetch(`${mock.url}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not found" });
    }
  });

  it("lists merchants with ids, keys, names and served sales", async () => {
    const mock = await start();
    const res = await fetch(`${mock.url}/admin/merchants`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { id: string; public_key: string; name: string; sales: number }[];
    expect(list).toHaveLength(20);
    expect(list[0]).toMatchObject({ id: "100", public_key: "mock_pubkey_0", name: "Bitcoin Coffee" });
    expect(list.map((m) => m.name)).toEqual(PROFILES.map((p) => p.name));
    const truth = mock.groundTruth();
    expect(list.map((m) => m.sales)).toEqual(truth.merchants.map((m) => m.sales.length));
    expect(mock.merchants()[19]).toEqual({ id: "119", publicKey: "mock_pubkey_19", name: "24/7 Satoshi" });
  });

  it("resets a merchant: sales forgotten, products kept, ids keep rising", async () => {
    const mock = await start();
    mock.tick(HOUR);
    const before = await fetchPos(mock, "100");
    const maxId = Math.max(...before.body.data.sales.map((s) => s.SaleId));
    expect(before.body.data.sales.length).toBeGreaterThan(10);

    const res = await fetch(`${mock.url}/admin/merchants/100/reset`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", id: "100", forgotten: before.body.data.sales.length });

    const after = await fetchPos(mock, "100");
    expect(after.body.data.sales).toEqual([]);
    expect(after.body.data.total_revenue_sats).toBe("0");
    expect(after.body.data.products).toEqual(before.body.data.products);
    const list = (await (await fetch(`${mock.url}/admin/merchants`)).json()) as { sales: number }[];
    expect(list[0]?.sales).toBe(0);

    mock.tick(HOUR);
    const later = await fetchPos(mock, "100");
    expect(later.body.data.sales.length).toBeGreaterThan(10);
    expect(Math.min(...later.body.data.sales.map((s) => s.SaleId))).toBe(maxId + 1);

    const unknown = await fetch(`${mock.url}/admin/merchants/999/reset`, { method: "POST" });
    expect(unknown.status).toBe(404);
    await unknown.body?.cancel();
  });
});

describe("determinism and time", () => {
  async function bodies(mock: MockUpstream): Promise<string[]> {
    return Promise.all(mock.merchants().map(async (m) => (await fetchPos(mock, m.id)).raw));
  }

  it("serves identical bodies for the same seed and clock, different ones for another seed", async () => {
    const a = await start({ seed: 7 });
    const b = await start({ seed: 7 });
    const c = await start({ seed: 8 });
    for (const m of [a, b, c]) m.tick(30 * 60_000);
    const [ba, bb, bc] = await Promise.all([bodies(a), bodies(b), bodies(c)]);
    expect(ba).toEqual(bb);
    expect(bc).not.toEqual(ba);
    expect(bc.filter((x, i) => x !== ba[i]).length).toBeGreaterThan(15);
  });

  it("starts with a few dozen sales dated within the past hour", async () => {
    const mock = await start();
    const sales = mock.groundTruth().merchants.flatMap((m) => m.sales);
    expect(sales.length).toBeGreaterThanOrEqual(40);
    expect(sales.length).toBeLessThanOrEqual(60);
    const { body } = await fetchPos(mock, "119");
    for (const s of body.data.sales) {
      const t = Date.parse(s.SaleDate);
      expect(t).toBeLessThanOrEqual(NOW);
      expect(t).toBeGreaterThan(NOW - HOUR);
    }
    expect((await start({ history: false })).groundTruth().merchants.every((m) => m.sales.length === 0)).toBe(
      true,
    );
  });

  it("generates on its own timer with the real clock, dates never ahead, and stops generating on stop", async () => {
    const mock = await startMockUpstream({ intervalMs: 40, speed: 3000, history: false });
    started.push(mock);
    await new Promise((r) => setTimeout(r, 300));
    const count = () => mock.groundTruth().merchants.reduce((a, m) => a + m.sales.length, 0);
    const generated = count();
    expect(generated).toBeGreaterThan(50);
    const checkedAt = Date.now();
    for (const m of mock.groundTruth().merchants)
      for (const s of m.sales) expect(s.date).toBeLessThanOrEqual(checkedAt);
    await mock.stop();
    const afterStop = count();
    await new Promise((r) => setTimeout(r, 150));
    expect(count()).toBe(afterStop);
  });

  it("cycles the profiles for 45 merchants", async () => {
    const mock = await start({ merchants: 45 });
    const list = (await (await fetch(`${mock.url}/admin/merchants`)).json()) as {
      id: string;
      name: string;
    }[];
    expect(list).toHaveLength(45);
    expect(list[44]).toMatchObject({ id: "144", public_key: "mock_pubkey_44", name: "Bread & Bitcoin #3" });
    expect(list[20]).toMatchObject({ id: "120", name: "Bitcoin Coffee #2" });
    const { body } = await fetchPos(mock, "139");
    expect(body.data.name).toBe("24/7 Satoshi #2");
    expect(body.data.products).toHaveLength(50);
  });
});

describe("fault injection", () => {
  it("answers 500 to every /user-pos request with failRate 1, but not /health", async () => {
    const mock = await start({ failRate: 1 });
    for (const id of ["100", "101"]) {
      const res = await fetch(posUrl(mock, id));
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ success: false, status_code: 500 });
    }
    expect((await fetch(`${mock.url}/health`)).status).toBe(200);
    mock.setGlobalFaults({ failRate: 0 });
    expect((await fetch(posUrl(mock, "100"))).status).toBe(200);
    expect(() => mock.setGlobalFaults({ failRate: 2 })).toThrow(RangeError);
  });

  it("fails about the requested share of requests", async () => {
    const mock = await start({ failRate: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const res = await fetch(posUrl(mock, "101"));
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(70);
    expect(statuses.every((s) => s === 200 || s === 500)).toBe(true);
  });

  it("answers 200 with a non-JSON body with garbageRate 1", async () => {
    const mock = await start({ garbageRate: 1 });
    const res = await fetch(posUrl(mock, "100"));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it("adds latency globally and per merchant", async () => {
    const mock = await start({ latencyMs: 150 });
    let t = performance.now();
    await (await fetch(posUrl(mock, "100"))).text();
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    mock.setFault("100", { latencyMs: 0 });
    mock.setFault("101", { latencyMs: 400 });
    t = performance.now();
    await (await fetch(posUrl(mock, "100"))).text();
    expect(performance.now() - t).toBeLessThan(140);
    t = performance.now();
    await (await fetch(posUrl(mock, "101"))).text();
    expect(performance.now() - t).toBeGreaterThanOrEqual(390);
  });

  it("applies per-merchant status, garbage and envelope failures until cleared", async () => {
    const mock = await start();
    mock.setFault("100", { status: 503 });
    mock.setFault("102", { garbage: true });
    mock.setFault("103", { envelopeFailure: true });
    const r100 = await fetch(posUrl(mock, "100"));
    expect(r100.status).toBe(503);
    expect(await r100.json()).toMatchObject({ success: false, status_code: 503, data: null });
    const r102 = await fetch(posUrl(mock, "102"));
    expect(r102.status).toBe(200);
    const text = await r102.text();
    expect(() => JSON.parse(text)).toThrow();
    const r103 = await fetch(posUrl(mock, "103"));
    expect(r103.status).toBe(200);
    expect(await r103.json()).toMatchObject({ success: false, data: null });
    expect((await fetch(posUrl(mock, "101"))).status).toBe(200);
    mock.clearFault("100");
    expect((await fetch(posUrl(mock, "100"))).status).toBe(200);
    expect(() => mock.setFault("999", { hang: true })).toThrow(/unknown mock merchant/);
  });

  it("hangs one merchant without blocking the others, and still stops promptly", async () => {
    const mock = await startMockUpstream({ generate: false, now: () => NOW });
    mock.setFault("101", { hang: true });
    const hung = fetch(posUrl(mock, "101")).then(
      (res) => `answered ${res.status}`,
      () => "failed",
    );
    const other = await fetch(posUrl(mock, "100"));
    expect(other.status).toBe(200);
    await other.text();
    const raced = await Promise.race([hung, new Promise((r) => setTimeout(() => r("still waiting"), 200))]);
    expect(raced).toBe("still waiting");
    const t = performance.now();
    await mock.stop();
    expect(performance.now() - t).toBeLessThan(1000);
    expect(await hung).toBe("failed");
    await mock.stop(); // idempotent
  });
});

describe("bulk history", () => {
  it("serves 100,000 added sales consistently", async () => {
    const mock = await start({ history: false });
    const t = performance.now();
    mock.addHistory("105", 100_000, { spanMs: 7 * 24 * HOUR });
    expect(performance.now() - t).toBeLessThan(2000);
    const { body } = await fetchPos(mock, "105");
    expect(body.data.sales).toHaveLength(100_000);
    expect(body.data.total_transactions).toBe(100_000);
    expect(new Set(body.data.sales.map((s) => s.SaleId)).size).toBe(100_000);
    const truth = mock.groundTruth("105").merchants[0];
    const sum = truth?.sales.reduce((a, s) => a + s.amountSats, 0);
    expect(body.data.total_revenue_sats).toBe(String(sum));
    expect(body.data.sales.reduce((a, s) => a + Number(s.TotalCostSats), 0)).toBe(sum);
    const lines = truth?.sales.flatMap((s) => s.lines) ?? [];
    const units = body.data.products.reduce((a, p) => a + p.total_units_sold, 0);
    expect(units).toBe(lines.reduce((a, l) => a + l.quantity, 0));
    for (const s of body.data.sales) {
      const d = Date.parse(s.SaleDate);
      expect(d <= NOW && d > NOW - 7 * 24 * HOUR).toBe(true);
    }
  });

  it("serves the cached body again until the merchant changes", async () => {
    const mock = await start();
    const first = await fetchPos(mock, "100");
    const second = await fetchPos(mock, "100");
    expect(second.raw).toBe(first.raw);
    mock.addSale("100", { amountSats: 5 });
    const third = await fetchPos(mock, "100");
    expect(third.body.data.sales.length).toBe(first.body.data.sales.length + 1);
  });
});

describe("options", () => {
  it("rejects invalid options", async () => {
    await expect(startMockUpstream({ merchants: 0 })).rejects.toThrow(RangeError);
    await expect(startMockUpstream({ speed: 0 })).rejects.toThrow(RangeError);
    await expect(startMockUpstream({ failRate: 1.5 })).rejects.toThrow(RangeError);
    await expect(startMockUpstream({ intervalMs: -1 })).rejects.toThrow(RangeError);
    await expect(startMockUpstream({ seed: 1.5 })).rejects.toThrow(RangeError);
  });

  it("gives a URL with the chosen port", async () => {
    const mock = await start();
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
    expect(mock.port).toBeGreaterThan(0);
  });
});
