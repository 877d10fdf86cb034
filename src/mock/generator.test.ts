import { describe, expect, it } from "vitest";
import { Market } from "./generator.js";
import type { GroundTruth, MerchantTruth } from "./model.js";
import { PROFILES } from "./profiles.js";

const NOW = Date.UTC(2025, 7, 27, 18, 30, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function market(seed = 42, merchants = 20, now = () => NOW): Market {
  return new Market({ seed, merchants, now });
}

/** Recomputes every product statistic from the ground-truth sale lines. */
function expectStatsMatchLines(m: MerchantTruth): void {
  for (const p of m.products) {
    const lines = m.sales.flatMap((s) => s.lines).filter((l) => l.productId === p.productId);
    expect(p.totalTransactions).toBe(lines.length);
    expect(p.totalUnitsSold).toBe(lines.reduce((a, l) => a + l.quantity, 0));
    expect(p.totalRevenueSats).toBe(lines.reduce((a, l) => a + l.quantity * l.unitSats, 0));
    expect(p.totalRevenueFiat).toBeCloseTo(
      lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0),
      6,
    );
  }
}

function allSales(truth: GroundTruth) {
  return truth.merchants.flatMap((m) => m.sales);
}

describe("start-up history", () => {
  it("holds a few dozen sales over the past hour, never in the future, for many seeds", () => {
    for (let seed = 1; seed <= 25; seed++) {
      const mk = market(seed);
      mk.seedHistory();
      const sales = allSales(mk.truth());
      expect(sales.length).toBeGreaterThanOrEqual(40);
      expect(sales.length).toBeLessThanOrEqual(60);
      for (const s of sales) {
        expect(s.date).toBeLessThanOrEqual(NOW);
        expect(s.date).toBeGreaterThan(NOW - HOUR);
      }
    }
  });

  it("is proportional to the profile rates", () => {
    const counts = new Array(20).fill(0);
    for (let seed = 1; seed <= 20; seed++) {
      const mk = market(seed);
      mk.seedHistory();
      mk.truth().merchants.forEach((m, i) => {
        counts[i] += m.sales.length;
      });
    }
    // 24/7 Satoshi (3/min) against Bitcoin Electronics (0.05/min), over 20 seeds.
    expect(counts[19]).toBeGreaterThan(150);
    expect(counts[1]).toBeLessThan(15);
  });
});

describe("sales", () => {
  it("total exactly the sum of their lines, in whole sats, and sell only active products", () => {
    const mk = market();
    mk.seedHistory();
    mk.tick(3 * HOUR, 1);
    const truth = mk.truth();
    let productSales = 0;
    let anonymous = 0;
    for (const m of truth.merchants) {
      const active = new Set(m.products.filter((p) => p.active).map((p) => p.productId));
      for (const s of m.sales) {
        expect(Number.isInteger(s.amountSats)).toBe(true);
        expect(s.amountSats).toBeGreaterThan(0);
        expect(s.currency).toBe("usd");
        if (s.lines.length === 0) {
          anonymous++;
          continue;
        }
        productSales++;
        expect(s.amountSats).toBe(s.lines.reduce((a, l) => a + l.quantity * l.unitSats, 0));
        expect(s.fiatAmount).toBeCloseTo(
          s.lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0),
          6,
        );
        expect(new Set(s.lines.map((l) => l.productId)).size).toBe(s.lines.length);
        for (const l of s.lines) {
          expect(active.has(l.productId)).toBe(true);
          expect(Number.isInteger(l.unitSats)).toBe(true);
          expect(l.quantity).toBeGreaterThanOrEqual(1);
        }
      }
    }
    expect(productSales).toBeGreaterThan(500);
    expect(anonymous).toBeGreaterThan(500);
  });

  it("convert fiat at about 1,000 sats per dollar, drifting over time", () => {
    const mk = market();
    const rates = Array.from({ length: 48 }, (_, h) => mk.satsPerUsd(NOW + h * HOUR));
    for (const r of rates) {
      expect(r).toBeGreaterThan(950);
      expect(r).toBeLessThan(1050);
    }
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(20);
    const sale = mk.addSale("100", { amountSats: 977 });
    expect(sale.fiatAmount).toBeGreaterThan(0.9);
    expect(sale.fiatAmount).toBeLessThan(1.05);
  });

  it("number ids upwards in date order within a tick", () => {
    const mk = market();
    mk.tick(HOUR, 1);
    for (const m of mk.truth().merchants) {
      for (let i = 1; i < m.sales.length; i++) {
        const [prev, cur] = [m.sales[i - 1], m.sales[i]];
        expect(cur?.saleId).toBe((prev?.saleId ?? 0) + 1);
        expect(cur?.date).toBeGreaterThanOrEqual(prev?.date ?? 0);
      }
    }
  });
});

