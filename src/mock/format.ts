/**
 * The upstream wire format, written by hand from the spec (never shared with the client code, so a
 * misreading of the format cannot hide on both sides). Bodies are built as byte chunks because a
 * million sales make ~300 MB of JSON, too close to V8's maximum string length for one string.
 */
import type { Product } from "./catalogue.js";
import type { Merchant } from "./model.js";

const CHUNK_CHARS = 1 << 19;

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
let cachedDay = Number.NaN;
let cachedDayPrefix = "";

/**
 * `SaleDate`: microseconds and an explicit offset, e.g. "2025-08-22T19:27:23.532000+00:00".
 * Hand-formatted with the date part cached per day: toISOString was a third of serialising 1M sales.
 */
export function saleDate(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${cachedDayPrefix}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[s]}.${THREE_DIGITS[rest - s * 1000]}000+00:00`;
}

/** `created_at`: microseconds and no offset at all, though it is UTC, e.g. "2025-08-22T12:56:20.213735". */
export function zonelessDate(ms: number, micros: number): string {
  return new Date(ms).toISOString().slice(0, 23) + String(micros).padStart(3, "0");
}

/**
 * Fiat as upstream prints totals: shortest decimal ("1.1", "0.05", "12"). Integer arithmetic
 * because float-to-string conversion was a sixth of serialising 1M sales.
 */
export function fiatString(cents: number): string {
  const whole = Math.floor(cents / 100);
  const frac = cents - whole * 100;
  if (frac === 0) return String(whole);
  return frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${TWO_DIGITS[frac]}`;
}

/** Catalogue prices keep two decimals ("0.05", "4.00"). */
export function priceString(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** A float the way Python's json prints it: an integral value keeps ".0" (1.0, 0.05). */
export function pythonFloat(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** Upstream writes sats both as "977" and as "977.00000000"; pick deterministically per sale. */
function satsString(sats: number, decimal: boolean): string {
  return decimal ? `"${sats}.00000000"` : `"${sats}"`;
}

export interface Body {
  chunks: Buffer[];
  bytes: number;
}

class ChunkWriter {
  private buf = "";
  readonly chunks: Buffer[] = [];
  bytes = 0;

  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= CHUNK_CHARS) this.flush();
  }

  flush(): void {
    if (this.buf === "") return;
    const chunk = Buffer.from(this.buf, "utf8");
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.buf = "";
  }
}

function productJson(m: Merchant, p: Product): string {
  return (
    `{"productid":${p.id},"name":${JSON.stringify(p.name)},` +
    `"description":${JSON.stringify(`${p.name} from ${m.name}`)},"currency":"usd",` +
    `"price":"${priceString(p.priceCents)}","image_url":null,` +
    `"total_transactions":${p.totalTransactions},"total_units_sold":${p.totalUnitsSold},` +
    `"total_revenue_sats":"${p.totalRevenueSats}.00000000",` +
    `"total_revenue_currency":"${fiatString(p.totalRevenueCents)}",` +
    `"activestatus":${p.active},"deleted":false,"wallet_id":${m.walletId}}`
  );
}

/** The whole 200 answer for one merchant: envelope, catalogue and every served sale, newest first. */
export function merchantBody(m: Merchant): Body {
  const out = new ChunkWriter();
  const s = m.sales;
  const served = s.length - m.servedFrom;
  out.write(
    `{"success":true,"status_code":200,"message":"PoS fetched successfully","data":{` +
      `"id":${m.numericId},"name":${JSON.stringify(m.name)},"currency":"usd",` +
      `"created_at":"${zonelessDate(m.createdAt, m.createdMicros)}",` +
      `"total_transactions":${served},"total_revenue_sats":"${m.servedSats}",` +
      `"wallet_id":"${m.walletId}","description":null,"products":[`,
  );
  out.write(m.catalogue.products.map((p) => productJson(m, p)).join(","));
  out.write(`],"sales":[`);

  // The line prefix never changes for a product, so build it once rather than per line.
  const linePrefix = m.catalogue.products.map(
    (p) =>
      `{"ProductID":${p.id},"ProductName":${JSON.stringify(p.name)},` +
      `"ProductPrice":${pythonFloat(p.priceCents / 100)},"ProductPriceSats":`,
  );
  const origin = `,"SaleOrigin":"pos","SaleOriginId":${m.numericId},"SaleDate":"`;
  // Newest first: upstream order is not guaranteed, and ascending order would hide a client that relies on it.
  for (let i = s.length - 1; i >= m.servedFrom; i--) {
    const id = s.ids[i] as number;
    let sale =
      `{"SaleId":${id}${origin}${saleDate(s.dates[i] as number)}","Currency":"usd",` +
      `"TotalCostSats":${satsString(s.sats[i] as number, id % 3 === 0)},` +
      `"TotalCostCurrency":"${fiatString(s.cents[i] as number)}","TotalTaxAmount":0.0,` +
      `"PaymentMethod":"lightning","Products":[`;
    const start = s.lineStart[i] as number;
    const end = start + (s.lineCount[i] as number);
    for (let j = start; j < end; j++) {
      const unitSats = s.lineUnitSats[j] as number;
      sale +=
        `${j > start ? "," : ""}${linePrefix[s.lineProduct[j] as number]}` +
        `${id % 2 === 0 ? `${unitSats}.0` : unitSats},"Quantity":${s.lineQuantity[j]},"ProductCurrency":"usd"}`;
    }
    out.write(`${i < s.length - 1 ? "," : ""}${sale}]}`);
  }
  out.write("]}}");
  out.flush();
  return { chunks: out.chunks, bytes: out.bytes };
}

/** Failures use the same envelope with `success: false` and no data. */
export function errorEnvelope(status: number, message: string): string {
  return JSON.stringify({ success: false, status_code: status, message, data: null });
}
