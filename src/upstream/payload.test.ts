import { describe, expect, it } from "vitest";
import { MAX_KEPT_SKIPS, PayloadError, parsePosPayload, toSats } from "./payload.js";

/** A trimmed real answer, as in shared/spec/upstream-paywithflash.md. */
const realAnswer = {
  success: true,
  status_code: 200,
  message: "PoS fetched successfully",
  data: {
    id: 173,
    name: "test",
    currency: "usd",
    created_at: "2025-08-22T12:56:20.213735",
    total_transactions: 15,
    total_revenue_sats: "3450",
    wallet_id: "3483",
    products: [
      {
        productid: 523,
        name: "cheap product",
        currency: "usd",
        price: "0.05",
        total_transactions: 7,
        total_units_sold: 37,
        total_revenue_sats: "1628.00000000",
        total_revenue_currency: "1.85",
        activestatus: true,
        deleted: false,
        wallet_id: 3481,
      },
    ],
    sales: [
      {
        SaleId: 1441,
        SaleOrigin: "pos",
        SaleOriginId: 173,
        SaleDate: "2025-08-22T19:27:23.532000+00:00",
        Currency: "usd",
        TotalCostSats: "9",
        TotalCostCurrency: "0.01",
        TotalTaxAmount: 0.0,
        Products: [],
      },
      {
        SaleId: 1488,
        SaleOrigin: "pos",
        SaleDate: "2025-08-27T18:25:22.315000+00:00",
        Currency: "usd",
        TotalCostSats: "977",
        TotalCostCurrency: "1.1",
        Products: [
          {
            ProductID: 523,
            ProductName: "cheap product",
            ProductPrice: 0.05,
            ProductPriceSats: 44.0,
            Quantity: 2,
            ProductCurrency: "usd",
          },
          {
            ProductID: 480,
            ProductName: "loroco pupusa",
            ProductPrice: 1.0,
            ProductPriceSats: 889.0,
            Quantity: 1,
            ProductCurrency: "usd",
          },
        ],
      },
    ],
  },
};

function withSales(sales: unknown[], products: unknown[] = []) {
  return { ...realAnswer, data: { ...realAnswer.data, sales, products } };
}

