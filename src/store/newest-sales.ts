import type { IncomingSale } from "./poll-contents.js";

/** Screens show a few dozen sales; a first poll of a long history would otherwise map every one. */
export const NEWEST_SALES_KEPT = 100;

/** Newer first: later date, then higher id. */
const newerFirst = (a: IncomingSale, b: IncomingSale) => b.date - a.date || b.saleId - a.saleId;

/** The `k` newest sales, newest first, in one pass: sorting a million sales to keep a hundred took a second. */
export function newestOf<T extends IncomingSale>(sales: readonly T[], k: number): T[] {
  const top: T[] = [];
  for (const s of sales) {
    const last = top[top.length - 1];
    if (top.length === k && last && newerFirst(s, last) >= 0) continue;
    let i = top.length;
    while (i > 0 && newerFirst(s, top[i - 1] as IncomingSale) < 0) i--;
    top.splice(i, 0, s);
    if (top.length > k) top.pop();
  }
  return top;
}
