/**
 * The demo event's stands that are not on PayWithFlash: three BTCPay Server stores and two LNbits
 * wallets, what they sell and at what price. Data only: pos-sources.ts serves them from the mocks and
 * pos-sales.ts sells from these menus. Ids, keys and secrets are fixed strings so that a rerun
 * registers the same merchants with the same settings (an update, not a second merchant).
 */
import { createHash } from "node:crypto";

export interface MenuItem {
  /** The item code (BTCPay) or nothing but a stable key (LNbits TPoS keys items by title). */
  id: string;
  title: string;
  /** In the stand's currency: EUR/USD with cents, or whole sats. */
  price: number;
}

export interface BtcpayStand {
  source: "btcpay";
  /** The dashboard's merchant id. */
  id: string;
  alias: string;
  storeId: string;
  apiKey: string;
  webhookSecret: string;
  currency: "EUR" | "USD" | "SATS";
  /** Fiat per BTC, as BTCPay writes an invoice's rate. */
  rate: string;
  menu: readonly MenuItem[];
  /** Sells through a Point of Sale app the merchant names (`pos_app_id`), some items as single-item invoices. */
  posApp: boolean;
}

export interface LnbitsStand {
  source: "lnbits";
  id: string;
  alias: string;
  walletName: string;
  /** TPoS (carts in fiat; never sends webhooks) or an LNURLp pay link (sats; webhook with a secret). */
  kind: "tpos" | "lnurlp";
  webhookSecret: string | null;
  currency: "EUR" | null;
  /** Sats per unit of the currency (TPoS's exchange rate). */
  satsPerUnit: number;
  menu: readonly MenuItem[];
}

export type PosStand = BtcpayStand | LnbitsStand;

const EUR_PER_BTC = 92_000;
const USD_PER_BTC = 100_000;

/** A fixed string of hex, so keys look like keys and never change between runs. */
function fixed(label: string, length: number): string {
  return createHash("sha256").update(`live-pos-demo\u0000${label}`).digest("hex").slice(0, length);
}

function btcpay(
  id: string,
  alias: string,
  storeId: string,
  currency: BtcpayStand["currency"],
  menu: MenuItem[],
  posApp = false,
): BtcpayStand {
  const rate = currency === "USD" ? USD_PER_BTC : EUR_PER_BTC;
  return {
    source: "btcpay",
    id,
    alias,
    storeId,
    apiKey: fixed(`btcpay key ${id}`, 40),
    webhookSecret: `whsec_${fixed(`btcpay webhook ${id}`, 24)}`,
    currency,
    rate: rate.toFixed(2),
    menu,
    posApp,
  };
}

export const BTCPAY_STANDS: readonly BtcpayStand[] = [
  btcpay(
    "bratwurst",
    "Bratwurst Brothers",
    "BratwurstStore01",
    "EUR",
    [
      { id: "bratwurst", title: "Bratwurst", price: 4.5 },
      { id: "currywurst", title: "Currywurst", price: 5 },
      { id: "fries", title: "Fries", price: 3 },
      { id: "craft-beer", title: "Craft Beer", price: 4 },
      { id: "lemonade", title: "Lemonade", price: 3 },
    ],
    true,
  ),
  btcpay("books", "Sound Money Books", "SoundMoneyBooks1", "USD", [
    { id: "bitcoin-standard", title: "The Bitcoin Standard", price: 29 },
    { id: "mastering-bitcoin", title: "Mastering Bitcoin", price: 45 },
    { id: "broken-money", title: "Broken Money", price: 25 },
    { id: "sticker-pack", title: "Sticker Pack", price: 5 },
  ]),
  btcpay("swag", "Satoshi Swag", "SatoshiSwagShop1", "SATS", [
    { id: "orange-tee", title: "Orange T-Shirt", price: 45_000 },
    { id: "satoshi-cap", title: "Satoshi Cap", price: 25_000 },
    { id: "laser-sticker", title: "Laser-Eyes Sticker", price: 2_100 },
    { id: "hoodie", title: "Stack Sats Hoodie", price: 90_000 },
  ]),
];

export const LNBITS_STANDS: readonly LnbitsStand[] = [
  {
    source: "lnbits",
    id: "latte",
    alias: "Lightning Latte",
    walletName: "Lightning Latte TPoS",
    kind: "tpos",
    webhookSecret: null,
    currency: "EUR",
    satsPerUnit: Math.round(100_000_000 / EUR_PER_BTC),
    menu: [
      { id: "espresso", title: "Espresso", price: 2.5 },
      { id: "flat-white", title: "Flat White", price: 3.8 },
      { id: "cappuccino", title: "Cappuccino", price: 3.5 },
      { id: "croissant", title: "Croissant", price: 2.8 },
      { id: "banana-bread", title: "Banana Bread", price: 3.2 },
    ],
  },
  {
    source: "lnbits",
    id: "raffle",
    alias: "Lucky Sats Raffle",
    walletName: "Raffle Pay Link",
    kind: "lnurlp",
    webhookSecret: `lnbits_${fixed("lnbits webhook raffle", 24)}`,
    currency: null,
    satsPerUnit: 1,
    menu: [
      { id: "one-ticket", title: "1 ticket", price: 1_000 },
      { id: "lucky-ticket", title: "Lucky ticket", price: 2_100 },
      { id: "five-tickets", title: "5 tickets", price: 5_000 },
      { id: "whale-ticket", title: "Whale ticket", price: 21_000 },
    ],
  },
];
