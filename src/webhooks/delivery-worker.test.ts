import { describe, expect, it } from "vitest";
import { retryDelay } from "./delivery-worker.js";

const DEFAULTS = { timeoutMs: 10_000, retryBaseMs: 2000, retryCapMs: 300_000, maxAttempts: 10 };

describe("retryDelay (full jitter, capped)", () => {
  it("waits at most the base before the first retry, doubling the ceiling each attempt", () => {
    const top = () => 0.999_999;
    expect(retryDelay(1, DEFAULTS, top)).toBe(1999);
    expect(retryDelay(2, DEFAULTS, top)).toBe(3999);
    expect(retryDelay(5, DEFAULTS, top)).toBe(31_999);
    expect(retryDelay(1, DEFAULTS, () => 0)).toBe(0);
    expect(retryDelay(1, DEFAULTS, () => 0.5)).toBe(1000);
  });

  it("never waits past the cap, however many attempts", () => {
    for (const attempts of [9, 10, 50, 1000])
      expect(retryDelay(attempts, DEFAULTS, () => 0.999_999)).toBe(299_999);
  });
});
