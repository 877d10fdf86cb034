import { describe, expect, it } from "vitest";
import { newestOf } from "./newest-sales.js";
import type { IncomingSale } from "./poll-contents.js";

const sale = (saleId: number, date: number): IncomingSale => ({
  saleId,
  origin: "pos",
  date,
  amountSats: 1,
  fiatAmount: null,
  currency: null,
  lines: [],
});

describe("newestOf", () => {
  it("keeps the k newest, newest first, equal dates broken by the higher id, whatever the order given", () => {
    const sales = [sale(1, 10), sale(5, 30), sale(2, 30), sale(4, 20), sale(3, 30), sale(6, 5)];
    expect(newestOf(sales, 4).map((s) => s.saleId)).toEqual([5, 3, 2, 4]);
    expect(newestOf([...sales].reverse(), 4).map((s) => s.saleId)).toEqual([5, 3, 2, 4]);
  });

  it("returns all of them, sorted, when there are fewer than k", () => {
    expect(newestOf([sale(1, 1), sale(2, 3), sale(3, 2)], 10).map((s) => s.saleId)).toEqual([2, 3, 1]);
    expect(newestOf([], 10)).toEqual([]);
  });
});
