import { describe, expect, it } from "vitest";
import { buildCatalogue, namesFor, nicePriceCents, pickWeighted, popularityWeights } from "./catalogue.js";
import { merchantIdentity, PROFILES } from "./profiles.js";
import { mulberry32 } from "./random.js";

describe("profiles", () => {
  it("are the spec's 20 merchants with their table figures", () => {
    expect(PROFILES).toHaveLength(20);
    expect(PROFILES.map((p) => p.name)).toEqual([
      "Bitcoin Coffee",
      "Bitcoin Electronics",
      "Lightning Bistro",
      "Satoshi's Bar",
      "Bread & Bitcoin",
      "Bitcoin Books",
      "Lightning Tacos",
      "Bitcoin Threads",
      "Bolt & Satoshi",
      "Frozen Sats",
      "Fresh Squeeze ₿",
      "PlayBTC",
      "HealthChain Pharmacy",
      "Pizza Lightning",
      "Bloom & Bitcoin",
      "Two Wheels One Chain",
      "Proof of Workout",
      "Trim the Chain",
      "Paws & Sats",
      "24/7 Satoshi",
    ]);
    expect(PROFILES.map((p) => p.products)).toEqual([
      8, 5, 15, 12, 10, 20, 6, 25, 30, 8, 10, 35, 40, 12, 18, 15, 8, 6, 28, 50,
    ]);
    expect(PROFILES.map((p) => p.salesPerMinute)).toEqual([
      2.0, 0.05, 0.8, 1.2, 0.6, 0.3, 1.5, 0.15, 0.4, 2.5, 0.9, 0.25, 0.5, 1.0, 0.2, 0.1, 0.3, 0.4, 0.35, 3.0,
    ]);
    expect(PROFILES[1]).toMatchObject({ priceMin: 150, priceMax: 900 });
    expect(PROFILES[19]).toMatchObject({ priceMin: 0.6, priceMax: 10 });
    for (const p of PROFILES) {
      for (const share of [p.anonymousShare, p.activeShare, p.popularShare]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
    }
  });

  it("cycles identities past the 20th merchant", () => {
    expect(merchantIdentity(0)).toMatchObject({
      id: "100",
      publicKey: "mock_pubkey_0",
      name: "Bitcoin Coffee",
    });
    expect(merchantIdentity(19)).toMatchObject({
      id: "119",
      publicKey: "mock_pubkey_19",
      name: "24/7 Satoshi",
    });
    expect(merchantIdentity(20)).toMatchObject({
      id: "120",
      publicKey: "mock_pubkey_20",
      name: "Bitcoin Coffee #2",
    });
    expect(merchantIdentity(44)).toMatchObject({ id: "144", name: "Bread & Bitcoin #3" });
  });
});

describe("catalogue", () => {
  it("has enough distinct names for every profile", () => {
    for (const p of PROFILES) {
      const names = namesFor(p.kind);
      expect(new Set(names).size).toBe(names.length);
      expect(names.length).toBeGreaterThanOrEqual(p.products);
    }
  });

  it("builds each profile's catalogue inside its price range with the right active share", () => {
    for (const [i, profile] of PROFILES.entries()) {
      const c = buildCatalogue(mulberry32(i), profile, 1000);
      expect(c.products).toHaveLength(profile.products);
      expect(c.products.map((p) => p.id)).toEqual(
        Array.from({ length: profile.products }, (_, k) => 1000 + k),
      );
      for (const p of c.products) {
        expect(Number.isInteger(p.priceCents)).toBe(true);
        expect(p.priceCents).toBeGreaterThanOrEqual(Math.ceil(profile.priceMin * 100));
        expect(p.priceCents).toBeLessThanOrEqual(Math.floor(profile.priceMax * 100));
      }
      const active = c.products.filter((p) => p.active).length;
      expect(active).toBe(Math.max(1, Math.round(profile.products * profile.activeShare)));
      expect([...c.active].sort((a, b) => a - b)).toEqual(
        c.products.filter((p) => p.active).map((p) => p.index),
      );
      expect(c.cumulative).toHaveLength(active);
    }
  });

  it("rounds prices the way shops print them", () => {
    expect(nicePriceCents(1.234, 1, 4)).toBe(125);
    expect(nicePriceCents(23.3, 10, 40)).toBe(2350);
    expect(nicePriceCents(152, 150, 900)).toBe(15000);
    expect(nicePriceCents(447, 150, 900)).toBe(44499);
    expect(nicePriceCents(0.5, 0.6, 10)).toBe(60);
  });

  it("gives the top fifth the popular share of picks", () => {
    const w = popularityWeights(10, 0.7);
    expect(w[1]).toBeCloseTo(0.7);
    expect(w[9]).toBe(1);
    const counts = new Array(10).fill(0);
    const rng = mulberry32(2);
    for (let i = 0; i < 20000; i++) counts[pickWeighted(w, rng())]++;
    expect((counts[0] + counts[1]) / 20000).toBeGreaterThan(0.68);
    expect((counts[0] + counts[1]) / 20000).toBeLessThan(0.72);
    expect(popularityWeights(1, 0.5)[0]).toBe(1);
    expect(pickWeighted(popularityWeights(3, 0.5), 0.9999)).toBe(2);
  });
});
