/**
 * The public API of a mixed event checked against the mocks' ground truth (mixed-truth.ts): totals,
 * rates and fiat per source and in all, merchant and product leaderboards (all time and windowed),
 * the ticker with each BTCPay and LNbits row's external_id, and the timeseries, each unfiltered and
 * with `?source=` for every source.
 */
import { expect } from "vitest";
import type {
  MerchantStanding,
  ProductStanding,
  Summary,
  TickerRow,
  Timeseries,
} from "../../src/contract/index.js";
import { MINUTE, type SourceName } from "./mixed-event.js";
import {
  type Expected,
  type ExpectedSale,
  fiatVolume,
  perMerchant,
  productsFromLines,
  round2,
  sortProducts,
} from "./mixed-truth.js";

export type Get = <T>(url: string) => Promise<T>;
const SOURCES: SourceName[] = ["pwf", "btcpay", "lnbits"];
const RATE_WINDOW_MS = 5 * MINUTE;

export async function checkAgainstTruth(get: Get, expected: Expected, now: number, label: string) {
  const all = expected.sales;
  expect(new Set(all.map((s) => s.key)).size, `${label}: truth keys are unique`).toBe(all.length);
  const summaries: Summary[] = [];
  for (const source of [undefined, ...SOURCES]) {
    const sales = source === undefined ? all : all.filter((s) => s.source === source);
    const q = source === undefined ? "" : `source=${source}`;
    const l = `${label} [${source ?? "all"}]`;
    summaries.push(await checkSummary(get, sales, now, q, l));
    await checkMerchants(get, sales, now, q, l);
    await checkTicker(get, sales, q, l);
    await checkProducts(get, expected, sales, now, q, l);
    await checkTimeseries(get, sales, now, q, l);
  }
  // The unfiltered figures are the sum of the sources'.
  const [total, ...parts] = summaries as [Summary, ...Summary[]];
  expect(total.total_transactions).toBe(parts.reduce((n, s) => n + s.total_transactions, 0));
  expect(total.total_volume_sats).toBe(parts.reduce((n, s) => n + s.total_volume_sats, 0));
  return total;
}

async function checkSummary(get: Get, sales: ExpectedSale[], now: number, q: string, l: string) {
  const summary = await get<Summary>(`/v1/summary?${q}`);
  expect(summary.total_transactions, l).toBe(sales.length);
  expect(summary.total_volume_sats, l).toBe(sales.reduce((n, s) => n + s.sats, 0));
  expect(summary.fiat_volume, `${l}: fiat per currency`).toEqual(fiatVolume(sales));
  const recent = sales.filter((s) => s.date >= now - RATE_WINDOW_MS);
  expect(summary.transactions_per_minute, `${l}: rate`).toBe(round2(recent.length / 5));
  expect(summary.volume_per_minute, `${l}: sats rate`).toBe(
    round2(recent.reduce((n, s) => n + s.sats, 0) / 5),
  );
  return summary;
}

async function checkMerchants(get: Get, sales: ExpectedSale[], now: number, q: string, l: string) {
  for (const [window, since] of [
    ["all", Number.NEGATIVE_INFINITY],
    ["1h", now - 60 * MINUTE],
  ] as const) {
    const board = await get<MerchantStanding[]>(`/v1/leaderboard/merchants?window=${window}&limit=1000&${q}`);
    const got = board
      .map((r) => ({ merchant_id: r.merchant_id, transactions: r.transactions, volume_sats: r.volume_sats }))
      .sort((a, b) => a.merchant_id.localeCompare(b.merchant_id));
    expect(got, `${l}: merchants window=${window}`).toEqual(
      perMerchant(sales.filter((s) => s.date >= since)),
    );
    for (let i = 1; i < board.length; i++)
      expect((board[i - 1]?.transactions ?? 0) >= (board[i]?.transactions ?? 0), `${l}: ranked`).toBe(true);
  }
}

