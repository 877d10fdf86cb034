/**
 * The products of a BTCPay invoice, from its free-form `metadata` as the Point of Sale app writes it:
 * a cart in `posData.cart[]` (`{id, title?, price, count}`), or for a single item bought outside the
 * cart view `itemCode` + `itemDesc`. `posData` is an object (2.x) or a JSON string (old invoices, and
 * anything an API client wrote); a cart item's `price` a number (2.x), a numeric string, or in ≤1.6
 * carts `{"type", "value", "formatted"}`. Keypad invoices (`amounts[]`) name no product: no lines.
 */
import type { SaleLine } from "../../store/poll-contents.js";
import { toDecimal } from "../../upstream/payload.js";
import { isObj, type Obj, productIdOfKey } from "../source-sale.js";

/**
 * Item titles by item id from the store's Point of Sale app (`GET /api/v1/apps/pos/{appId}` `items[]`),
 * for cart lines that carry none: 2.x single-item carts, and carts written by API clients.
 */
export type ItemTitles = ReadonlyMap<string, string>;

const NO_TITLES: ItemTitles = new Map();

/** The lines, and a short reason for each cart item that could not be read. */
export interface CartLines {
  lines: SaleLine[];
  problems: string[];
}

interface CartItem {
  key: string;
  name: string | null;
  price: number;
  count: number;
}

/**
 * `amountSats` is what the invoice brought; `invoiceAmount` its price in its own currency (the one the
 * cart prices are in). Only fiat prices are given, so a unit's sats are its share of the invoice's sats:
 * round(amountSats × price / invoiceAmount), the list price at the rate the invoice was paid at. Tip
 * and discount are the invoice's, not a line's, so the lines need not add up to the invoice.
 */
export function invoiceLines(
  metadata: unknown,
  amountSats: number,
  invoiceAmount: number | null,
  titles: ItemTitles = NO_TITLES,
): CartLines {
  const out: CartLines = { lines: [], problems: [] };
  if (!isObj(metadata)) return out;
  const cart = cartOf(metadata.posData);
  const itemDesc = nonEmpty(metadata.itemDesc);
  if (cart === null) {
    const itemCode = nonEmpty(metadata.itemCode);
    // A single item outside the cart view: the whole invoice is that one item.
    if (itemCode !== null)
      out.lines.push({
        productId: productIdOfKey(itemCode),
        name: itemDesc ?? titles.get(itemCode) ?? itemCode,
        quantity: 1,
        unitSats: amountSats,
      });
    return out;
  }
  const items: CartItem[] = [];
  for (const raw of cart) {
    const item = readItem(raw);
    if (typeof item === "string") out.problems.push(item);
    else items.push(item);
  }
  const subtotal = items.reduce((sum, i) => sum + i.price * i.count, 0);
  const base = invoiceAmount !== null && invoiceAmount > 0 ? invoiceAmount : subtotal;
  for (const item of items) {
    // 2.x single-item invoices carry a one-line cart without a title; the title is in itemDesc, and
    // always in the POS app's item list when the merchant named the app.
    const name = item.name ?? (items.length === 1 ? itemDesc : null) ?? titles.get(item.key) ?? item.key;
    const unitSats = base > 0 ? Math.round((amountSats * item.price) / base) : 0;
    out.lines.push({ productId: productIdOfKey(item.key), name, quantity: item.count, unitSats });
  }
  return out;
}

/** `posData.cart` as a list, null when the invoice has no cart (no posData, keypad, foreign JSON). */
function cartOf(posData: unknown): unknown[] | null {
  let data: unknown = posData;
  if (typeof posData === "string") {
    try {
      data = JSON.parse(posData);
    } catch {
      return null;
    }
  }
  if (!isObj(data) || !Array.isArray(data.cart) || data.cart.length === 0) return null;
  return data.cart;
}

function readItem(raw: unknown): CartItem | string {
  if (!isObj(raw)) return "cart item is not an object";
  const key = typeof raw.id === "number" ? String(raw.id) : nonEmpty(raw.id);
  if (key === null) return "cart item has no id";
  const count = toDecimal(raw.count);
  if (count === null || count <= 0 || !Number.isInteger(count))
    return `item ${key}: count is not a positive whole number`;
  const price = itemPrice(raw);
  if (price === null) return `item ${key}: price is not a non-negative number`;
  return { key, name: nonEmpty(raw.title), price, count };
}

function itemPrice(raw: Obj): number | null {
  const price = raw.price;
  return isObj(price) ? toDecimal(price.value) : toDecimal(price);
}

function nonEmpty(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" ? null : t;
}
