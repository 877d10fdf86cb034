/**
 * The mixed event's plan (mixed-event.ts): the history before the first poll, and what each round
 * sells on every source, including what must never count (expired, invalid, pending, failed,
 * outgoing) and what changes later (Processing → Settled, pending → paid, settled → taken back).
 */
import {
  BAR_STORE,
  CAFE_ITEMS,
  CAFE_STORE,
  MERCH_KEY,
  MINUTE,
  type MixedEvent,
  OLD_KEY,
  TACOS_KEY,
} from "./mixed-event.js";

/** Sales dated before the first poll, hours before the rounds: in `all` but outside `1h`. */
export function seedHistory(e: MixedEvent): void {
  const before = Math.floor((e.clock.now - 3 * 60 * MINUTE) / 1000);
  e.btcpay.addInvoice(CAFE_STORE, {
    createdTime: before,
    cart: [{ id: "croissant", title: "Croissant", price: CAFE_ITEMS.croissant.price, count: 2 }],
  });
  e.btcpay.addInvoice(BAR_STORE, { createdTime: before, currency: "SATS", amount: "900" });
  e.lnbits.addPayment(TACOS_KEY, {
    time: e.clock.now - 3 * 60 * MINUTE,
    tpos: tacoCart(0),
  });
  const [first, second] = e.pwf.merchants();
  if (first) e.pwf.addHistory(first.id, 6, { spanMs: 2 * 24 * 60 * MINUTE });
  if (second) e.pwf.addHistory(second.id, 4, { spanMs: 2 * 24 * 60 * MINUTE });
}

const tacoCart = (r: number) => ({
  currency: "EUR",
  satsPerUnit: 1650,
  items: [
    { title: "Taco", price: 3.5, quantity: 1 + (r % 3) },
    ...(r % 2 === 0 ? [{ title: "Horchata", price: 2, quantity: 1 }] : []),
  ],
  ...(r % 2 === 0 ? { tipSats: 300 } : {}),
});

/** What a round's webhooks should deliver: BTCPay events and LNbits deliveries, all signed right. */
export interface RoundWebhooks {
  btcpay: {
    merchantId: string;
    type: "InvoiceSettled" | "InvoiceInvalid";
    invoiceId: string;
    redeliver: number;
  }[];
  lnurlp: { merchantId: string; hash: string; redeliver: number }[];
  invoice: { merchantId: string; hash: string }[];
}

/** Invoices and payments kept from one round to change in a later one. */
export interface Carry {
  processing?: string;
  settledCart?: string;
  pendingTaco?: string;
  pendingMerch?: string;
  failingMerch?: string;
}

/**
 * Round `r` (1…): two minutes pass, then every source sells. Returns the deliveries the sources would
 * send for it (TPoS sends none; some BTCPay and LNbits sales are left to polling on purpose).
 */
export function generateRound(e: MixedEvent, r: number, carry: Carry): RoundWebhooks {
  e.clock.now += 2 * MINUTE;
  const hooks: RoundWebhooks = { btcpay: [], lnurlp: [], invoice: [] };
  e.pwf.merchants().forEach((m, i) => {
    e.pwf.addSale(m.id);
    if ((r + i) % 2 === 0) e.pwf.addSale(m.id);
    if (i === 0 && r % 3 === 0) e.pwf.addSale(m.id, { amountSats: 1234 + r });
  });
  sellCafe(e, r, carry, hooks);
  sellBar(e, r);
  sellTacos(e, r, carry);
  sellMerch(e, r, carry, hooks);
  // Old lemonade stand (LNbits 0.x, TPoS ≤0.7 in USD), polled only.
  if (r % 2 === 1)
    e.lnbits.addPayment(OLD_KEY, {
      tpos: { currency: "USD", satsPerUnit: 1000, items: [{ title: "Lemonade", price: 3, quantity: 2 }] },
    });
  return hooks;
}

