/**
 * The mock BTCPay Server's state: stores, API keys, Point of Sale apps and invoices, and the lifecycle
 * an invoice goes through (New → Processing → Settled, → Expired (PaidLate), → Invalid, marked by
 * hand). Written on its own, from BTCPay's behaviour (shared/spec/pos-sources.md), never from the
 * server's parsers, so a misreading cannot hide on both sides.
 */
import { payable, priceMsat, priceString } from "./amounts.js";
import { base58Id, hexId } from "./ids.js";

export type InvoiceStatus = "New" | "Processing" | "Expired" | "Invalid" | "Settled";
export type AdditionalStatus = "None" | "PaidLate" | "PaidPartial" | "Marked" | "Invalid" | "PaidOver";
export type MethodId = "BTC-LN" | "BTC-CHAIN";

export interface MockPayment {
  id: string;
  method: MethodId;
  msat: bigint;
  receivedDate: number;
  status: "Settled" | "Processing" | "Invalid";
}

export interface MockInvoice {
  id: string;
  storeId: string;
  createdTime: number;
  amount: string;
  currency: string;
  /** Fiat per BTC at creation ("50000.00"); unused for BTC and SATS invoices except to fill the field. */
  rate: string;
  status: InvoiceStatus;
  additionalStatus: AdditionalStatus;
  metadata: Record<string, unknown>;
  payments: MockPayment[];
  archived: boolean;
}

export interface CartItemSpec {
  id: string;
  title?: string;
  price: number;
  count: number;
}

/** What addInvoice takes; everything has a default (a settled 7.50 EUR coffee cart paid on Lightning). */
export interface InvoiceSpec {
  id?: string;
  /** Unix seconds; default the mock's clock. */
  createdTime?: number;
  currency?: string;
  /** Decimal string; default the cart's total (plus tip), else "7.50". */
  amount?: string;
  rate?: string;
  /** A POS cart; `posDataForm: "string"` writes posData as JSON text, as old invoices have it. */
  cart?: CartItemSpec[];
  posDataForm?: "object" | "string";
  tip?: number;
  /** A single item outside the cart view: itemCode/itemDesc and (2.x) a one-line cart without title. */
  single?: { itemCode: string; itemDesc?: string; price: number; oneLineCart?: boolean };
  /** Free-form metadata replacing what cart/single would write. */
  metadata?: Record<string, unknown>;
  /** "Settled" (default: paid in full and confirmed), "Processing" (paid, unconfirmed), "New", … */
  status?: InvoiceStatus;
  additionalStatus?: AdditionalStatus;
  /** How it is paid when paid: default BTC-LN; "split" pays half on-chain, half on Lightning. */
  paidWith?: MethodId | "split";
  /** Seconds after creation the payment came; default 30. */
  paidAfterS?: number;
}

export interface MockKey {
  /** Store ids this key may act on; "*" for every store of its user. */
  stores: ReadonlySet<string> | "*";
  permissions: ReadonlySet<string>;
}

export interface PosApp {
  id: string;
  storeId: string;
  name: string;
  items: { id: string; title: string; price: string }[];
}

export interface MockStore {
  id: string;
  name: string;
  defaultCurrency: string;
  /** Whether `includePaymentMethods` is honoured (BTCPay 2.3.6+); older servers ignore it. */
  inlinePaymentMethods: boolean;
  /** Whether invoices carry `paidAmount` (2.1.2+). */
  paidAmount: boolean;
}

export class BtcpayWorld {
  readonly stores = new Map<string, MockStore>();
  readonly keys = new Map<string, MockKey>();
  readonly apps = new Map<string, PosApp>();
  /** By store, in creation order. */
  readonly invoices = new Map<string, MockInvoice[]>();
  private counter = 0;

  constructor(
    private readonly seed: number,
    readonly nowS: () => number,
  ) {}

  addStore(store: MockStore): void {
    this.stores.set(store.id, store);
    if (!this.invoices.has(store.id)) this.invoices.set(store.id, []);
  }

  invoice(storeId: string, id: string): MockInvoice | undefined {
    return this.invoices.get(storeId)?.find((i) => i.id === id);
  }

  requireInvoice(storeId: string, id: string): MockInvoice {
    const inv = this.invoice(storeId, id);
    if (!inv) throw new Error(`no invoice ${id} in store ${storeId}`);
    return inv;
  }

  addInvoice(storeId: string, spec: InvoiceSpec = {}): MockInvoice {
    const store = this.stores.get(storeId);
    if (!store) throw new Error(`no store ${storeId}`);
    const n = this.counter++;
    const currency = spec.currency ?? store.defaultCurrency;
    const inv: MockInvoice = {
      id: spec.id ?? base58Id(this.seed, "invoice", storeId, n),
      storeId,
      createdTime: spec.createdTime ?? this.nowS(),
      amount: spec.amount ?? defaultAmount(spec, currency),
      currency,
      rate: spec.rate ?? "50000.00",
      status: "New",
      additionalStatus: "None",
      metadata: spec.metadata ?? metadataOf(spec, n),
      payments: [],
      archived: false,
    };
    this.invoices.get(storeId)?.push(inv);
    const status = spec.status ?? "Settled";
    const at = inv.createdTime + (spec.paidAfterS ?? 30);
    if (status === "Processing" || status === "Settled") this.pay(inv, spec.paidWith ?? "BTC-LN", at);
    if (status === "Settled") this.confirm(inv);
    if (status === "Expired") {
      inv.status = "Expired";
      if (spec.additionalStatus === "PaidLate") {
        this.pay(inv, spec.paidWith ?? "BTC-LN", inv.createdTime + 1200);
        this.confirm(inv);
      }
      // Paid after expiry or not, BTCPay leaves it Expired: it never becomes a sale by itself.
      inv.status = "Expired";
    }
    if (status === "Invalid") inv.status = "Invalid";
    if (spec.additionalStatus !== undefined) inv.additionalStatus = spec.additionalStatus;
    return inv;
  }

