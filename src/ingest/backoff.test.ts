import { describe, expect, it } from "vitest";
import { backoffCeilingMs, backoffDelayMs, MAX_BACKOFF_MS } from "./backoff.js";

describe("backoffDelayMs", () => {
  it("retries on the next cycle after the first failure", () => {
    expect(backoffDelayMs(1, 30_000, () => 1)).toBe(0);
  });

  it("doubles per failure, with jitter between half and all of it", () => {
    expect(backoffDelayMs(2, 10_000, () => 0.999999)).toBe(20_000);
    expect(backoffDelayMs(3, 10_000, () => 0.999999)).toBe(40_000);
    expect(backoffDelayMs(3, 10_000, () => 0)).toBe(20_000);
  });

  it("is capped", () => {
    expect(backoffDelayMs(50, 10_000, () => 0.999999)).toBe(MAX_BACKOFF_MS);
    // A poll interval longer than the cap is never shortened.
    expect(backoffDelayMs(50, 600_000, () => 0.999999)).toBe(600_000);
  });
});

describe("backoffCeilingMs", () => {
  it("is the top of backoffDelayMs's jitter: none for one failure, doubling, capped", () => {
    expect(backoffCeilingMs(0, 30_000)).toBe(0);
    expect(backoffCeilingMs(1, 30_000)).toBe(0);
    expect(backoffCeilingMs(2, 30_000)).toBe(60_000);
    expect(backoffCeilingMs(50, 30_000)).toBe(MAX_BACKOFF_MS);
    for (const failures of [2, 3, 4, 9])
      expect(backoffDelayMs(failures, 10_000, () => 0.999999)).toBe(backoffCeilingMs(failures, 10_000));
  });
});
