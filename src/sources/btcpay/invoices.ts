/**
 * BTCPay Server's Greenfield invoices (`GET /api/v1/stores/{storeId}/invoices`, or one invoice from
 * `…/invoices/{id}`) as sales. Pure: the client fetches, this reads. A sale is an invoice BTCPay calls
 * Settled, and only that: one paid after it expired stays Expired (additionalStatus PaidLate) and does
 * not count. An Invalid invoice is reported as withdrawn, whether it was never paid or was settled and
 * then marked invalid by hand, so the store can drop a sale it holds. Decimals are strings, times unix
 * seconds (shared/spec/pos-sources.md; docs.btcpayserver.org/API/Greenfield/v1, "Invoices").
 */
import { PayloadError, toDecimal } from "../../upstream/payload.js";
import {
  displayKey,
  isObj,
  lowerOrNull,
  type Obj,
  roundFiat,
  type SourceParse,
  SourceParseBuilder,
  type SourceSale,
  saleIdOfKey,
  unixSecondsToMs,
} from "../source-sale.js";
import { type ItemTitles, invoiceLines } from "./cart.js";
import { btcToMsat, decimalToUnits, readPaymentMethods } from "./payment-methods.js";

/** Payment-methods answers by invoice id, for invoices that do not carry theirs inlined. */
export type PaymentMethodsById = ReadonlyMap<string, unknown>;

const NO_METHODS: PaymentMethodsById = new Map();
const NO_TITLES: ItemTitles = new Map();
const SATS_TO_MSAT_DECIMALS = 3;

/** The invoices list answer: a JSON array; anything else fails the poll, like a bad PayWithFlash envelope. */
export function parseBtcpayInvoices(
  body: unknown,
  paymentMethods: PaymentMethodsById = NO_METHODS,
  titles: ItemTitles = NO_TITLES,
): SourceParse {
  if (!Array.isArray(body)) throw new PayloadError("BTCPay invoices answer is not a JSON array");
  const builder = new SourceParseBuilder();
  for (const raw of body) {
    const sale = readInvoice(raw, paymentMethods, titles, builder);
    if (sale !== null) builder.sales.push(sale);
  }
  return builder.result();
}

/** One invoice (`GET …/invoices/{id}`), with its payment-methods answer when fetched. */
export function parseBtcpayInvoice(body: unknown, paymentMethods?: unknown): SourceParse {
  const builder = new SourceParseBuilder();
  const id = isObj(body) && typeof body.id === "string" ? body.id : "";
  const sale = readInvoice(
    body,
    paymentMethods === undefined ? NO_METHODS : new Map([[id, paymentMethods]]),
    NO_TITLES,
    builder,
  );
  if (sale !== null) builder.sales.push(sale);
  return builder.result();
}

/**
 * The settled invoices whose payment methods the client should fetch (those not inlined): they hold
 * the settling payment's time and, for fiat invoices, the only sats figure there is.
 */
export function invoicesNeedingPaymentMethods(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  return body.flatMap((raw) =>
    isObj(raw) && typeof raw.id === "string" && isSettled(raw.status) && raw.paymentMethods === undefined
      ? [raw.id]
      : [],
  );
}

function isSettled(status: unknown): boolean {
  return typeof status === "string" && status.toLowerCase() === "settled";
}

