import { describe, expect, it } from "vitest";
import { splitAtStoredMax } from "./new-sales.js";
import type { IncomingSale } from "./poll-contents.js";

const sales = (...ids: number[]): IncomingSale[] =>
  ids.map((saleId) => ({
    saleId,
    origin: "pos",
    date: 0,
    amountSats: 1,
    fiatAmount: null,
    currency: null,
    lines: [],
  }));

describe("splitAtStoredMax", () => {
  it("puts ids above the highest stored one apart, and sums up the block below it", () => {
    const split = splitAtStoredMax(sales(9, 4, 7, 12, 5, 11), 9);
    expect(split.newer.map((s) => s.saleId)).toEqual([12, 11]);
    expect(split.older.map((s) => s.saleId)).toEqual([9, 4, 7, 5]);
    expect(split.lowestOlderId).toBe(4);
    expect(split.olderIdSum).toBe(25);
  });

  it("leaves nothing older when every id is above the stored ones", () => {
    const split = splitAtStoredMax(sales(3, 2), 1);
    expect(split.older).toEqual([]);
    expect(split.newer).toHaveLength(2);
  });
});
