// Greenfield invoices as BTCPay Server writes them: InvoiceData and InvoicePaymentMethodDataModel of
// docs.btcpayserver.org/API/Greenfield/v1 ("Invoices": Get invoices, Get invoice payment methods;
// swagger.template.invoices.json), metadata as docs.btcpayserver.org/Development/InvoiceMetadata and the
// Point of Sale app write it, quirks from shared/spec/pos-sources.md. Decimals are strings, times unix s.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PayloadError } from "../../upstream/payload.js";
import { invoicesNeedingPaymentMethods, parseBtcpayInvoice, parseBtcpayInvoices } from "./invoices.js";

const CREATED = 1762780800;

function invoice(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "Fq8kT2mWzL5nRb7xPc3Yd",
    storeId: "7Hn2cQx9",
    amount: "7.50",
    paidAmount: "7.50",
    currency: "EUR",
    type: "Standard",
    checkoutLink: "https://pay.example/i/Fq8kT2mWzL5nRb7xPc3Yd",
    status: "Settled",
    additionalStatus: "None",
    createdTime: CREATED,
    expirationTime: CREATED + 900,
    monitoringExpiration: CREATED + 87300,
    archived: false,
    metadata: {
      orderId: "3kPq",
      posData: {
        cart: [{ id: "espresso", title: "Espresso", price: 2.5, count: 3 }],
        subTotal: 7.5,
        tip: 0,
        total: 7.5,
      },
    },
    checkout: {},
    receipt: {},
    ...over,
  };
}

/** A 2.x Lightning entry paid in full, its one payment received 60 s after the invoice was created. */
function lightning(paid = "0.00015000000", over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    paymentMethodId: "BTC-LN",
    currency: "BTC",
    rate: "50000.00",
    amount: "0.00015000000",
    paymentMethodPaid: paid,
    totalPaid: paid,
    due: "0.00000000000",
    paymentMethodFee: "0",
    activated: true,
    destination: "lnbc150u1p…",
    payments: [{ id: "9c1e", receivedDate: CREATED + 60, value: paid, fee: "0", status: "Settled" }],
    ...over,
  };
}

function first52Bits(key: string): number {
  return Number.parseInt(createHash("sha256").update(key).digest("hex").slice(0, 13), 16);
}