describe("product statistics", () => {
  it("equal the sums over every generated line, including sales forgotten by a reset", () => {
    const mk = market();
    mk.seedHistory();
    mk.tick(2 * HOUR, 1);
    const coffee = mk.truth("100").merchants[0] as MerchantTruth;
    const firstProduct = coffee.products.find((p) => p.active);
    mk.reset("100");
    mk.addSale("100", { lines: [{ productId: firstProduct?.productId ?? 0, quantity: 3 }] });
    mk.tick(HOUR, 1);
    for (const m of mk.truth().merchants) expectStatsMatchLines(m);
    const after = mk.truth("100").merchants[0] as MerchantTruth;
    expect(after.sales.filter((s) => !s.served).length).toBe(coffee.sales.length);
    const p = after.products.find((x) => x.productId === firstProduct?.productId);
    expect(p?.totalUnitsSold).toBeGreaterThanOrEqual((firstProduct?.totalUnitsSold ?? 0) + 3);
  });
});

describe("generation ticks", () => {
  it("follow each profile's rate over a long elapsed time", () => {
    const mk = market();
    const minutes = 600;
    expect(mk.tick(minutes * MINUTE, 1)).toBeGreaterThan(0);
    const truth = mk.truth();
    let total = 0;
    truth.merchants.forEach((m, i) => {
      const expected = (PROFILES[i]?.salesPerMinute ?? 0) * minutes;
      total += m.sales.length;
      const slack = expected >= 100 ? 0.3 : 0.6;
      expect(m.sales.length).toBeGreaterThan(expected * (1 - slack));
      expect(m.sales.length).toBeLessThan(expected * (1 + slack));
      for (const s of m.sales) {
        expect(s.date).toBeLessThanOrEqual(NOW);
        expect(s.date).toBeGreaterThan(NOW - minutes * MINUTE);
      }
    });
    expect(total).toBeGreaterThan(16.5 * minutes * 0.95);
    expect(total).toBeLessThan(16.5 * minutes * 1.05);
  });

  it("multiply the rate by speed but keep dates within the real elapsed time", () => {
    const mk = market();
    mk.tick(10 * MINUTE, 30);
    const sales = allSales(mk.truth());
    // 16.5 sales/min × 10 min × 30 ≈ 4950.
    expect(sales.length).toBeGreaterThan(4700);
    expect(sales.length).toBeLessThan(5200);
    for (const s of sales) {
      expect(s.date).toBeLessThanOrEqual(NOW);
      expect(s.date).toBeGreaterThan(NOW - 10 * MINUTE);
    }
  });

  it("let low-rate merchants sell eventually with short ticks", () => {
    const mk = market();
    for (let i = 0; i < 2000; i++) mk.tick(10_000, 1); // ~5.5 hours of 10 s ticks
    const electronics = mk.truth("101").merchants[0] as MerchantTruth;
    expect(electronics.sales.length).toBeGreaterThan(5);
    expect(electronics.sales.length).toBeLessThan(35);
  });

  it("give the anonymous and popular shares of the profile", () => {
    const mk = market();
    mk.tick(10_000 * MINUTE, 1);
    const gym = mk.truth("116").merchants[0] as MerchantTruth; // one line per basket: exact pick odds
    const profile = PROFILES[16];
    const anonymous = gym.sales.filter((s) => s.lines.length === 0).length / gym.sales.length;
    expect(anonymous).toBeCloseTo(profile?.anonymousShare ?? -1, 1);
    const lines = gym.sales.flatMap((s) => s.lines);
    const byProduct = new Map<number, number>();
    for (const l of lines) byProduct.set(l.productId, (byProduct.get(l.productId) ?? 0) + 1);
    const top = Math.max(...byProduct.values()) / lines.length; // gym: 6 active, top fifth = 1 product
    expect(top).toBeCloseTo(profile?.popularShare ?? -1, 1);
    expect(gym.products.filter((p) => !p.active).every((p) => p.totalTransactions === 0)).toBe(true);
  });
});

