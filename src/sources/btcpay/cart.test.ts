// Invoice metadata as the BTCPay Point of Sale app writes it (docs.btcpayserver.org/Development/
// InvoiceMetadata: posData, itemCode, itemDesc; the InvoiceMetadata example of the Greenfield reference,
// whose ≤1.6 cart prices are {"type","value","formatted"} objects), with the quirks of
// shared/spec/pos-sources.md "Carts": posData as an object or a JSON string, 2.x single items.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { invoiceLines } from "./cart.js";
import { parseBtcpayInvoice } from "./invoices.js";

function productId(key: string): number {
  return Number.parseInt(createHash("sha256").update(key).digest("hex").slice(0, 13), 16);
}

describe("BTCPay cart lines", () => {
  it("unit sats are the invoice's sats pro rata of its fiat amount; the tip stays the invoice's", () => {
    const posData = {
      cart: [
        { id: "pu erh", count: 1, price: { type: 2, value: 2, formatted: "$2.00" }, title: "Pu Erh" },
        { id: "rooibos", count: 1, price: { type: 2, value: 1.2, formatted: "$1.20" }, title: "Rooibos" },
      ],
      tip: 0.48,
      subTotal: 3.2,
      total: 3.68,
      customAmount: 0,
      discountAmount: 0,
      discountPercentage: 0,
    };
    // 3.68 USD paid as 3680 sats: 1000 sats a dollar.
    const { lines, problems } = invoiceLines({ orderId: "pos-app_346K", posData }, 3680, 3.68);
    expect(problems).toEqual([]);
    expect(lines).toEqual([
      { productId: productId("pu erh"), name: "Pu Erh", quantity: 1, unitSats: 2000 },
      { productId: productId("rooibos"), name: "Rooibos", quantity: 1, unitSats: 1200 },
    ]);
  });

  it("posData written as a JSON string (old invoices) and prices as numeric strings", () => {
    const posData = JSON.stringify({ cart: [{ id: "latte", title: "Latte", price: "3.00", count: "2" }] });
    expect(invoiceLines({ posData }, 6000, 6)).toEqual({
      lines: [{ productId: productId("latte"), name: "Latte", quantity: 2, unitSats: 3000 }],
      problems: [],
    });
  });

  it("a 2.x single item: a one-line cart without title, named by itemDesc, same product as its itemCode", () => {
    const v2 = invoiceLines(
      { itemCode: "latte", itemDesc: "Latte", posData: { cart: [{ id: "latte", count: 1, price: 3 }] } },
      3000,
      3,
    );
    const v1 = invoiceLines({ itemCode: "latte", itemDesc: "Latte" }, 3000, 3);
    expect(v2.lines).toEqual([{ productId: productId("latte"), name: "Latte", quantity: 1, unitSats: 3000 }]);
    // Without a cart the single item is the whole invoice.
    expect(v1.lines).toEqual(v2.lines);
  });

  it("no product lines for keypad amounts, foreign posData text or free-form metadata", () => {
    expect(
      invoiceLines({ posData: { amounts: [5, 2.5], subTotal: 7.5, total: 7.5 } }, 7500, 7.5).lines,
    ).toEqual([]);
    expect(invoiceLines({ posData: "table 4, no onions" }, 7500, 7.5).lines).toEqual([]);
    expect(invoiceLines({ buyerEmail: "a@example.com" }, 7500, 7.5).lines).toEqual([]);
    expect(invoiceLines(null, 7500, 7.5).lines).toEqual([]);
  });

  it("without an invoice amount the cart's own subtotal is the base", () => {
    const posData = {
      cart: [
        { id: "a", title: "A", price: 1, count: 1 },
        { id: "b", title: "B", price: 3, count: 1 },
      ],
    };
    expect(invoiceLines({ posData }, 4000, null).lines.map((l) => l.unitSats)).toEqual([1000, 3000]);
  });

  it("a bad cart item is skipped as a sale line; the sale and its other lines land", () => {
    const parsed = parseBtcpayInvoice({
      id: "inv1",
      status: "Settled",
      createdTime: 1762780800,
      currency: "SATS",
      amount: "1000",
      metadata: {
        posData: {
          cart: [
            { id: "ok", title: "OK", price: 500, count: 2 },
            { title: "no id", price: 1, count: 1 },
            { id: "half", price: 1, count: 0.5 },
            { id: "free", price: "n/a", count: 1 },
            7,
          ],
        },
      },
    });
    expect(parsed.sales).toHaveLength(1);
    expect(parsed.sales[0]?.lines).toEqual([
      { productId: productId("ok"), name: "OK", quantity: 2, unitSats: 500 },
    ]);
    expect(parsed.skipped).toEqual([
      { kind: "sale line", id: "inv1", reason: "cart item has no id" },
      { kind: "sale line", id: "inv1", reason: "item half: count is not a positive whole number" },
      { kind: "sale line", id: "inv1", reason: "item free: price is not a non-negative number" },
      { kind: "sale line", id: "inv1", reason: "cart item is not an object" },
    ]);
  });
});
