/**
 * One sale at a BTCPay or LNbits stand of the demo, the way the real systems would see it: the sale is
 * made in the mock first (the API is the truth), then the source's webhook is sent where the source
 * sends one. What a sale holds and how it ends (paid now, paid a little later, expired unpaid, paid
 * after expiry) is drawn from the stand's seeded stream, so the event has the same shape every run.
 * Some endings must not count: an expired BTCPay invoice, paid late or not, and an LNbits invoice that
 * failed; the dashboard should never show them.
 */
import { createHash } from "node:crypto";
import type { CartItemSpec, DeliveryTarget, InvoiceSpec, RunningBtcpayMock } from "../mock/btcpay/index.js";
import type { StartedLnbitsMock, TposSpec } from "../mock/lnbits/index.js";
import { intBetween, type Rng, shuffle } from "../mock/random.js";
import type { BtcpayStand, LnbitsStand, MenuItem } from "./pos-stands.js";

/** What a sale may ask of the loop that runs it. */
export interface SaleContext {
  /** Runs `then` this many ticks from now (a payment that comes later, an invoice that expires). */
  later(ticks: number, then: () => Promise<void> | void): void;
  /** Sends a webhook; a failure is logged on one line and left to the next poll. */
  notify(what: string, send: () => Promise<{ status: number }>): Promise<void>;
}

export interface BtcpayCounter {
  mock: RunningBtcpayMock;
  stand: BtcpayStand;
  /** Where this store's webhook goes, with its secret. */
  target: DeliveryTarget;
  /** Invoices made so far, counted or not. */
  made: number;
}

export interface LnbitsCounter {
  mock: StartedLnbitsMock;
  stand: LnbitsStand;
  inkey: string;
  /** The dashboard's webhook URL for this wallet, without a secret. */
  url: string;
  /** Ids of this run: payment hashes must differ from an earlier run's (stored sales are never re-read). */
  runId: number;
  /** Payments made so far (each hash is the run, the stand and this number), counted or not. */
  sold: number;
}

interface CartLine {
  item: MenuItem;
  count: number;
}

/** One to three distinct items of the menu, one or two of each. */
export function drawCart(rng: Rng, menu: readonly MenuItem[]): CartLine[] {
  const items = shuffle(rng, [...menu]).slice(0, intBetween(rng, 1, Math.min(3, menu.length)));
  return items.map((item) => ({ item, count: intBetween(rng, 1, 2) }));
}

/** An invoice's products: a POS cart, or at a stand with a POS app now and then a single item. */
function btcpayContent(rng: Rng, stand: BtcpayStand): InvoiceSpec {
  const priced = { currency: stand.currency, rate: stand.rate };
  if (stand.posApp && rng() < 0.4) {
    const item = stand.menu[intBetween(rng, 0, stand.menu.length - 1)] as MenuItem;
    // A 2.x single-item invoice names only the item code: the title comes from the POS app.
    return { ...priced, single: { itemCode: item.id, price: item.price } };
  }
  const cart: CartItemSpec[] = drawCart(rng, stand.menu).map(({ item, count }) => ({
    id: item.id,
    title: item.title,
    price: item.price,
    count,
  }));
  return { ...priced, cart };
}

/** A sale of the start-up history: settled a while ago, read by the first poll. */
export function btcpayPastSale(rng: Rng, c: BtcpayCounter, createdTime: number): void {
  c.made++;
  c.mock.addInvoice(c.stand.storeId, { ...btcpayContent(rng, c.stand), createdTime, paidAfterS: 20 });
}