describe("parsePosPayload", () => {
  it("reads the real answer", () => {
    const parsed = parsePosPayload(realAnswer);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.sales).toEqual([
      {
        saleId: 1441,
        origin: "pos",
        date: Date.UTC(2025, 7, 22, 19, 27, 23, 532),
        amountSats: 9,
        fiatAmount: 0.01,
        currency: "usd",
        lines: [],
      },
      {
        saleId: 1488,
        origin: "pos",
        date: Date.UTC(2025, 7, 27, 18, 25, 22, 315),
        amountSats: 977,
        fiatAmount: 1.1,
        currency: "usd",
        lines: [
          { productId: 523, name: "cheap product", quantity: 2, unitSats: 44 },
          { productId: 480, name: "loroco pupusa", quantity: 1, unitSats: 889 },
        ],
      },
    ]);
    expect(parsed.products).toEqual([
      {
        productId: 523,
        name: "cheap product",
        currency: "usd",
        price: "0.05",
        totalTransactions: 7,
        totalUnitsSold: 37,
        totalRevenueSats: 1628,
        active: true,
        deleted: false,
      },
    ]);
  });

  it("treats success:false as a failed poll", () => {
    expect(() => parsePosPayload({ success: false, message: "invalid public key" })).toThrow(
      new PayloadError("upstream reported failure: invalid public key"),
    );
  });

  it.each([[null], [[]], ["text"], [{ success: true }], [{ success: true, data: [] }]])(
    "rejects an unusable envelope %j",
    (body) => {
      expect(() => parsePosPayload(body)).toThrow(PayloadError);
    },
  );

  it("accepts empty or missing arrays: a merchant with nothing sold is normal", () => {
    const nothing = { sales: [], products: [], skipped: [], skippedCount: 0 };
    expect(parsePosPayload(withSales([]))).toEqual(nothing);
    expect(parsePosPayload({ success: true, data: { id: 1 } })).toEqual(nothing);
  });

  it("skips and reports bad rows while the good ones still land", () => {
    const good = { SaleId: 1, SaleDate: "2025-08-22T19:27:23+00:00", TotalCostSats: "100" };
    const parsed = parsePosPayload(
      withSales([
        good,
        { SaleId: 2, SaleDate: "2025-08-22T19:27:23+00:00", TotalCostSats: "abc" },
        { SaleId: 3, SaleDate: "2025-08-22T19:27:23+00:00", TotalCostSats: "-5" },
        { SaleId: 4, SaleDate: "2025-08-22T19:27:23+00:00", TotalCostSats: null },
        { SaleId: 5, SaleDate: "yesterday", TotalCostSats: "1" },
        { SaleId: "x", SaleDate: "2025-08-22T19:27:23+00:00", TotalCostSats: "1" },
        "not a sale",
        { ...good },
      ]),
    );
    expect(parsed.sales.map((s) => s.saleId)).toEqual([1]);
    expect(parsed.skipped).toEqual([
      { kind: "sale", id: "2", reason: "TotalCostSats is not a non-negative number" },
      { kind: "sale", id: "3", reason: "TotalCostSats is not a non-negative number" },
      { kind: "sale", id: "4", reason: "TotalCostSats is not a non-negative number" },
      { kind: "sale", id: "5", reason: "SaleDate is not a date" },
      { kind: "sale", id: "x", reason: "SaleId is not a whole number" },
      { kind: "sale", id: "?", reason: "not an object" },
      { kind: "sale", id: "1", reason: "duplicate SaleId in payload" },
    ]);
  });

  it("counts every skipped row but keeps only the first MAX_KEPT_SKIPS, whatever their number", () => {
    const bad = Array.from({ length: MAX_KEPT_SKIPS + 500 }, (_, i) => ({ SaleId: i, TotalCostSats: "1" }));
    const parsed = parsePosPayload(withSales([...bad, { SaleId: -1 }, "row"]));
    expect(parsed.skippedCount).toBe(MAX_KEPT_SKIPS + 502);
    expect(parsed.skipped).toHaveLength(MAX_KEPT_SKIPS);
    expect(parsed.skipped[0]).toEqual({ kind: "sale", id: "0", reason: "SaleDate is not a date" });
  });

  it("keeps a sale whose product line is bad, without that line", () => {
    const parsed = parsePosPayload(
      withSales([
        {
          SaleId: 7,
          SaleDate: "2025-08-22T19:27:23+00:00",
          TotalCostSats: 50,
          Products: [
            { ProductID: 1, ProductName: "ok", ProductPriceSats: "25", Quantity: 2 },
            { ProductID: 2, ProductName: "bad", ProductPriceSats: "x", Quantity: 1 },
          ],
        },
      ]),
    );
    expect(parsed.sales[0]?.lines).toEqual([{ productId: 1, name: "ok", quantity: 2, unitSats: 25 }]);
    expect(parsed.skipped).toEqual([
      { kind: "sale line", id: "7", reason: "product 2: ProductPriceSats is not a non-negative number" },
    ]);
  });

  it("tolerates extra fields, other key styles and both wallet_id types", () => {
    const parsed = parsePosPayload(
      withSales(
        [
          {
            sale_id: "9",
            sale_date: "2025-08-22T19:27:23.5+02:00",
            total_cost_sats: "1.6",
            surprise: { nested: [1, 2] },
          },
        ],
        [
          {
            productid: "5",
            name: "p",
            total_transactions: "2",
            total_revenue_sats: 10.4,
            wallet_id: "7",
            x: 1,
          },
        ],
      ),
    );
    expect(parsed.sales).toEqual([
      {
        saleId: 9,
        origin: "unknown",
        date: Date.UTC(2025, 7, 22, 17, 27, 23, 500),
        amountSats: 2,
        fiatAmount: null,
        currency: null,
        lines: [],
      },
    ]);
    expect(parsed.products[0]).toMatchObject({
      productId: 5,
      totalTransactions: 2,
      totalRevenueSats: 10,
      active: true,
    });
  });

  it("skips a product row with bad figures", () => {
    const parsed = parsePosPayload(
      withSales(
        [],
        [{ productid: 1, total_transactions: "many", total_revenue_sats: "1" }, { name: "no id" }],
      ),
    );
    expect(parsed.products).toEqual([]);
    expect(parsed.skipped.map((s) => s.kind)).toEqual(["product", "product"]);
  });
});

describe("toSats", () => {
  it.each([
    ["977", 977],
    ["1628.00000000", 1628],
    [44.0, 44],
    ["0.5", 1],
    [0.4, 0],
    ["+3", 3],
  ])("%j is %d", (v, n) => {
    expect(toSats(v)).toBe(n);
  });

  it.each(["abc", "-5", -5, null, undefined, "", "1e3", "NaN", Number.POSITIVE_INFINITY, true, {}])(
    "rejects %j",
    (v) => {
      expect(toSats(v)).toBeNull();
    },
  );
});
