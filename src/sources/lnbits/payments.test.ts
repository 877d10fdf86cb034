// LNbits payments as the API writes them: the Payment model of lnbits/core/models/payments.py (1.x:
// integer msat `amount`, `status`, ISO `time`; 0.x: `pending`, unix `time`), listed by GET /api/v1/payments
// and /api/v1/payments/paginated (docs.lnbits.com/api/core/payments, "List payments"), with the TPoS
// extra of lnbits/tpos views_api.py (1.x object details, ≤0.7 JSON-string details) and core's
// fiat_currency/fiat_amount extra; quirks from shared/spec/pos-sources.md "LNbits".
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { saleIdOfHash } from "../../store/webhook-sale.js";
import { PayloadError } from "../../upstream/payload.js";
import { parseLnbitsPayments } from "./payments.js";

const H1 = `4be1${"a".repeat(60)}`;
const H2 = `7a0d${"b".repeat(60)}`;

function productId(title: string): number {
  return Number.parseInt(createHash("sha256").update(title).digest("hex").slice(0, 13), 16);
}

function v1(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    checking_id: H1,
    payment_hash: H1,
    wallet_id: "c0ffee00",
    amount: 8500000,
    fee: 0,
    bolt11: "lnbc85u1p…",
    status: "success",
    memo: "$8.50 to Taco Stand",
    tag: "tpos",
    webhook: null,
    time: "2025-11-10T14:20:00+00:00",
    created_at: "2025-11-10T14:20:00+00:00",
    updated_at: "2025-11-10T14:20:41.503912+00:00",
    extra: {
      tag: "tpos",
      tpos_id: "Hk3",
      amount: 8500,
      tip_amount: null,
      exchangeRate: 1000.0,
      details: {
        currency: "USD",
        exchangeRate: 1000.0,
        taxIncluded: true,
        taxValue: 0,
        items: [
          { id: 0, title: "Taco", price: 3.5, quantity: 2, formattedPrice: "$3.50", tax: 0 },
          { id: 1, title: "Horchata", price: 1.5, quantity: 1, formattedPrice: "$1.50", tax: 0 },
        ],
      },
    },
    ...over,
  };
}

function v0(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    checking_id: H2,
    pending: false,
    amount: 2000000,
    fee: 0,
    memo: "$2.00",
    time: 1762780800,
    bolt11: "lnbc20u1p…",
    preimage: "00",
    payment_hash: H2,
    expiry: 1762784400.0,
    wallet_id: "be11",
    extra: {
      tag: "tpos",
      tposId: "Qm2",
      tipAmount: 0,
      amount: false,
      details:
        '{"currency":"USD","exchangeRate":1000,"items":[{"price":2,"quantity":1,"title":"Coffee","tax":0}]}',
    },
    ...over,
  };
}

