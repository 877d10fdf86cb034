import { describe, expect, it } from "vitest";
import {
  bucketOf,
  HOUR_MS,
  MINUTE_MS,
  nextBoundary,
  productSalesPerBucket,
  salesPerBucket,
} from "./buckets.js";

const T = Date.parse("2025-11-10T12:00:00Z");
const line = (productId: number, quantity: number, unitSats: number) => ({ productId, quantity, unitSats });

describe("rollup buckets", () => {
  it("floor dates into buckets (before 1970 too) and find the next boundary at or after a date", () => {
    expect(bucketOf(T + 59 * MINUTE_MS, HOUR_MS)).toBe(T);
    expect(bucketOf(-1, HOUR_MS)).toBe(-HOUR_MS);
    expect(nextBoundary(T, HOUR_MS)).toBe(T);
    expect(nextBoundary(T + 1, MINUTE_MS)).toBe(T + MINUTE_MS);
  });

  it("count sales and sats per bucket", () => {
    const sales = [
      { date: T, amountSats: 5 },
      { date: T + HOUR_MS - 1, amountSats: 7 },
      { date: T + HOUR_MS, amountSats: 1 },
    ];
    expect([...salesPerBucket(sales, HOUR_MS)]).toEqual([
      [T, { transactions: 2, volumeSats: 12 }],
      [T + HOUR_MS, { transactions: 1, volumeSats: 1 }],
    ]);
  });

  it("count a sale once per product it contains, and round each line's sats on its own", () => {
    const sales = [
      { date: T, lines: [line(1, 1, 10), line(1, 0.5, 3), line(2, 2, 4)] },
      { date: T + 30 * MINUTE_MS, lines: [line(1, 1, 1)] },
      { date: T + 61 * MINUTE_MS, lines: [] },
      { date: T + 62 * MINUTE_MS, lines: [line(2, 1, 9)] },
    ];
    expect(productSalesPerBucket(sales, HOUR_MS)).toEqual([
      { bucket: T, productId: 1, transactions: 2, volumeSats: 10 + 2 + 1 },
      { bucket: T, productId: 2, transactions: 1, volumeSats: 8 },
      { bucket: T + HOUR_MS, productId: 2, transactions: 1, volumeSats: 9 },
    ]);
    expect(productSalesPerBucket(sales, MINUTE_MS).map((p) => p.bucket)).toEqual([
      T,
      T,
      T + 30 * MINUTE_MS,
      T + 62 * MINUTE_MS,
    ]);
  });
});
