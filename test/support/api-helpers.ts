import { expect } from "vitest";
import { applyPoll, type PollResult } from "../../src/store/poll-transaction.js";
import { parsePosPayload } from "../../src/upstream/payload.js";
import type { TestApp } from "./app.js";
import { posBody, saleRow } from "./upstream.js";

/**
 * Helpers for the HTTP API tests: sales go in through the real ingest path (literal upstream JSON →
 * parsePosPayload → applyPoll), everything else through the real routes via inject().
 */

type Json = Record<string, unknown>;

/** One upstream sale line, as the real `Products` array of a sale carries it. */
export function line(productId: number, name: string, quantity: number, unitSats: number): Json {
  return {
    ProductID: productId,
    ProductName: name,
    ProductPrice: unitSats / 1000,
    ProductPriceSats: unitSats,
    Quantity: quantity,
    ProductCurrency: "usd",
  };
}

/** One upstream catalogue row with cumulative figures (`total_revenue_sats` as the upstream's string). */
export function product(
  id: number,
  name: string,
  totalTransactions: number,
  totalRevenueSats: string,
  opts: { active?: boolean; deleted?: boolean; unitsSold?: number } = {},
): Json {
  return {
    productid: id,
    name,
    currency: "usd",
    price: "1.00",
    total_transactions: totalTransactions,
    total_units_sold: opts.unitsSold ?? totalTransactions,
    total_revenue_sats: totalRevenueSats,
    activestatus: opts.active ?? true,
    deleted: opts.deleted ?? false,
  };
}

/** A sale row; fiat defaults to saleRow's (sats / 1000 in usd), or is given with its currency. */
export function sale(
  id: number,
  sats: number,
  date: string,
  lines: unknown[] = [],
  fiat?: { currency: string; amount: string },
): Json {
  const row = saleRow(id, sats, date, lines) as Json;
  return fiat ? { ...row, Currency: fiat.currency, TotalCostCurrency: fiat.amount } : row;
}

/** Stores a poll of one merchant exactly as the poller would, at the test clock's time. */
export async function ingest(
  t: TestApp,
  merchantId: string,
  sales: unknown[],
  products: unknown[] = [],
): Promise<PollResult | undefined> {
  return applyPoll(t.store.db, merchantId, parsePosPayload(posBody(sales, products)), t.clock.now);
}

export async function get(
  t: TestApp,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await t.app.inject({ method: "GET", url, headers });
  return { status: res.statusCode, body: res.json() };
}

/** A request with a JSON body (or none), authenticated as admin unless other headers are given. */
export async function send(
  t: TestApp,
  method: "POST" | "PUT" | "DELETE",
  url: string,
  payload?: object,
  headers: Record<string, string> = t.auth,
): Promise<{ status: number; body: unknown; raw: string }> {
  const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  return {
    status: res.statusCode,
    body: res.body === "" ? undefined : res.json(),
    raw: res.body,
  };
}

export async function addMerchant(
  t: TestApp,
  id: string,
  alias: string,
  extra: { enabled?: boolean; public_key?: string } = {},
): Promise<void> {
  const res = await send(t, "POST", "/v1/admin/merchants", {
    id,
    public_key: extra.public_key ?? `pk-${id}`,
    alias,
    ...(extra.enabled === undefined ? {} : { enabled: extra.enabled }),
  });
  expect(res.status).toBe(201);
}

export async function addMilestone(
  t: TestApp,
  body: { name: string; type: string; threshold: number; enabled?: boolean },
): Promise<number> {
  const res = await send(t, "POST", "/v1/admin/milestones", body);
  expect(res.status).toBe(201);
  return (res.body as { id: number }).id;
}

/** Asserts an error answer: the status, a JSON content type, and a body that is exactly `{error}`. */
export function expectError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  message: string | RegExp,
): void {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as unknown;
  expect(body).toEqual({ error: typeof message === "string" ? message : expect.stringMatching(message) });
}

/** An epoch-milliseconds instant written as the upstream writes SaleDate (microseconds, `+00:00`). */
export function upstreamDate(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000+00:00");
}