describe("determinism", () => {
  it("repeats everything for the same seed and clock, and differs for another seed", () => {
    const run = (seed: number) => {
      const mk = market(seed);
      mk.seedHistory();
      mk.tick(HOUR, 2);
      mk.addHistory("105", 500, HOUR);
      return mk.truth();
    };
    expect(run(42)).toEqual(run(42));
    expect(run(43)).not.toEqual(run(42));
  });

  it("keeps one merchant's data independent of another's bulk load", () => {
    const a = market();
    const b = market();
    b.addHistory("119", 5000, HOUR);
    a.tick(HOUR, 1);
    b.tick(HOUR, 1);
    expect(a.truth("100")).toEqual(b.truth("100"));
  });
});

describe("addSale", () => {
  it("records amount-only and product sales at the given date", () => {
    const mk = market();
    const amount = mk.addSale("100", { amountSats: 977, date: NOW - 5000 });
    expect(amount).toMatchObject({
      merchantId: "100",
      amountSats: 977,
      date: NOW - 5000,
      lines: [],
      served: true,
    });
    const product = mk.truth("100").merchants[0]?.products.find((p) => p.active);
    const sale = mk.addSale("100", { lines: [{ productId: product?.productId ?? 0, quantity: 2 }] });
    expect(sale.saleId).toBe(amount.saleId + 1);
    expect(sale.date).toBe(NOW);
    expect(sale.lines).toEqual([
      {
        productId: product?.productId,
        name: product?.name,
        quantity: 2,
        unitSats: Math.round(((product?.price ?? 0) * 100 * mk.satsPerUsd(NOW)) / 100),
        unitPrice: product?.price,
      },
    ]);
    expect(mk.addSale("100").saleId).toBe(sale.saleId + 1);
  });

  it("rejects future dates, bad amounts, unknown or inactive products and unknown merchants", () => {
    const mk = market();
    const products = mk.truth("100").merchants[0]?.products ?? [];
    const inactive = products.find((p) => !p.active);
    expect(inactive).toBeDefined();
    expect(() => mk.addSale("100", { date: NOW + 1 })).toThrow(RangeError);
    expect(() => mk.addSale("100", { amountSats: 0 })).toThrow(RangeError);
    expect(() => mk.addSale("100", { amountSats: 1.5 })).toThrow(RangeError);
    expect(() => mk.addSale("100", { lines: [] })).toThrow(RangeError);
    expect(() => mk.addSale("100", { lines: [{ productId: 1, quantity: 1 }] })).toThrow(/no product 1/);
    expect(() =>
      mk.addSale("100", { lines: [{ productId: inactive?.productId ?? 0, quantity: 1 }] }),
    ).toThrow(/inactive/);
    const active = products.find((p) => p.active);
    expect(() => mk.addSale("100", { lines: [{ productId: active?.productId ?? 0, quantity: 0 }] })).toThrow(
      /quantity/,
    );
    expect(() => mk.addSale("100", { amountSats: 5, lines: [] })).toThrow(/not both/);
    expect(() => mk.addSale("999")).toThrow(/unknown mock merchant/);
    expect(mk.truth().merchants.every((m) => m.sales.length === 0)).toBe(true);
  });
});

