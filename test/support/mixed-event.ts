/**
 * A mixed event for the full-system tests (issue 15): PayWithFlash merchants on the PWF mock, two
 * BTCPay stores and three LNbits wallets on their mocks, all on one hand-driven clock, and a fixed
 * plan of what each round sells. What the service must show is read back from the mocks' own ground
 * truth (mixed-truth.ts), never from the service.
 */

import { type RunningBtcpayMock, startBtcpayMock } from "../../src/mock/btcpay/index.js";
import { type MockUpstream, startMockUpstream } from "../../src/mock/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../../src/mock/lnbits/index.js";

export const MINUTE = 60_000;
export type SourceName = "pwf" | "btcpay" | "lnbits";

/** One merchant as the test registers it, and where its truth is. */
export interface PlannedMerchant {
  id: string;
  alias: string;
  source: SourceName;
  /** The admin API's POST body. */
  body: Record<string, unknown>;
  /** Every secret of its settings: none may come back from the admin API or reach a log. */
  secrets: string[];
  /** PWF merchant id, BTCPay store id or LNbits invoice key. */
  upstreamKey: string;
}

export interface MixedEvent {
  clock: { now: number };
  pwf: MockUpstream;
  btcpay: RunningBtcpayMock;
  lnbits: StartedLnbitsMock;
  merchants: PlannedMerchant[];
  /** Cart item names by store and item id (titles, or the POS app's), for the recount. */
  itemNames: Map<string, Map<string, string>>;
  stop(): Promise<void>;
}

/** Keys and secrets long and distinct enough that finding one in a text can only mean a leak. */
export const CAFE_KEY = "gf-cafe-key-7Qm3Xz9Lp2Wv8Rt5Ny1Kb4Hs6Jd0Fc";
export const CAFE_SECRET = "whsec-cafe-Vn4Rt8Lq2Zp6Xm0Kb3";
export const BAR_KEY = "gf-bar-key-Ju5Hn7Gt2Re9Wq4Ls8Pk1Md3Zc6Xv";
export const BAR_SECRET = "whsec-bar-Yb2Nc7Mv5Lx9Kz3Jq8";
export const TACOS_KEY = "a1c0ffee7acc05ee0ddba11f00d5eed1";
export const TACOS_SECRET = "ln-tacos-hook-Qs4Wd8Ef2Rg6";
export const MERCH_KEY = "b2de1ec7ab1e5ca1ab1e0ddba5eba112";
export const MERCH_SECRET = "ln-merch-hook-Tp7Yu3Io9Pa1";
export const OLD_KEY = "c3ba5eba11ca5cade0ffba11ad0be123";
export const OLD_SECRET = "ln-old-hook-Zx5Cv1Bn8Nm2";

export const CAFE_STORE = "CafeStore7Hn2";
export const BAR_STORE = "BarStore4Kd9";
/** The cafe's cart items; latte carries no title in its carts, so its name comes from the POS app. */
export const CAFE_ITEMS = {
  espresso: { title: "Espresso", price: 2.5 },
  croissant: { title: "Croissant", price: 3.2 },
  latte: { title: undefined, price: 4.1 },
} as const;
const CAFE_APP_ITEMS = [
  { id: "espresso", title: "Espresso", price: 2.5 },
  { id: "croissant", title: "Croissant", price: 3.2 },
  { id: "latte", title: "Caffè Latte", price: 4.1 },
];

export async function startMixedEvent(opts: { t0: number; pwfMerchants: number }): Promise<MixedEvent> {
  const clock = { now: opts.t0 };
  const now = () => clock.now;
  const pwf = await startMockUpstream({
    seed: 15,
    generate: false,
    history: false,
    merchants: opts.pwfMerchants,
    port: 0,
    now,
  });
  const btcpay = await startBtcpayMock({ seed: 15, now });
  const lnbits = await startLnbitsMock({ now });

  btcpay.addStore({
    id: CAFE_STORE,
    name: "Café Central",
    apiKey: CAFE_KEY,
    defaultCurrency: "EUR",
    // The POS app's item list (for lines without a title) needs the store-settings permission.
    permissions: ["btcpay.store.canmodifystoresettings"],
  });
  const appId = btcpay.addPosApp(CAFE_STORE, { id: "CafePosApp1", name: "Café POS", items: CAFE_APP_ITEMS });
  btcpay.addStore({ id: BAR_STORE, name: "Bar Nakamoto", apiKey: BAR_KEY, defaultCurrency: "SATS" });
  lnbits.addWallet({ name: "Taco Truck", inkey: TACOS_KEY, version: "1.4" });
  lnbits.addWallet({ name: "Merch Table", inkey: MERCH_KEY, version: "1.4" });
  lnbits.addWallet({ name: "Old Lemonade", inkey: OLD_KEY, version: "0.x" });

  const merchants: PlannedMerchant[] = pwf.merchants().map((m) => ({
    id: m.id,
    alias: m.name,
    source: "pwf",
    body: { id: m.id, public_key: m.publicKey, alias: m.name },
    secrets: [],
    upstreamKey: m.id,
  }));
  const bp = (id: string, alias: string, store: string, key: string, secret: string, app?: string) => ({
    id,
    alias,
    source: "btcpay" as const,
    body: {
      id,
      alias,
      source: "btcpay",
      btcpay: {
        base_url: btcpay.url,
        store_id: store,
        api_key: key,
        webhook_secret: secret,
        ...(app ? { pos_app_id: app } : {}),
      },
    },
    secrets: [key, secret],
    upstreamKey: store,
  });
  const ln = (id: string, alias: string, key: string, secret: string) => ({
    id,
    alias,
    source: "lnbits" as const,
    body: {
      id,
      alias,
      source: "lnbits",
      lnbits: { base_url: lnbits.url, api_key: key, webhook_secret: secret },
    },
    secrets: [key, secret],
    upstreamKey: key,
  });
  merchants.push(
    bp("btc-cafe", "Café Central", CAFE_STORE, CAFE_KEY, CAFE_SECRET, appId),
    bp("btc-bar", "Bar Nakamoto", BAR_STORE, BAR_KEY, BAR_SECRET),
    ln("ln-tacos", "Taco Truck", TACOS_KEY, TACOS_SECRET),
    ln("ln-merch", "Merch Table", MERCH_KEY, MERCH_SECRET),
    ln("ln-old", "Old Lemonade", OLD_KEY, OLD_SECRET),
  );
  const cafeNames = new Map(CAFE_APP_ITEMS.map((i) => [i.id, i.title]));
  const itemNames = new Map([
    [CAFE_STORE, cafeNames],
    [
      BAR_STORE,
      new Map([
        ["beer", "Beer"],
        ["nachos", "Nachos"],
      ]),
    ],
  ]);
  return {
    clock,
    pwf,
    btcpay,
    lnbits,
    merchants,
    itemNames,
    async stop() {
      await Promise.all([pwf.stop(), btcpay.stop(), lnbits.stop()]);
    },
  };
}

export const merchantOf = (e: MixedEvent, id: string): PlannedMerchant => {
  const m = e.merchants.find((x) => x.id === id);
  if (!m) throw new Error(`no planned merchant ${id}`);
  return m;
};