  /** A payment of the whole due arrives: Processing on-chain until confirmed, Lightning settles at once. */
  pay(inv: MockInvoice, paidWith: MethodId | "split", at: number): void {
    const due = priceMsat(inv.amount, inv.currency, inv.rate);
    const onChainHalf = (due / 2n / 1000n) * 1000n;
    const parts: [MethodId, bigint][] =
      paidWith === "split"
        ? [
            ["BTC-CHAIN", onChainHalf],
            ["BTC-LN", due - onChainHalf],
          ]
        : [[paidWith, payable(due, paidWith)]];
    for (const [method, msat] of parts) {
      const n = this.counter++;
      const id = method === "BTC-LN" ? hexId(this.seed, "ln", n) : `${hexId(this.seed, "tx", n)}-0`;
      inv.payments.push({ id, method, msat, receivedDate: at, status: "Processing" });
    }
    inv.status = "Processing";
  }

  /** Confirmation: the invoice's payments settle, and it with them. */
  confirm(inv: MockInvoice): void {
    for (const p of inv.payments) if (p.status === "Processing") p.status = "Settled";
    inv.status = "Settled";
  }

  /** Marked Settled by hand (New, Processing, Expired or Invalid; no payment needed). */
  markSettled(inv: MockInvoice): void {
    inv.status = "Settled";
    inv.additionalStatus = "Marked";
  }

  /** Marked Invalid by hand (a settled invoice the merchant takes back), or unconfirmed at the window's end. */
  markInvalid(inv: MockInvoice, byHand = true): void {
    inv.status = "Invalid";
    inv.additionalStatus = byHand ? "Marked" : "None";
    if (!byHand) for (const p of inv.payments) p.status = "Invalid";
  }

  /** The invoices a list request may see, newest createdTime first (later-added first on a tie). */
  listed(storeId: string, includeArchived: boolean): MockInvoice[] {
    const all = (this.invoices.get(storeId) ?? []).filter((i) => includeArchived || !i.archived);
    return all
      .map((inv, n) => ({ inv, n }))
      .sort((a, b) => b.inv.createdTime - a.inv.createdTime || b.n - a.n)
      .map((x) => x.inv);
  }
}

function defaultAmount(spec: InvoiceSpec, currency: string): string {
  if (spec.cart)
    return priceString(spec.cart.reduce((s, i) => s + i.price * i.count, 0) + (spec.tip ?? 0), currency);
  if (spec.single) return priceString(spec.single.price, currency);
  return priceString(7.5, currency);
}

/** Metadata as the Point of Sale app writes it. */
function metadataOf(spec: InvoiceSpec, n: number): Record<string, unknown> {
  const orderId = `pos-app_${n}`;
  if (spec.single) {
    const { itemCode, itemDesc, price, oneLineCart } = spec.single;
    const meta: Record<string, unknown> = { orderId, itemCode };
    if (itemDesc !== undefined) meta.itemDesc = itemDesc;
    if (oneLineCart ?? true)
      meta.posData = { cart: [{ id: itemCode, count: 1, price }], subTotal: price, total: price };
    return meta;
  }
  if (!spec.cart) return { orderId };
  const subTotal = spec.cart.reduce((s, i) => s + i.price * i.count, 0);
  const posData = {
    cart: spec.cart.map((i) => ({
      id: i.id,
      ...(i.title === undefined ? {} : { title: i.title }),
      price: i.price,
      count: i.count,
    })),
    subTotal,
    discountAmount: 0,
    tip: spec.tip ?? 0,
    total: subTotal + (spec.tip ?? 0),
  };
  return { orderId, posData: spec.posDataForm === "string" ? JSON.stringify(posData) : posData };
}

/** A settled invoice as a sale, by the mock's own reckoning: what the dashboard should show for it. */
export interface TruthSale {
  invoiceId: string;
  sats: number;
  /** Fiat amount for fiat-priced invoices, else null; currency lower case. */
  fiat: number | null;
  currency: string | null;
  /** When it was paid: the last accounted payment's time, else the creation time (unix s). */
  paidAt: number;
  lines: { itemId: string; quantity: number }[];
}

export function truthOf(inv: MockInvoice): TruthSale | null {
  if (inv.status !== "Settled") return null;
  const paid = inv.payments.filter((p) => p.status !== "Invalid");
  const msat =
    paid.length > 0 ? paid.reduce((s, p) => s + p.msat, 0n) : priceMsat(inv.amount, inv.currency, inv.rate);
  const c = inv.currency.toUpperCase();
  const fiat = c !== "BTC" && c !== "SATS";
  return {
    invoiceId: inv.id,
    sats: Number(msat / 1000n),
    fiat: fiat ? Number(inv.amount) : null,
    currency: fiat ? c.toLowerCase() : null,
    paidAt: paid.reduce((t, p) => Math.max(t, p.receivedDate), 0) || inv.createdTime,
    lines: linesOf(inv.metadata),
  };
}

function linesOf(metadata: Record<string, unknown>): { itemId: string; quantity: number }[] {
  let pos = metadata.posData;
  if (typeof pos === "string") pos = JSON.parse(pos);
  const cart = (pos as { cart?: { id: string; count: number }[] } | undefined)?.cart;
  if (Array.isArray(cart) && cart.length > 0) return cart.map((i) => ({ itemId: i.id, quantity: i.count }));
  return typeof metadata.itemCode === "string" ? [{ itemId: metadata.itemCode, quantity: 1 }] : [];
}
