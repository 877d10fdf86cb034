/**
 * Greenfield JSON as BTCPay 2.x writes it: InvoiceData (decimals as strings, times unix seconds) and
 * InvoicePaymentMethodDataModel (one entry per activated method; `amount`, `totalPaid` and `due` are the
 * whole invoice converted into that method and repeat on every entry, `paymentMethodPaid` is the
 * method's own share; Lightning with 11 decimals, on-chain with 8).
 */
import { btcString, priceMsat } from "./amounts.js";
import { hexId } from "./ids.js";
import type { MethodId, MockInvoice, MockStore, PosApp } from "./world.js";

const METHODS: readonly MethodId[] = ["BTC-CHAIN", "BTC-LN"];
const EXPIRY_S = 15 * 60;
const MONITORING_S = 24 * 60 * 60;

export function invoiceJson(
  inv: MockInvoice,
  store: MockStore,
  baseUrl: string,
  withMethods: boolean,
): Record<string, unknown> {
  const paidMsat = accounted(inv).reduce((s, p) => s + p.msat, 0n);
  const body: Record<string, unknown> = {
    id: inv.id,
    storeId: inv.storeId,
    amount: inv.amount,
    ...(store.paidAmount ? { paidAmount: paidInCurrency(inv, paidMsat) } : {}),
    currency: inv.currency,
    type: "Standard",
    checkoutLink: `${baseUrl}/i/${inv.id}`,
    status: inv.status,
    additionalStatus: inv.additionalStatus,
    monitoringExpiration: inv.createdTime + EXPIRY_S + MONITORING_S,
    expirationTime: inv.createdTime + EXPIRY_S,
    createdTime: inv.createdTime,
    availableStatusesForManualMarking: manualMarks(inv),
    archived: inv.archived,
    metadata: inv.metadata,
    checkout: {
      speedPolicy: "MediumSpeed",
      paymentMethods: METHODS,
      defaultPaymentMethod: null,
      lazyPaymentMethods: false,
      expirationMinutes: EXPIRY_S / 60,
      monitoringMinutes: MONITORING_S / 60,
      paymentTolerance: 0,
      redirectURL: null,
      redirectAutomatically: false,
      requiresRefundEmail: null,
      defaultLanguage: null,
      checkoutType: null,
    },
    receipt: { enabled: null, showQR: null, showPayments: null },
  };
  if (withMethods) body.paymentMethods = paymentMethodsJson(inv);
  return body;
}

export function paymentMethodsJson(inv: MockInvoice): Record<string, unknown>[] {
  const price = priceMsat(inv.amount, inv.currency, inv.rate);
  const paid = accounted(inv);
  const totalMsat = paid.reduce((s, p) => s + p.msat, 0n);
  const due = price > totalMsat ? price - totalMsat : 0n;
  return METHODS.map((method) => {
    const own = paid.filter((p) => p.method === method);
    return {
      paymentMethodId: method,
      currency: "BTC",
      destination:
        method === "BTC-LN"
          ? `lnbc${hexId("bolt11", inv.id).slice(0, 40)}`
          : `bc1q${hexId("addr", inv.id).slice(0, 38)}`,
      paymentLink: null,
      rate: inv.rate,
      paymentMethodPaid: btcString(
        own.reduce((s, p) => s + p.msat, 0n),
        method,
      ),
      totalPaid: btcString(totalMsat, method),
      due: btcString(due, method),
      amount: btcString(price, method),
      paymentMethodFee: method === "BTC-CHAIN" ? "0.00000000" : "0.00000000000",
      payments: own.map((p) => ({
        id: p.id,
        receivedDate: p.receivedDate,
        value: btcString(p.msat, method),
        fee: method === "BTC-CHAIN" ? "0.00000000" : "0.00000000000",
        status: p.status,
        destination: null,
      })),
      activated: true,
      additionalData:
        method === "BTC-LN" ? { paymentHash: own[0]?.id ?? null, preimage: null, invoiceId: inv.id } : {},
    };
  });
}

/** Payments that count (BTCPay's onlyAccountedPayments default): not Invalid ones. */
function accounted(inv: MockInvoice) {
  return inv.payments.filter((p) => p.status !== "Invalid");
}

/** paidAmount: what was paid, in the invoice's currency, with its price's number of decimals. */
function paidInCurrency(inv: MockInvoice, paidMsat: bigint): string {
  const price = priceMsat(inv.amount, inv.currency, inv.rate);
  if (price === 0n || paidMsat === 0n) return zeroLike(inv.amount);
  if (paidMsat >= price) return inv.amount;
  const decimals = inv.amount.split(".")[1]?.length ?? 0;
  const scaled = (BigInt(Math.round(Number(inv.amount) * 10 ** decimals)) * paidMsat) / price;
  const s = scaled.toString().padStart(decimals + 1, "0");
  return decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

function zeroLike(amount: string): string {
  const decimals = amount.split(".")[1]?.length ?? 0;
  return decimals === 0 ? "0" : `0.${"0".repeat(decimals)}`;
}

function manualMarks(inv: MockInvoice): string[] {
  if (inv.status === "Settled") return inv.additionalStatus === "Marked" ? ["Invalid"] : [];
  if (inv.status === "Invalid") return ["Settled"];
  return ["Settled", "Invalid"];
}

export function storeJson(store: MockStore): Record<string, unknown> {
  return {
    id: store.id,
    name: store.name,
    website: null,
    defaultCurrency: store.defaultCurrency,
    invoiceExpiration: EXPIRY_S,
    monitoringExpiration: MONITORING_S,
    speedPolicy: "MediumSpeed",
    archived: false,
  };
}

export function posAppJson(app: PosApp): Record<string, unknown> {
  return {
    id: app.id,
    appName: app.name,
    title: app.name,
    storeId: app.storeId,
    appType: "PointOfSale",
    archived: false,
    created: 1762700000,
    defaultView: "Cart",
    showItems: true,
    currency: "EUR",
    items: app.items.map((i) => ({
      id: i.id,
      title: i.title,
      price: i.price,
      priceType: "Fixed",
      disabled: false,
      inventory: null,
    })),
  };
}
