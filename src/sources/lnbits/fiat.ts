/**
 * The fiat side and the products of an LNbits payment, from its `extra`. TPoS (`extra.tag` "tpos")
 * writes `exchangeRate` (sats per fiat unit) and `details` `{currency, exchangeRate, items, …}`, items
 * `{id, title, price (fiat per unit), quantity}`; TPoS ≤0.7 writes `details` as a JSON string and items
 * without `id`. An item's `id` is its list position, so a product is keyed by its title. Core LNbits
 * marks an invoice created in a fiat unit with `fiat_currency` + `fiat_amount` (used when TPoS gives
 * nothing). `wallet_fiat_*` is the wallet's accounting conversion, not a price: not used.
 */
import type { SaleLine } from "../../store/poll-contents.js";
import { toDecimal } from "../../upstream/payload.js";
import { isObj, lowerOrNull, type Obj, productIdOfKey, roundFiat } from "../source-sale.js";

export interface PaymentFiat {
  fiatAmount: number | null;
  currency: string | null;
  lines: SaleLine[];
  /** A short reason for each TPoS item that could not be read. */
  problems: string[];
}

const NO_FIAT: PaymentFiat = { fiatAmount: null, currency: null, lines: [], problems: [] };

/** `amountSats` is the payment's whole amount (tip included): its fiat is amountSats / exchangeRate. */
export function paymentFiat(extra: Obj, tag: string | null, amountSats: number): PaymentFiat {
  if (tag === "tpos") {
    const tpos = tposFiat(extra, amountSats);
    if (tpos !== null) return tpos;
  }
  const currency = lowerOrNull(extra.fiat_currency);
  const fiatAmount = toDecimal(extra.fiat_amount);
  if (currency === null || fiatAmount === null || fiatAmount <= 0) return NO_FIAT;
  return { fiatAmount: roundFiat(fiatAmount), currency, lines: [], problems: [] };
}

function tposFiat(extra: Obj, amountSats: number): PaymentFiat | null {
  const details = detailsOf(extra.details);
  const rate = positive(extra.exchangeRate) ?? positive(details?.exchangeRate);
  const currency = lowerOrNull(details?.currency);
  if (rate === null || currency === null) return null;
  // A TPoS priced in sats has items but no fiat side.
  const inSats = currency === "sat" || currency === "sats";
  const out: PaymentFiat = {
    fiatAmount: inSats ? null : roundFiat(amountSats / rate),
    currency: inSats ? null : currency,
    lines: [],
    problems: [],
  };
  const items = details?.items;
  if (!Array.isArray(items)) return out;
  for (const raw of items) {
    const line = readItem(raw, rate);
    if (typeof line === "string") out.problems.push(line);
    else out.lines.push(line);
  }
  return out;
}

/** `details` as an object (TPoS 1.x) or a JSON string (TPoS ≤0.7); null when neither. */
function detailsOf(v: unknown): Obj | null {
  if (isObj(v)) return v;
  if (typeof v !== "string") return null;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObj(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** A line at the item's own fiat price converted at the payment's rate (TPoS gives the rate, so no pro rata). */
function readItem(raw: unknown, satsPerUnit: number): SaleLine | string {
  if (!isObj(raw)) return "item is not an object";
  const title = typeof raw.title === "string" ? raw.title.trim() : "";
  if (title === "") return "item has no title";
  const quantity = toDecimal(raw.quantity);
  if (quantity === null || quantity <= 0) return `item ${title}: quantity is not a positive number`;
  const price = toDecimal(raw.price);
  if (price === null) return `item ${title}: price is not a non-negative number`;
  return {
    productId: productIdOfKey(title),
    name: title,
    quantity,
    unitSats: Math.round(price * satsPerUnit),
  };
}

function positive(v: unknown): number | null {
  const n = toDecimal(v);
  return n !== null && n > 0 ? n : null;
}