describe("LNbits successful incoming payments", () => {
  it("1.x TPoS: msat to sats, ISO time, fiat from the exchange rate, items keyed by title", () => {
    const parsed = parseLnbitsPayments([v1()]);
    expect(parsed.skippedCount).toBe(0);
    expect(parsed.sales).toEqual([
      {
        saleId: saleIdOfHash(H1),
        externalId: H1,
        origin: "tpos",
        date: Date.UTC(2025, 10, 10, 14, 20, 0),
        amountSats: 8500,
        fiatAmount: 8.5,
        currency: "usd",
        lines: [
          { productId: productId("Taco"), name: "Taco", quantity: 2, unitSats: 3500 },
          { productId: productId("Horchata"), name: "Horchata", quantity: 1, unitSats: 1500 },
        ],
      },
    ]);
  });

  it("0.x / TPoS ≤0.7: pending false, unix time, details as a JSON string, items without id", () => {
    const sale = parseLnbitsPayments([v0()]).sales[0];
    expect(sale).toEqual({
      saleId: saleIdOfHash(H2),
      externalId: H2,
      origin: "tpos",
      date: 1762780800 * 1000,
      amountSats: 2000,
      fiatAmount: 2,
      currency: "usd",
      lines: [{ productId: productId("Coffee"), name: "Coffee", quantity: 1, unitSats: 2000 }],
    });
  });

  it("a product is its title, not its list position: same title at another id is the same product", () => {
    const moved = v1({ payment_hash: H2, checking_id: H2 });
    (moved.extra as { details: { items: unknown[] } }).details.items = [
      { id: 5, title: "Taco", price: 3.5, quantity: 1 },
    ];
    const [a, b] = parseLnbitsPayments([v1(), moved]).sales;
    expect(b?.lines[0]?.productId).toBe(a?.lines[0]?.productId);
  });

  it("ids: the webhook's number for the same hash, below 2^53; upper-case hashes read the same", () => {
    const upper = parseLnbitsPayments([v1({ payment_hash: H1.toUpperCase() })]).sales[0];
    expect(upper?.externalId).toBe(H1);
    expect(upper?.saleId).toBe(Number.parseInt(H1.slice(0, 13), 16));
    expect(upper?.saleId).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });

  it("only successful incoming Lightning payments count", () => {
    const parsed = parseLnbitsPayments([
      v1({ payment_hash: "1".repeat(64), status: "pending" }),
      v1({ payment_hash: "2".repeat(64), status: "failed" }),
      v0({ payment_hash: "3".repeat(64), pending: true }),
      // TPoS forwarding a tip: outgoing, negative.
      v1({ payment_hash: "4".repeat(64), amount: -500000, extra: { tag: "tpos", tipSplitted: true } }),
      // Cash and card settlements through TPoS: no bitcoin moved.
      v1({
        payment_hash: "5".repeat(64),
        checking_id: `internal_cash_${"5".repeat(64)}`,
        extra: { tag: "tpos", paid_in_fiat: true },
      }),
      v1({ payment_hash: "6".repeat(64), checking_id: `fiat_stripe_pi_123`, extra: { tag: "tpos" } }),
      // 0.12 has both fields: status decides.
      v0({ payment_hash: "7".repeat(64), status: "pending", pending: false }),
      // Under one sat is no sale (as the WiFi webhook has it).
      v1({ payment_hash: "8".repeat(64), amount: 999, extra: {} }),
      // Paid inside the instance: internal_<hash> is Lightning all the same.
      v1({ payment_hash: "9".repeat(64), checking_id: `internal_${"9".repeat(64)}` }),
    ]);
    expect(parsed.sales.map((s) => s.externalId)).toEqual(["9".repeat(64)]);
    expect(parsed.notCounted).toBe(8);
    expect(parsed.withdrawn).toEqual([]);
    expect(parsed.skippedCount).toBe(0);
  });

  it("msat: a fraction of a sat is dropped", () => {
    const sales = parseLnbitsPayments([
      v1({ payment_hash: "1".repeat(64), amount: 1999, extra: {} }),
      v1({ payment_hash: "2".repeat(64), amount: 21000999, extra: {} }),
    ]).sales;
    expect(sales.map((s) => s.amountSats)).toEqual([1, 21000]);
  });

  it("the paginated answer {data, total}; a zone-less 1.x time is UTC", () => {
    const sale = parseLnbitsPayments({ data: [v1({ time: "2025-11-10T14:20:00.250000" })], total: 1 })
      .sales[0];
    expect(sale?.date).toBe(Date.UTC(2025, 10, 10, 14, 20, 0, 250));
  });

  it("LNURLp and plain invoices: origin from the tag, fiat only when core marked a fiat unit", () => {
    const parsed = parseLnbitsPayments([
      v1({
        payment_hash: "1".repeat(64),
        tag: "lnurlp",
        extra: { tag: "lnurlp", link: "x1", comment: "gm" },
      }),
      v1({
        payment_hash: "2".repeat(64),
        tag: null,
        extra: { fiat_currency: "EUR", fiat_amount: 8.5, fiat_rate: 1000 },
      }),
      v1({
        payment_hash: "3".repeat(64),
        tag: null,
        extra: { wallet_fiat_currency: "USD", wallet_fiat_amount: 9.1 },
      }),
    ]);
    expect(parsed.sales.map((s) => [s.origin, s.fiatAmount, s.currency, s.lines])).toEqual([
      ["lnurlp", null, null, []],
      ["unknown", 8.5, "eur", []],
      ["unknown", null, null, []],
    ]);
  });

  it("a TPoS payment with a tip: fiat is the whole payment at the rate, lines are the items' prices", () => {
    const tipped = v1({ amount: 9500000 });
    Object.assign(tipped.extra as object, { tip_amount: 1000 });
    const sale = parseLnbitsPayments([tipped]).sales[0];
    expect(sale).toMatchObject({ amountSats: 9500, fiatAmount: 9.5 });
    expect(sale?.lines.map((l) => l.unitSats)).toEqual([3500, 1500]);
  });
  it("a TPoS priced in sats: lines in sats, no fiat side", () => {
    const inSats = v1({
      amount: 3000000,
      extra: {
        tag: "tpos",
        amount: 3000,
        exchangeRate: 1,
        details: {
          currency: "sat",
          exchangeRate: 1,
          items: [{ id: 0, title: "Pin", price: 1500, quantity: 2 }],
        },
      },
    });
    expect(parseLnbitsPayments([inSats]).sales[0]).toMatchObject({
      amountSats: 3000,
      fiatAmount: null,
      currency: null,
      lines: [{ productId: productId("Pin"), name: "Pin", quantity: 2, unitSats: 1500 }],
    });
  });
});