export async function btcpaySale(rng: Rng, c: BtcpayCounter, ctx: SaleContext): Promise<void> {
  const { mock, stand, target } = c;
  const store = stand.storeId;
  const spec = btcpayContent(rng, stand);
  const send = (type: Parameters<RunningBtcpayMock["sendWebhook"]>[1], id: string, extra = {}) =>
    ctx.notify(`BTCPay webhook ${type} to ${stand.id}`, () =>
      mock.sendWebhook(target, type, store, id, extra),
    );
  const r = rng();
  c.made++;
  if (r < 0.05) {
    // Paid 20 minutes after it was created, after it expired: BTCPay keeps it Expired (PaidLate).
    const nowS = Math.floor(Date.now() / 1000);
    const inv = mock.addInvoice(store, {
      ...spec,
      createdTime: nowS - 1200,
      status: "Expired",
      additionalStatus: "PaidLate",
    });
    await send("InvoiceReceivedPayment", inv.id, { afterExpiration: true });
    return;
  }
  const inv = mock.addInvoice(store, { ...spec, status: "New" });
  if (r < 0.1) {
    // Nobody paid: it expires two ticks later.
    ctx.later(2, () => {
      mock.expire(store, inv.id);
      return send("InvoiceExpired", inv.id);
    });
  } else if (r < 0.22) {
    // The customer scans now and pays a tick or two later.
    ctx.later(intBetween(rng, 1, 2), () => {
      mock.settle(store, inv.id);
      return send("InvoiceSettled", inv.id);
    });
  } else {
    mock.settle(store, inv.id);
    await send("InvoiceSettled", inv.id);
  }
}

function nextHash(c: LnbitsCounter): string {
  return createHash("sha256")
    .update(`demo\u0000${c.runId}\u0000${c.stand.id}\u0000${++c.sold}`)
    .digest("hex");
}

function tposCart(rng: Rng, stand: LnbitsStand): TposSpec {
  const items = drawCart(rng, stand.menu).map(({ item, count }) => ({
    title: item.title,
    price: item.price,
    quantity: count,
  }));
  const tipSats = rng() < 0.3 ? intBetween(rng, 1, 5) * 100 : undefined;
  return {
    tposId: stand.id,
    currency: stand.currency ?? "EUR",
    satsPerUnit: stand.satsPerUnit,
    items,
    ...(tipSats === undefined ? {} : { tipSats }),
  };
}

function ticket(rng: Rng, stand: LnbitsStand): MenuItem {
  return stand.menu[intBetween(rng, 0, stand.menu.length - 1)] as MenuItem;
}

export function lnbitsPastSale(rng: Rng, c: LnbitsCounter, time: number): void {
  const hash = nextHash(c);
  if (c.stand.kind === "tpos") c.mock.addPayment(c.inkey, { hash, time, tpos: tposCart(rng, c.stand) });
  else
    c.mock.addPayment(c.inkey, {
      hash,
      time,
      amountSats: ticket(rng, c.stand).price,
      lnurlp: { link: "raffle" },
    });
}

/** A TPoS sale: never a webhook (TPoS sends none), the poll finds it, pending ones once they are paid. */
export function tposSale(rng: Rng, c: LnbitsCounter, ctx: SaleContext): void {
  const hash = nextHash(c);
  const r = rng();
  const status = r < 0.18 ? "pending" : "success";
  c.mock.addPayment(c.inkey, { hash, status, tpos: tposCart(rng, c.stand), expirySec: 600 });
  if (r < 0.06) ctx.later(3, () => c.mock.fail(c.inkey, hash));
  else if (r < 0.18) ctx.later(intBetween(rng, 1, 2), () => c.mock.settle(c.inkey, hash));
}

/**
 * A raffle ticket: mostly through the pay link, whose webhook carries the secret as a header; now and
 * then an invoice made through the API, whose core webhook can only carry it in the URL.
 */
export async function lnurlpSale(rng: Rng, c: LnbitsCounter, ctx: SaleContext): Promise<void> {
  const hash = nextHash(c);
  const item = ticket(rng, c.stand);
  const secret = c.stand.webhookSecret ?? "";
  if (rng() < 0.25) {
    const url = `${c.url}?secret=${encodeURIComponent(secret)}`;
    c.mock.addPayment(c.inkey, { hash, amountSats: item.price, memo: `Raffle: ${item.title}`, webhook: url });
    await ctx.notify(`LNbits invoice webhook to ${c.stand.id}`, () =>
      c.mock.sendInvoiceWebhook(url, c.inkey, hash),
    );
    return;
  }
  const comment = rng() < 0.5 ? `${item.title}, good luck!` : null;
  c.mock.addPayment(c.inkey, { hash, amountSats: item.price, lnurlp: { link: "raffle", comment } });
  await ctx.notify(`LNbits pay link webhook to ${c.stand.id}`, () =>
    c.mock.sendLnurlpWebhook(c.url, c.inkey, hash, { headers: { "X-Webhook-Secret": secret } }),
  );
}