describe("BTCPay settled invoices", () => {
  it("a fiat POS cart invoice: sats from its payment methods, time of the settling payment, fiat, lines", () => {
    const parsed = parseBtcpayInvoices([invoice()], new Map([["Fq8kT2mWzL5nRb7xPc3Yd", [lightning()]]]));
    expect(parsed.skippedCount).toBe(0);
    expect(parsed.sales).toEqual([
      {
        saleId: first52Bits("Fq8kT2mWzL5nRb7xPc3Yd"),
        externalId: "Fq8kT2mWzL5nRb7xPc3Yd",
        origin: "pos",
        date: (CREATED + 60) * 1000,
        amountSats: 15000,
        fiatAmount: 7.5,
        currency: "eur",
        lines: [{ productId: first52Bits("espresso"), name: "Espresso", quantity: 3, unitSats: 5000 }],
      },
    ]);
  });

  it("ids are stable, below 2^53 and independent of the answer they come in", () => {
    const a = parseBtcpayInvoices([invoice()], new Map([["Fq8kT2mWzL5nRb7xPc3Yd", [lightning()]]]));
    const b = parseBtcpayInvoice(invoice({ status: "settled" }), [lightning()]);
    expect(b.sales[0]?.saleId).toBe(a.sales[0]?.saleId);
    expect(b.sales[0]?.lines[0]?.productId).toBe(a.sales[0]?.lines[0]?.productId);
    for (const id of [a.sales[0]?.saleId, a.sales[0]?.lines[0]?.productId]) {
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(2 ** 52);
    }
  });

  it("only Settled counts: PaidLate stays Expired, New and Processing wait, Invalid is withdrawn", () => {
    const parsed = parseBtcpayInvoices([
      invoice({ id: "late", status: "Expired", additionalStatus: "PaidLate" }),
      invoice({ id: "partial", status: "Expired", additionalStatus: "PaidPartial" }),
      invoice({ id: "new", status: "New" }),
      invoice({ id: "processing", status: "Processing" }),
      invoice({ id: "unconfirmed", status: "Invalid", additionalStatus: "None" }),
      // Settled, stored, then marked invalid by hand: the store must drop it.
      invoice({ id: "marked", status: "Invalid", additionalStatus: "Marked" }),
      invoice({ id: "ok", currency: "SATS", amount: "2100", paidAmount: "2100" }),
    ]);
    expect(parsed.sales.map((s) => s.externalId)).toEqual(["ok"]);
    expect(parsed.notCounted).toBe(4);
    expect(parsed.withdrawn).toEqual([
      { externalId: "unconfirmed", saleId: first52Bits("unconfirmed"), reason: "invalid" },
      { externalId: "marked", saleId: first52Bits("marked"), reason: "marked invalid" },
    ]);
    expect(parsed.skippedCount).toBe(0);
  });

  it("a BTC or SATS invoice without payment methods is worth its own amount, dated when created", () => {
    const parsed = parseBtcpayInvoices([
      invoice({ id: "btc", currency: "BTC", amount: "0.00012345", paidAmount: "0.00012345", metadata: {} }),
      invoice({ id: "sats", currency: "SATS", amount: "2100", paidAmount: "2100", metadata: {} }),
    ]);
    expect(parsed.sales.map((s) => [s.externalId, s.amountSats, s.fiatAmount, s.currency, s.date])).toEqual([
      ["btc", 12345, null, null, CREATED * 1000],
      ["sats", 2100, null, null, CREATED * 1000],
    ]);
    expect(parsed.sales[0]?.origin).toBe("unknown");
  });

  it("a fiat invoice needs its payment methods: listed for the client, skipped when missing", () => {
    const body = [
      invoice({ id: "a" }),
      invoice({ id: "b", paymentMethods: [lightning()] }),
      invoice({ id: "c", status: "New" }),
    ];
    expect(invoicesNeedingPaymentMethods(body)).toEqual(["a"]);
    const parsed = parseBtcpayInvoices(body);
    expect(parsed.sales.map((s) => s.externalId)).toEqual(["b"]);
    expect(parsed.skipped).toEqual([
      { kind: "sale", id: "a", reason: "a fiat invoice without its payment methods has no sats" },
    ]);
  });

  it("1.x: no paidAmount, entries named by paymentMethod/cryptoCode; on-chain and Lightning paid add up", () => {
    const v1 = invoice({ id: "v1", amount: "20.00", currency: "USD" });
    delete v1.paidAmount;
    const methods = [
      {
        paymentMethod: "BTC",
        cryptoCode: "BTC",
        rate: "50000.00",
        amount: "0.00040000",
        paymentMethodPaid: "0.00010000",
        totalPaid: "0.00040000",
        due: "0.00000000",
        networkFee: "0.00000100",
        payments: [
          { id: "tx1", receivedDate: CREATED + 30, value: "0.00010000", fee: "0", status: "Settled" },
          // A replaced transaction: it paid nothing.
          { id: "tx0", receivedDate: CREATED + 500, value: "0.00010000", fee: "0", status: "Invalid" },
        ],
      },
      {
        paymentMethod: "BTC-LightningNetwork",
        cryptoCode: "BTC",
        rate: "50000.00",
        amount: "0.00040000000",
        paymentMethodPaid: "0.00030000000",
        totalPaid: "0.00040000000",
        due: "0.00000000000",
        networkFee: "0",
        payments: [
          { id: "ln1", receivedDate: CREATED + 90, value: "0.00030000000", fee: "0", status: "Settled" },
        ],
      },
    ];
    const sale = parseBtcpayInvoices([v1], new Map([["v1", methods]])).sales[0];
    expect(sale).toMatchObject({
      amountSats: 40000,
      fiatAmount: 20,
      currency: "usd",
      date: (CREATED + 90) * 1000,
    });
  });

  it("Lightning's 11 decimals: the msat fraction of a sat is dropped", () => {
    const sale = parseBtcpayInvoice(invoice({ paymentMethods: [lightning("0.00015000999")] })).sales[0];
    expect(sale?.amountSats).toBe(15000);
  });

  it("a hand-marked Settled invoice no payment paid is worth its price in BTC, dated when created", () => {
    const unpaid = lightning("0.00000000000", { payments: [] });
    const sale = parseBtcpayInvoice(invoice({ additionalStatus: "Marked", paymentMethods: [unpaid] }))
      .sales[0];
    expect(sale).toMatchObject({ amountSats: 15000, fiatAmount: 7.5, date: CREATED * 1000 });
  });

  it("an invoice paid only in another coin is skipped, not counted as zero sats", () => {
    const ltc = { ...lightning("0.05"), paymentMethodId: "LTC-CHAIN", currency: "LTC" };
    const parsed = parseBtcpayInvoice(invoice({ paymentMethods: [lightning("0.00000000000"), ltc] }));
    expect(parsed.sales).toEqual([]);
    expect(parsed.skipped[0]?.reason).toBe("paid in a currency other than BTC");
  });

  it("an overpaid fiat invoice keeps what was paid: paidAmount over amount", () => {
    const over = invoice({ amount: "7.50", paidAmount: "8.00", additionalStatus: "PaidOver" });
    const sale = parseBtcpayInvoice(over, [lightning("0.00016000000")]).sales[0];
    expect(sale).toMatchObject({ amountSats: 16000, fiatAmount: 8 });
  });
});

describe("BTCPay answers with bad rows", () => {
  it("skips and counts each malformed invoice, and the rest land", () => {
    const badMethods = invoice({ id: "m", paymentMethods: { BTC: {} } });
    const parsed = parseBtcpayInvoices([
      "not an invoice",
      invoice({ id: 42 }),
      invoice({ id: "nostatus", status: null }),
      invoice({ id: "ms", createdTime: CREATED * 1000 }),
      invoice({ id: "iso", createdTime: "2025-11-10T13:20:00Z" }),
      invoice({ id: "nocur", currency: "" }),
      invoice({ id: "amt", amount: "7,50", paymentMethods: [lightning()] }),
      invoice({ id: "paid", paymentMethods: [lightning("lots")] }),
      badMethods,
      invoice({ id: "good", paymentMethods: [lightning()] }),
      invoice({ id: "good", paymentMethods: [lightning()] }),
    ]);
    expect(parsed.sales.map((s) => s.externalId)).toEqual(["good"]);
    expect(parsed.skipped.map((s) => [s.id, s.reason])).toEqual([
      ["?", "not an object"],
      ["42", "id is not a string"],
      ["nostatus", "status is not a string"],
      ["ms", "createdTime is not unix seconds"],
      ["iso", "createdTime is not unix seconds"],
      ["nocur", "currency is not a string"],
      ["amt", "amount is not a decimal"],
      ["paid", "paymentMethodPaid is not a decimal"],
      ["m", "payment methods are not a list"],
      ["good", "listed twice in one answer"],
    ]);
    expect(parsed.skippedCount).toBe(10);
  });

  it("an answer that is not a list fails the poll", () => {
    expect(() => parseBtcpayInvoices({ code: "unauthenticated", message: "…" })).toThrow(PayloadError);
    expect(() => parseBtcpayInvoices("<html>502</html>")).toThrow(PayloadError);
  });
});