describe("LNbits answers with bad rows", () => {
  it("skips and counts each malformed payment, and the rest land", () => {
    const badItems = v1({ payment_hash: "e".repeat(64) });
    (badItems.extra as { details: { items: unknown[] } }).details.items = [
      { id: 0, price: 1, quantity: 1 },
      { id: 1, title: "Zero", price: 1, quantity: 0 },
      { id: 2, title: "Odd", price: "free", quantity: 1 },
      { id: 3, title: "Fine", price: 1, quantity: 1 },
    ];
    const parsed = parseLnbitsPayments([
      null,
      v1({ payment_hash: "xyz" }),
      v1({ payment_hash: "a".repeat(64), amount: "8500000" }),
      v1({ payment_hash: "b".repeat(64), status: undefined }),
      v1({ payment_hash: "c".repeat(64), time: "yesterday" }),
      v0({ payment_hash: "d".repeat(64), time: 1762780800000 }),
      badItems,
      v1(),
      v1(),
    ]);
    expect(parsed.sales.map((s) => s.externalId)).toEqual(["e".repeat(64), H1]);
    expect(parsed.sales[0]?.lines.map((l) => l.name)).toEqual(["Fine"]);
    expect(parsed.skipped.map((s) => [s.kind, s.id.slice(0, 4), s.reason])).toEqual([
      ["sale", "?", "not an object"],
      ["sale", "xyz", "payment_hash is not 64 hex digits"],
      ["sale", "aaaa", "amount is not an integer (msat)"],
      ["sale", "bbbb", "neither status nor pending says whether it was paid"],
      ["sale", "cccc", "time is neither an ISO instant nor unix seconds"],
      ["sale", "dddd", "time is neither an ISO instant nor unix seconds"],
      ["sale line", "eeee", "item has no title"],
      ["sale line", "eeee", "item Zero: quantity is not a positive number"],
      ["sale line", "eeee", "item Odd: price is not a non-negative number"],
      ["sale", "4be1", "listed twice in one answer"],
    ]);
    expect(parsed.skippedCount).toBe(10);
  });

  it("an answer that is neither a list nor {data} fails the poll", () => {
    expect(() => parseLnbitsPayments({ detail: "Wallet not found." })).toThrow(PayloadError);
    expect(() => parseLnbitsPayments(null)).toThrow(PayloadError);
  });
});