/** Café (BTCPay, EUR carts, webhooks on some rounds). */
function sellCafe(e: MixedEvent, r: number, carry: Carry, hooks: RoundWebhooks): void {
  const { espresso, croissant, latte } = CAFE_ITEMS;
  const cart = e.btcpay.addInvoice(CAFE_STORE, {
    cart: [
      { id: "espresso", title: espresso.title, price: espresso.price, count: 1 + (r % 2) },
      ...(r % 2 === 1 ? [{ id: "latte", price: latte.price, count: 1 }] : []),
      ...(r % 3 === 0 ? [{ id: "croissant", title: croissant.title, price: croissant.price, count: 3 }] : []),
    ],
    ...(r === 2 ? { posDataForm: "string" as const } : {}),
  });
  if (r === 1) {
    carry.settledCart = cart.id;
    carry.processing = e.btcpay.addInvoice(CAFE_STORE, {
      status: "Processing",
      paidWith: "BTC-CHAIN",
      cart: [{ id: "latte", price: latte.price, count: 2 }],
    }).id;
    hooks.btcpay.push({ merchantId: "btc-cafe", type: "InvoiceSettled", invoiceId: cart.id, redeliver: 1 });
  }
  if (r === 2) {
    e.btcpay.addInvoice(CAFE_STORE, { status: "Expired", additionalStatus: "PaidLate" });
    e.btcpay.addInvoice(CAFE_STORE, { status: "Invalid" });
    e.btcpay.addInvoice(CAFE_STORE, { status: "New" });
    e.btcpay.addInvoice(CAFE_STORE, { currency: "USD", amount: "12.00", paidWith: "split" });
  }
  if (r === 3 && carry.processing) {
    e.btcpay.settle(CAFE_STORE, carry.processing);
    hooks.btcpay.push({
      merchantId: "btc-cafe",
      type: "InvoiceSettled",
      invoiceId: carry.processing,
      redeliver: 2,
    });
  }
  if (r === 4 && carry.settledCart) {
    // Taken back by hand after it was stored.
    e.btcpay.markInvalid(CAFE_STORE, carry.settledCart);
    hooks.btcpay.push({
      merchantId: "btc-cafe",
      type: "InvoiceInvalid",
      invoiceId: carry.settledCart,
      redeliver: 1,
    });
  }
}

/** Bar (BTCPay, SATS and BTC, polled only). */
function sellBar(e: MixedEvent, r: number): void {
  if (r % 2 === 1)
    e.btcpay.addInvoice(BAR_STORE, {
      currency: "SATS",
      amount: String(2000 + 100 * r),
      single: { itemCode: "beer", itemDesc: "Beer", price: 2000 + 100 * r },
    });
  else
    e.btcpay.addInvoice(BAR_STORE, {
      currency: "BTC",
      paidWith: "split",
      cart: [{ id: "nachos", title: "Nachos", price: 0.00004, count: 2 }],
    });
}

/** Taco truck (LNbits TPoS, EUR carts; TPoS sends no webhooks). */
function sellTacos(e: MixedEvent, r: number, carry: Carry): void {
  e.lnbits.addPayment(TACOS_KEY, { tpos: tacoCart(r) });
  if (r === 2) carry.pendingTaco = e.lnbits.addPayment(TACOS_KEY, { status: "pending", tpos: tacoCart(5) });
  if (r === 3) {
    e.lnbits.addPayment(TACOS_KEY, { kind: "tip-forward", amountSats: 300 });
    e.lnbits.addPayment(TACOS_KEY, { kind: "cash", amountSats: 4000 });
  }
  if (r === 4 && carry.pendingTaco) e.lnbits.settle(TACOS_KEY, carry.pendingTaco);
}

/** Merch table (LNbits LNURLp and plain invoices, webhooks). */
function sellMerch(e: MixedEvent, r: number, carry: Carry, hooks: RoundWebhooks): void {
  const link = e.lnbits.addPayment(MERCH_KEY, {
    amountSats: 5000 + 10 * r,
    lnurlp: { link: "Mk3pQ", comment: `round ${r}` },
  });
  if (r !== 3) hooks.lnurlp.push({ merchantId: "ln-merch", hash: link, redeliver: r === 4 ? 1 : 0 });
  if (r === 1) carry.pendingMerch = e.lnbits.addPayment(MERCH_KEY, { status: "pending", amountSats: 21_000 });
  if (r === 2) {
    e.lnbits.addPayment(MERCH_KEY, { kind: "outgoing", amountSats: 7000 });
    carry.failingMerch = e.lnbits.addPayment(MERCH_KEY, { status: "pending", amountSats: 3333 });
  }
  if (r === 3 && carry.pendingMerch) {
    e.lnbits.settle(MERCH_KEY, carry.pendingMerch);
    hooks.invoice.push({ merchantId: "ln-merch", hash: carry.pendingMerch });
  }
  if (r === 4 && carry.failingMerch) e.lnbits.fail(MERCH_KEY, carry.failingMerch);
}
