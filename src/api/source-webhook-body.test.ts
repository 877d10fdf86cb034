import { describe, expect, it } from "vitest";
import { readBtcpayDelivery, readLnbitsDelivery } from "./source-webhook-body.js";

const HASH = "7a0d".repeat(16);
const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

describe("the keys a delivery hints", () => {
  it("LNbits: payment_hash from a pay link's object, a 0.x payment, or a 1.1+ payment inside a JSON string", () => {
    const payment = { checking_id: HASH, payment_hash: HASH, amount: 2_000_000, pending: false };
    expect(readLnbitsDelivery(bytes({ payment_hash: HASH, amount: 8_500_000, lnurlp: "Xy12" }))).toEqual({
      keys: [HASH],
    });
    expect(readLnbitsDelivery(bytes(payment))).toEqual({ keys: [HASH] });
    expect(readLnbitsDelivery(bytes(JSON.stringify(JSON.stringify(payment))))).toEqual({ keys: [HASH] });
    expect(readLnbitsDelivery(bytes({ payment_hash: HASH.toUpperCase() }))).toEqual({ keys: [HASH] });
  });

  it("LNbits: anything else names no payment (and still asks for a poll)", () => {
    for (const body of ["", "paid", "null", "[1]", '"{nope"', JSON.stringify({ payment_hash: "abc" })])
      expect(readLnbitsDelivery(bytes(body)), body).toEqual({ keys: [] });
    // Two string levels at most: a string in a string in a string is not a payment.
    const thrice = JSON.stringify(JSON.stringify(JSON.stringify({ payment_hash: HASH })));
    expect(readLnbitsDelivery(bytes(thrice))).toEqual({ keys: [] });
  });

  it("BTCPay: the invoice id, nothing else from the event", () => {
    const event = { type: "InvoiceSettled", invoiceId: "Fq8kT2mWzL5nRb7xPc3Yd", metadata: { total: 9e9 } };
    expect(readBtcpayDelivery(bytes(event))).toEqual({ hint: { keys: ["Fq8kT2mWzL5nRb7xPc3Yd"] } });
    expect(readBtcpayDelivery(bytes({ invoiceId: "Fq8k" }))).toEqual({ hint: { keys: ["Fq8k"] } });
    expect(readBtcpayDelivery(bytes({ invoiceId: "__test__1b2c-3d__test__" }))).toEqual({
      ignored: "test delivery",
    });
    expect(() => readBtcpayDelivery(bytes("[]"))).toThrow("must be a JSON object");
  });
});