/** The sale, or null when the invoice is not one (recorded in `b` as withdrawn, not counted or skipped). */
function readInvoice(
  raw: unknown,
  paymentMethods: PaymentMethodsById,
  titles: ItemTitles,
  b: SourceParseBuilder,
): SourceSale | null {
  if (!isObj(raw)) return b.skip("?", "not an object");
  const id = raw.id;
  if (typeof id !== "string" || id.trim() === "") return b.skip(displayKey(id), "id is not a string");
  if (typeof raw.status !== "string") return b.skip(id, "status is not a string");
  if (!b.firstSighting(id)) return null;
  const status = raw.status.toLowerCase();
  if (status === "invalid") {
    const reason = raw.additionalStatus === "Marked" ? "marked invalid" : "invalid";
    b.withdrawn.push({ externalId: id, saleId: saleIdOfKey(id), reason });
    return null;
  }
  if (status !== "settled") {
    b.notCounted++;
    return null;
  }
  const created = unixSecondsToMs(raw.createdTime);
  if (created === null) return b.skip(id, "createdTime is not unix seconds");
  const currency = lowerOrNull(raw.currency);
  if (currency === null) return b.skip(id, "currency is not a string");
  const amounts = settledAmounts(raw, currency, paymentMethods.get(id) ?? raw.paymentMethods);
  if (typeof amounts === "string") return b.skip(id, amounts);

  const lines = invoiceLines(raw.metadata, amounts.amountSats, amounts.ownAmount, titles);
  for (const reason of lines.problems) b.skipped.push({ kind: "sale line", id, reason });
  const fiat = currency !== "btc" && currency !== "sats";
  return {
    saleId: saleIdOfKey(id),
    externalId: id,
    origin: originOf(raw.metadata),
    date: amounts.lastReceived ?? created,
    amountSats: amounts.amountSats,
    fiatAmount:
      fiat && amounts.ownAmount !== null && amounts.ownAmount > 0 ? roundFiat(amounts.ownAmount) : null,
    currency: fiat ? currency : null,
    lines: lines.lines,
  };
}

interface SettledAmounts {
  amountSats: number;
  /** What the invoice came to in its own currency: `paidAmount` (2.1.2+) when above zero, else `amount`. */
  ownAmount: number | null;
  lastReceived: number | null;
}

/**
 * The sats an invoice brought: the BTC its payment methods were paid (whole sats, a Lightning payment's
 * msat fraction dropped, as LNbits' own `sat` and the WiFi webhook drop it); a hand-marked invoice that
 * no payment paid is worth its price in BTC. Without payment methods only a BTC- or SATS-priced
 * invoice has a sats figure: its own amount.
 */
function settledAmounts(raw: Obj, currency: string, methods: unknown): SettledAmounts | string {
  if (raw.amount !== undefined && toDecimal(raw.amount) === null) return "amount is not a decimal";
  const paid = toDecimal(raw.paidAmount);
  const ownRaw = paid !== null && paid > 0 ? raw.paidAmount : raw.amount;
  const ownAmount = toDecimal(ownRaw);
  let msat: number | null = null;
  let lastReceived: number | null = null;
  if (methods !== undefined) {
    const bitcoin = readPaymentMethods(methods);
    if (typeof bitcoin === "string") return bitcoin;
    lastReceived = bitcoin.lastReceived;
    if (bitcoin.paidMsat > 0) msat = bitcoin.paidMsat;
    else if (bitcoin.otherPaid) return "paid in a currency other than BTC";
    else msat = bitcoin.priceMsat;
  }
  if (msat === null && currency === "btc") msat = btcToMsat(ownRaw);
  if (msat === null && currency === "sats") msat = decimalToUnits(ownRaw, SATS_TO_MSAT_DECIMALS);
  if (msat === null)
    return methods === undefined ? "a fiat invoice without its payment methods has no sats" : "no BTC amount";
  return { amountSats: Math.floor(msat / 1000), ownAmount, lastReceived };
}

/** Where the invoice was made: the Point of Sale app (its metadata says so), a payment request, or unknown. */
function originOf(metadata: unknown): string {
  if (!isObj(metadata)) return "unknown";
  const orderId = metadata.orderId;
  if (
    metadata.posData !== undefined ||
    metadata.itemCode !== undefined ||
    (typeof orderId === "string" && orderId.startsWith("pos-app_"))
  )
    return "pos";
  if (typeof metadata.paymentRequestId === "string") return "payment request";
  return "unknown";
}
