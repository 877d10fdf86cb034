import { describe, expect, it } from "vitest";
import { compareProducts, freshness } from "./verdicts.js";

const S = 1000;
const base = { polled: true, failing: false, now: 1_000_000, effectiveIntervalMs: 30 * S };

describe("freshness", () => {
  it("is fresh up to twice the interval, late up to four times, stale beyond", () => {
    const at = (ageMs: number) => freshness({ ...base, lastPolledAt: base.now - ageMs });
    expect(at(0)).toBe("fresh");
    expect(at(60 * S)).toBe("fresh");
    expect(at(60 * S + 1)).toBe("late");
    expect(at(120 * S)).toBe("late");
    expect(at(120 * S + 1)).toBe("stale");
  });

  it("measures against the effective interval, so a backoff widens every bound", () => {
    const f = (ageMs: number, effectiveIntervalMs: number) =>
      freshness({ ...base, lastPolledAt: base.now - ageMs, effectiveIntervalMs });
    expect(f(150 * S, 30 * S)).toBe("stale");
    expect(f(150 * S, 90 * S)).toBe("fresh");
  });

  it("is never fresh while the latest poll failed, however recent the last success", () => {
    expect(freshness({ ...base, failing: true, lastPolledAt: base.now })).toBe("late");
    expect(freshness({ ...base, failing: true, lastPolledAt: base.now - 121 * S })).toBe("stale");
  });

  it("says never before a first success, and not_polled for what the poller does not read", () => {
    expect(freshness({ ...base, lastPolledAt: null })).toBe("never");
    expect(freshness({ ...base, failing: true, lastPolledAt: null })).toBe("never");
    expect(freshness({ ...base, polled: false, lastPolledAt: null })).toBe("not_polled");
    expect(freshness({ ...base, polled: false, lastPolledAt: 0 })).toBe("not_polled");
  });

  it("takes a poll stamped after the clock (another machine's) as just now", () => {
    expect(freshness({ ...base, lastPolledAt: base.now + 5 * S })).toBe("fresh");
  });
});

const p = (productId: number, transactions: number, revenueSats: number, name = `P${productId}`) => ({
  productId,
  name,
  transactions,
  revenueSats,
});

describe("compareProducts", () => {
  it("agrees when every product has the same figures on both sides, whatever the order", () => {
    const c = compareProducts([p(1, 3, 300), p(2, 0, 0)], [p(2, 0, 0, ""), p(1, 3, 300, "")]);
    expect(c).toEqual({
      verdict: "agree",
      compared: 2,
      differences: [],
      transactionsDifference: 0,
      revenueSatsDifference: 0,
    });
  });

  it("agrees on nothing sold anywhere", () => {
    expect(compareProducts([], [])).toMatchObject({ verdict: "agree", compared: 0 });
    expect(compareProducts([p(1, 0, 0)], [])).toMatchObject({ verdict: "agree", compared: 1 });
  });

  it("disagrees with stored minus source summed, and lists each differing product, largest sats gap first", () => {
    const c = compareProducts(
      [p(1, 5, 500), p(2, 2, 9000), p(3, 1, 100)],
      [p(1, 4, 400, ""), p(2, 2, 8000, ""), p(3, 1, 100, "")],
    );
    expect(c.verdict).toBe("disagree");
    expect(c.transactionsDifference).toBe(-1);
    expect(c.revenueSatsDifference).toBe(-1100);
    expect(c.differences.map((d) => [d.productId, d.name, d.source, d.stored])).toEqual([
      [2, "P2", { transactions: 2, revenueSats: 9000 }, { transactions: 2, revenueSats: 8000 }],
      [1, "P1", { transactions: 5, revenueSats: 500 }, { transactions: 4, revenueSats: 400 }],
    ]);
  });

  it("counts a product on one side only as zero on the other", () => {
    const c = compareProducts([p(1, 1, 10)], [p(1, 1, 10, ""), p(9, 2, 50, "")]);
    expect(c).toMatchObject({
      verdict: "disagree",
      compared: 2,
      transactionsDifference: 2,
      revenueSatsDifference: 50,
    });
    expect(c.differences).toEqual([
      {
        productId: 9,
        name: "",
        source: { transactions: 0, revenueSats: 0 },
        stored: { transactions: 2, revenueSats: 50 },
      },
    ]);
    expect(compareProducts([p(4, 1, 10)], [])).toMatchObject({
      verdict: "disagree",
      revenueSatsDifference: -10,
    });
  });

  it("a difference in transactions alone is a disagreement", () => {
    expect(compareProducts([p(1, 2, 10)], [p(1, 1, 10, "")])).toMatchObject({
      verdict: "disagree",
      transactionsDifference: -1,
      revenueSatsDifference: 0,
    });
  });
});
