import { describe, expect, it } from "vitest";
import { burst, step } from "./confetti";

/** A deterministic stand-in for Math.random. */
function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0.5;
}

describe("confetti physics", () => {
  it("throws a burst upwards from its origin", () => {
    const particles = burst(20, 100, 500, 1, seq([0.1, 0.5, 0.9, 0.3]));
    expect(particles).toHaveLength(20);
    for (const p of particles) {
      expect(p.x).toBe(100);
      expect(p.y).toBe(500);
      expect(p.vy).toBeLessThan(0);
    }
  });

  it("applies gravity and drops particles that fell off the bottom", () => {
    const [p] = burst(1, 0, 100, 0, seq([0.5]));
    if (!p) throw new Error("no particle");
    const still = step([{ ...p, vy: 0 }], 1000);
    expect(still[0]?.vy).toBeGreaterThan(0);
    expect(step([{ ...p, y: 1100, vy: 5 }], 1000)).toEqual([]);
  });
});