async function checkTicker(get: Get, sales: ExpectedSale[], q: string, l: string) {
  const rows = await get<TickerRow[]>(`/v1/ticker?limit=1000&${q}`);
  const byKey = new Map(sales.map((s) => [s.key, s]));
  const keyOf = (r: TickerRow) => `${r.merchant_id}:${r.external_id ?? r.sale_id}`;
  expect(rows.map(keyOf).sort(), `${l}: ticker rows`).toEqual([...byKey.keys()].sort());
  for (const r of rows) {
    const s = byKey.get(keyOf(r));
    if (!s) continue;
    expect(r.source, `${l}: ${s.key}`).toBe(s.source);
    expect(r.amount_sats, `${l}: ${s.key}`).toBe(s.sats);
    expect(Date.parse(r.sale_date), `${l}: ${s.key} paid at`).toBe(s.date);
    expect(r.external_id, `${l}: ${s.key}`).toBe(s.externalId);
    if (s.saleId !== undefined) expect(r.sale_id).toBe(s.saleId);
    expect(Number.isSafeInteger(r.sale_id), `${l}: sale ids stay numbers`).toBe(true);
    expect(r.fiat_amount ?? null, `${l}: ${s.key} fiat`).toBe(s.fiat);
    expect(r.currency ?? null, `${l}: ${s.key} currency`).toBe(s.currency);
  }
  for (let i = 1; i < rows.length; i++)
    expect(
      Date.parse(rows[i - 1]?.sale_date ?? "") >= Date.parse(rows[i]?.sale_date ?? ""),
      `${l}: newest first`,
    ).toBe(true);
}

async function checkProducts(
  get: Get,
  expected: Expected,
  sales: ExpectedSale[],
  now: number,
  q: string,
  l: string,
) {
  const shape = (rows: ProductStanding[]) =>
    sortProducts(
      rows.map((r) => ({
        merchant_id: r.merchant_id,
        name: r.name,
        transactions: r.transactions,
        volume_sats: r.volume_sats,
      })),
    );
  // Windowed: every source recounted from its lines (PWF included).
  const windowed = await get<ProductStanding[]>(`/v1/leaderboard/products?window=1h&limit=1000&${q}`);
  const recent = sales.filter((s) => s.date >= now - 60 * MINUTE);
  expect(shape(windowed), `${l}: products window=1h`).toEqual(productsFromLines(recent));
  // All time: PWF's own cumulative figures; BTCPay and LNbits from their lines.
  const withPwf = q === "" || q === "source=pwf";
  const pwf = [...expected.pwfProducts.entries()].flatMap(([merchantId, products]) =>
    products
      .filter((p) => withPwf && p.active && p.totalTransactions > 0)
      .map((p) => ({
        merchant_id: merchantId,
        name: p.name,
        transactions: p.totalTransactions,
        volume_sats: p.totalRevenueSats,
      })),
  );
  const keyed = productsFromLines(sales.filter((s) => s.source !== "pwf"));
  const allTime = await get<ProductStanding[]>(`/v1/leaderboard/products?window=all&limit=1000&${q}`);
  expect(shape(allTime), `${l}: products window=all`).toEqual(sortProducts([...pwf, ...keyed]));
  for (const board of [windowed, allTime])
    for (let i = 1; i < board.length; i++)
      expect((board[i - 1]?.transactions ?? 0) >= (board[i]?.transactions ?? 0), `${l}: ranked`).toBe(true);
}

async function checkTimeseries(get: Get, sales: ExpectedSale[], now: number, q: string, l: string) {
  const series = await get<Timeseries>(`/v1/timeseries?window=60m&bucket=1m&${q}`);
  const want = new Map<number, { transactions: number; volume_sats: number }>();
  const first = Date.parse(series.buckets[0]?.start ?? "");
  for (const s of sales) {
    const start = Math.floor(s.date / MINUTE) * MINUTE;
    if (start < first || start > now) continue;
    const b = want.get(start) ?? { transactions: 0, volume_sats: 0 };
    b.transactions++;
    b.volume_sats += s.sats;
    want.set(start, b);
  }
  expect(series.buckets.length, l).toBe(60);
  const got = new Map(
    series.buckets
      .filter((b) => b.transactions > 0)
      .map((b) => [Date.parse(b.start), { transactions: b.transactions, volume_sats: b.volume_sats }]),
  );
  expect(got, `${l}: timeseries`).toEqual(want);
}
