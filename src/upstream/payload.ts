/**
 * Parses the PayWithFlash `/user-pos` answer as it really comes (see shared/spec/upstream-paywithflash.md):
 * mixed key styles, numbers as strings or numbers, zone-less dates meaning UTC, extra fields anywhere.
 * A bad row is skipped and reported, never the whole payload; only a bad envelope fails the poll.
 * It produces the store's poll contents (store/poll-contents.ts), which every point-of-sale source writes.
 */
import type { IncomingSale, PollContents, ProductFigures, SaleLine } from "../store/poll-contents.js";

import { storableText } from "../store/storable-text.js";
import { parseInstant } from "../time/instant.js";
import { SeenSaleIds } from "./seen-sale-ids.js";

export type { UnchangedPoll } from "../store/poll-contents.js";

export interface SkippedRow {
  kind: "sale" | "sale line" | "product";
  id: string;
  reason: string;
}

/** The poll's contents in the store's words, with the rows that could not be read. */
export interface ParsedPoll extends PollContents {
  /** The first MAX_KEPT_SKIPS of them. */
  skipped: SkippedRow[];
  skippedCount: number;
}

/**
 * Enough skipped rows for the log (which shows ten) and a test's look at them: an answer of nothing
 * but malformed rows, a gigabyte of `{},`, would otherwise keep a record of each of its half-billion.
 */
export const MAX_KEPT_SKIPS = 1000;

/** The rows a parse skipped: the first MAX_KEPT_SKIPS kept, all of them counted. */
export class SkippedRows {
  readonly rows: SkippedRow[] = [];
  count = 0;

  push(row: SkippedRow): void {
    this.count++;
    if (this.rows.length < MAX_KEPT_SKIPS) this.rows.push(row);
  }
}

/** The envelope itself is unusable: the poll failed. */
export class PayloadError extends Error {}

export type Obj = Record<string, unknown>;

export function parsePosPayload(body: unknown): ParsedPoll {
  const data = envelopeData(body);
  const reader = new SaleReader();
  const sales: IncomingSale[] = [];
  for (const raw of arrayField(data, "sales")) {
    const sale = reader.read(raw);
    if (sale !== null) sales.push(sale);
  }
  const products = readProducts(data, reader.skipped);
  return { sales, products, skipped: reader.skipped.rows, skippedCount: reader.skipped.count };
}

/** The envelope's `data` object; a failure envelope, or one without data, fails the poll. */
export function envelopeData(body: unknown): Obj {
  if (!isObj(body)) throw new PayloadError("upstream body is not a JSON object");
  const success = field(body, "success");
  if (success === false || success === "false") {
    const message = field(body, "message");
    throw new PayloadError(
      `upstream reported failure: ${typeof message === "string" ? message : "no message"}`,
    );
  }
  const data = field(body, "data");
  if (!isObj(data)) throw new PayloadError("upstream body has no data object");
  return data;
}

/**
 * Reads a payload's sales one by one, in payload order, with the rows it skipped: the whole list at
 * once (parsePosPayload) or as a streamed body delivers them (streamed-payload.ts), to the same result.
 */
export class SaleReader {
  readonly skipped = new SkippedRows();
  private readonly seen = new SeenSaleIds();

  /** The sale, or null when the row is skipped (and recorded in `skipped`). */
  read(raw: unknown): IncomingSale | null {
    const sale = parseSale(raw, this.skipped);
    if (sale === null) return null;
    // A payload repeating a sale id would otherwise reach the unique index twice in one insert.
    if (!this.seen.add(sale.saleId)) {
      this.skipped.push({ kind: "sale", id: String(sale.saleId), reason: "duplicate SaleId in payload" });
      return null;
    }
    return sale;
  }
}

/** The data object's products, each product id once; bad rows join `skipped`. */
export function readProducts(data: Obj, skipped: SkippedRows): ProductFigures[] {
  const products: ProductFigures[] = [];
  const seenProducts = new Set<number>();
  for (const raw of arrayField(data, "products")) {
    const product = parseProduct(raw, skipped);
    if (product === null || seenProducts.has(product.productId)) continue;
    seenProducts.add(product.productId);
    products.push(product);
  }
  return products;
}

function parseSale(raw: unknown, skipped: SkippedRows): IncomingSale | null {
  if (!isObj(raw)) {
    skipped.push({ kind: "sale", id: "?", reason: "not an object" });
    return null;
  }
  // Called once per sale of every poll (a million for a long history): no closures or strings
  // unless a row is actually skipped.
  const rawId = field(raw, "SaleId");
  const saleId = toWholeNumber(rawId);
  if (saleId === null) return rejectSale(skipped, displayId(rawId), "SaleId is not a whole number");
  const date = parseInstant(field(raw, "SaleDate"));
  if (date === null) return rejectSale(skipped, String(saleId), "SaleDate is not a date");
  const amountSats = toSats(field(raw, "TotalCostSats"));
  if (amountSats === null)
    return rejectSale(skipped, String(saleId), "TotalCostSats is not a non-negative number");

  const lines: SaleLine[] = [];
  const rawLines = field(raw, "Products");
  if (Array.isArray(rawLines)) {
    for (const rawLine of rawLines) {
      const line = parseLine(rawLine);
      if (typeof line === "string") skipped.push({ kind: "sale line", id: String(saleId), reason: line });
      else lines.push(line);
    }
  }
  return {
    saleId,
    origin: toLowerTrimmed(field(raw, "SaleOrigin")) ?? "unknown",
    date,
    amountSats,
    fiatAmount: toDecimal(field(raw, "TotalCostCurrency")),
    currency: toLowerTrimmed(field(raw, "Currency")),
    lines,
  };
}

