import { describe, expect, it } from "vitest";
import { deriveSeed, intBetween, mulberry32, poisson, shuffle, stochasticRound, stream } from "./random.js";

describe("random", () => {
  it("repeats a stream for the same seed and differs for another", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it("derives independent seeds from labels", () => {
    expect(deriveSeed(42, "merchant", 1)).toBe(deriveSeed(42, "merchant", 1));
    expect(deriveSeed(42, "merchant", 1)).not.toBe(deriveSeed(42, "merchant", 2));
    expect(deriveSeed(42, "merchant", 1)).not.toBe(deriveSeed(7, "merchant", 1));
    expect(stream(1, "x")()).toBe(stream(1, "x")());
  });

  it("draws integers inside inclusive bounds, reaching both ends", () => {
    const rng = mulberry32(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(intBetween(rng, 3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it("gives Poisson counts with the requested mean, for small and large means", () => {
    const rng = mulberry32(9);
    for (const lambda of [0.05, 2, 400]) {
      let sum = 0;
      const n = 4000;
      for (let i = 0; i < n; i++) sum += poisson(rng, lambda);
      expect(sum / n).toBeGreaterThan(lambda * 0.9);
      expect(sum / n).toBeLessThan(lambda * 1.1);
    }
    expect(poisson(rng, 0)).toBe(0);
  });

  it("rounds stochastically to the right average", () => {
    const rng = mulberry32(5);
    let sum = 0;
    for (let i = 0; i < 10000; i++) sum += stochasticRound(rng, 0.15);
    expect(sum / 10000).toBeGreaterThan(0.13);
    expect(sum / 10000).toBeLessThan(0.17);
  });

  it("shuffles into a permutation", () => {
    const out = shuffle(mulberry32(3), [1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...out].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