describe("reset", () => {
  it("hides served sales, keeps products and keeps ids rising", () => {
    const mk = market();
    mk.seedHistory();
    const before = mk.truth("100").merchants[0] as MerchantTruth;
    expect(before.sales.length).toBeGreaterThan(0);
    expect(mk.reset("100")).toBe(before.sales.length);
    expect(mk.reset("100")).toBe(0);
    expect(mk.truth("100").merchants[0]?.products).toEqual(before.products);
    const next = mk.addSale("100");
    expect(next.saleId).toBe((before.sales.at(-1)?.saleId ?? 0) + 1);
    const after = mk.truth("100").merchants[0] as MerchantTruth;
    expect(after.sales.map((s) => s.served)).toEqual([...before.sales.map(() => false), true]);
  });
});

describe("addHistory", () => {
  it("bulk-loads 100,000 consistent sales quickly", () => {
    const mk = market();
    const started = performance.now();
    expect(mk.addHistory("119", 100_000, 30 * 24 * HOUR)).toBe(100_000);
    expect(performance.now() - started).toBeLessThan(2000);
    const m = mk.truth("119").merchants[0] as MerchantTruth;
    expect(m.sales).toHaveLength(100_000);
    expectStatsMatchLines(m);
    expect(m.sales.every((s) => s.date <= NOW && s.date > NOW - 30 * 24 * HOUR)).toBe(true);
    expect(new Set(m.sales.map((s) => s.saleId)).size).toBe(100_000);
    const anonymous = m.sales.filter((s) => s.lines.length === 0).length / m.sales.length;
    expect(anonymous).toBeCloseTo(PROFILES[19]?.anonymousShare ?? -1, 1);
  });

  it("rejects bad counts and spans", () => {
    const mk = market();
    expect(() => mk.addHistory("100", -1, HOUR)).toThrow(RangeError);
    expect(() => mk.addHistory("100", 1.5, HOUR)).toThrow(RangeError);
    expect(() => mk.addHistory("100", 10, Number.NaN)).toThrow(RangeError);
    expect(mk.addHistory("100", 0, HOUR)).toBe(0);
  });
});

describe("merchant count", () => {
  it("cycles the 20 profiles for larger fleets", () => {
    const mk = market(42, 45);
    expect(mk.merchants).toHaveLength(45);
    expect(mk.merchants[20]).toMatchObject({
      id: "120",
      publicKey: "mock_pubkey_20",
      name: "Bitcoin Coffee #2",
    });
    expect(mk.merchants[20]?.profile).toBe(PROFILES[0]);
    expect(mk.merchants[44]?.profile).toBe(PROFILES[4]);
    const productIds = mk.merchants.flatMap((m) => m.catalogue.products.map((p) => p.id));
    expect(new Set(productIds).size).toBe(productIds.length);
  });
});

describe("saleIdOffset", () => {
  it("shifts every merchant's SaleIds by the offset and changes nothing else", () => {
    const plain = market();
    const shifted = new Market({ seed: 42, merchants: 20, now: () => NOW, saleIdOffset: 1_000_000 });
    plain.seedHistory();
    shifted.seedHistory();
    const a = plain.truth().merchants;
    const b = shifted.truth().merchants;
    expect(b.map((m) => m.products)).toEqual(a.map((m) => m.products));
    expect(allSales({ merchants: b }).map((s) => ({ ...s, saleId: s.saleId - 1_000_000 }))).toEqual(
      allSales({ merchants: a }),
    );
    expect(() => new Market({ seed: 42, merchants: 1, now: () => NOW, saleIdOffset: -1 })).toThrow(
      RangeError,
    );
  });
});
