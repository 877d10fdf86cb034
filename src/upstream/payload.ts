/**
 * Parses the PayWithFlash `/user-pos` answer as it really comes (see shared/spec/upstream-paywithflash.md):
 * mixed key styles, numbers as strings or numbers, zone-less dates meaning UTC, extra fields anywhere.
 * A bad row is skipped and reported, never the whole payload; only a bad envelope fails the poll.
 * It produces the store's poll contents (store/poll-contents.ts), which every point-of-sale source writes.
 */
import type { IncomingSale, PollContents, ProductFigures, SaleLine } from "../store/poll-contents.js";

export type { UnchangedPoll } from "../store/poll-contents.js";

export interface SkippedRow {
  kind: "sale" | "sale line" | "product";
  id: string;
  reason: string;
}

/** The poll's contents in the store's words, with the rows that could not be read. */
export interface ParsedPoll extends PollContents {
  skipped: SkippedRow[];
}

/** The envelope itself is unusable: the poll failed. */
export class PayloadError extends Error {}

type Obj = Record<string, unknown>;

export function parsePosPayload(body: unknown): ParsedPoll {
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

  const skipped: SkippedRow[] = [];
  const sales: IncomingSale[] = [];
  const seen = new Set<number>();
  for (const raw of arrayField(data, "sales")) {
    const sale = parseSale(raw, skipped);
    if (sale === null) continue;
    // A payload repeating a sale id would otherwise reach the unique index twice in one insert.
    if (seen.has(sale.saleId)) {
      skipped.push({ kind: "sale", id: String(sale.saleId), reason: "duplicate SaleId in payload" });
      continue;
    }
    seen.add(sale.saleId);
    sales.push(sale);
  }
  const products: ProductFigures[] = [];
  const seenProducts = new Set<number>();
  for (const raw of arrayField(data, "products")) {
    const product = parseProduct(raw, skipped);
    if (product === null || seenProducts.has(product.productId)) continue;
    seenProducts.add(product.productId);
    products.push(product);
  }
  return { sales, products, skipped };
}

function parseSale(raw: unknown, skipped: SkippedRow[]): IncomingSale | null {
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

function rejectSale(skipped: SkippedRow[], id: string, reason: string): null {
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
  return { productId, name: typeof name === "string" ? name : "", quantity, unitSats };
}

function parseProduct(raw: unknown, skipped: SkippedRow[]): ProductFigures | null {
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
    name: typeof name === "string" ? name : "",
    currency: toLowerTrimmed(field(raw, "currency")),
    price: typeof price === "string" || typeof price === "number" ? String(price) : null,
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
function field(o: Obj, name: string): unknown {
  if (name in o) return o[name];
  const want = normaliseKey(name);
  for (const key of Object.keys(o)) if (normaliseKey(key) === want) return o[key];
  return undefined;
}

function normaliseKey(k: string): string {
  return k.replaceAll("_", "").toLowerCase();
}

function arrayField(o: Obj, name: string): unknown[] {
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

function toLowerTrimmed(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" ? null : t.toLowerCase();
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

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO-8601 instant as UTC epoch milliseconds. A date without an offset is UTC (the upstream's
 * convention), never the server's local time, which is what Date.parse would assume.
 */
export function parseInstant(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const fast = parseCanonicalInstant(v);
  if (fast !== undefined) return fast;
  const m = INSTANT.exec(v.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February over into March; a real date must round-trip.
  if (new Date(t).getUTCDate() !== day) return null;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The upstream's own shape, `2025-11-10T14:03:27.123456+00:00`, read digit by digit: every sale of
 * every poll goes through here. Returns undefined for any other shape (the general parser decides)
 * and null for a well-formed but impossible date.
 */
function parseCanonicalInstant(v: string): number | null | undefined {
  if (v.length !== 32 || v[10] !== "T" || v[26] !== "+" || v[19] !== ".") return undefined;
  if (v[4] !== "-" || v[7] !== "-" || v[13] !== ":" || v[16] !== ":" || v[29] !== ":") return undefined;
  const n = (from: number, to: number): number => {
    let x = 0;
    for (let i = from; i < to; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      x = x * 10 + c;
    }
    return x;
  };
  const year = n(0, 4);
  const month = n(5, 7);
  const day = n(8, 10);
  const hour = n(11, 13);
  const minute = n(14, 16);
  const second = n(17, 19);
  const micros = n(20, 26);
  const offsetMin = n(27, 29) * 60 + n(30, 32);
  if (year < 0 || micros < 0 || n(27, 29) < 0 || n(30, 32) < 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  if (second < 0 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(micros / 1000)) - offsetMin * 60_000;
}