function rejectSale(skipped: SkippedRows, id: string, reason: string): null {
  skipped.push({ kind: "sale", id, reason });
  return null;
}

function parseLine(raw: unknown): SaleLine | string {
  if (!isObj(raw)) return "line is not an object";
  const productId = toWholeNumber(field(raw, "ProductID"));
  if (productId === null) return "ProductID is not a whole number";
  const quantity = toDecimal(field(raw, "Quantity"));
  if (quantity === null || quantity <= 0) return `product ${productId}: Quantity is not a positive number`;
  const unitSats = toSats(field(raw, "ProductPriceSats"));
  if (unitSats === null) return `product ${productId}: ProductPriceSats is not a non-negative number`;
  const name = field(raw, "ProductName");
  return { productId, name: typeof name === "string" ? storableText(name) : "", quantity, unitSats };
}

function parseProduct(raw: unknown, skipped: SkippedRows): ProductFigures | null {
  if (!isObj(raw)) {
    skipped.push({ kind: "product", id: "?", reason: "not an object" });
    return null;
  }
  const rawId = field(raw, "productid");
  const productId = toWholeNumber(rawId);
  const reject = (reason: string): null => {
    skipped.push({ kind: "product", id: productId === null ? displayId(rawId) : String(productId), reason });
    return null;
  };
  if (productId === null) return reject("productid is not a whole number");
  const totalTransactions = toSats(field(raw, "total_transactions"));
  const totalUnitsSold = toSats(field(raw, "total_units_sold") ?? 0);
  const totalRevenueSats = toSats(field(raw, "total_revenue_sats"));
  if (totalTransactions === null) return reject("total_transactions is not a non-negative number");
  if (totalUnitsSold === null) return reject("total_units_sold is not a non-negative number");
  if (totalRevenueSats === null) return reject("total_revenue_sats is not a non-negative number");
  const name = field(raw, "name");
  const price = field(raw, "price");
  return {
    productId,
    name: typeof name === "string" ? storableText(name) : "",
    currency: toLowerTrimmed(field(raw, "currency")),
    price: typeof price === "string" ? storableText(price) : typeof price === "number" ? String(price) : null,
    totalTransactions,
    totalUnitsSold,
    totalRevenueSats,
    active: toBool(field(raw, "activestatus"), true),
    deleted: toBool(field(raw, "deleted"), false),
  };
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads a field by its documented name, falling back to the same name in another case or with
 * underscores (`SaleId`, `sale_id`, `saleId`), since the upstream mixes key styles.
 */
export function field(o: Obj, name: string): unknown {
  if (name in o) return o[name];
  const want = normaliseKey(name);
  for (const key of Object.keys(o)) if (normaliseKey(key) === want) return o[key];
  return undefined;
}

export function normaliseKey(k: string): string {
  return k.replaceAll("_", "").toLowerCase();
}

export function arrayField(o: Obj, name: string): unknown[] {
  const v = field(o, name);
  return Array.isArray(v) ? v : [];
}

const DECIMAL = /^\+?(\d+(\.\d*)?|\.\d+)$/;

/** A non-negative number from a JSON number or a numeric string; null when it is neither. */
export function toDecimal(v: unknown): number | null {
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "string") {
    const t = v.trim();
    if (!DECIMAL.test(t)) return null;
    n = Number(t);
  } else return null;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Whole sats: fractional values are rounded to the nearest sat. */
export function toSats(v: unknown): number | null {
  const n = toDecimal(v);
  return n === null || n > Number.MAX_SAFE_INTEGER ? null : Math.round(n);
}

function toWholeNumber(v: unknown): number | null {
  const n = toDecimal(v);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

/**
 * Every string this parser hands on goes through storableText here or beside its field: the
 * whole-body and the streamed path (sales-scanner.ts, streamed-payload.ts) both read their rows
 * with these functions, so this is the one place PayWithFlash's text is made storable, per field
 * rather than over the whole body (a long history is a million sales, and most fields are numbers).
 */
function toLowerTrimmed(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" ? null : storableText(t.toLowerCase());
}

function toBool(v: unknown, fallback: boolean): boolean {
  if (typeof v === "boolean") return v;
  if (v === 1 || v === "1" || v === "true") return true;
  if (v === 0 || v === "0" || v === "false") return false;
  return fallback;
}

function displayId(v: unknown): string {
  const s = typeof v === "string" || typeof v === "number" ? String(v) : "?";
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
