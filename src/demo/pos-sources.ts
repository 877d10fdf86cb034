/**
 * The demo's BTCPay Server and LNbits merchants: one in-process BTCPay mock with three stores and one
 * LNbits mock with two wallets, on ports of 127.0.0.1 of their own (fixed, so that a rerun finds
 * its merchants' base_url where it was), a few minutes of settled history, and a
 * timer that sells at every stand and sends the webhooks those systems send (BTCPay: signed; LNbits pay
 * link: with its secret; LNbits TPoS: none, the server's poll finds its sales).
 *
 * Shape and ids: what is sold and how each sale ends comes from a fixed seed per stand, so every run
 * is the same event. Invoice ids and payment hashes also carry the run's id (its start time), because
 * the mocks start empty each run while the database keeps the earlier run's sales: reused ids would
 * make the new sales look already stored. Stores, keys, wallets and secrets are the same every run,
 * so registering the merchants again is an update.
 */
import { type RunningBtcpayMock, startBtcpayMock } from "../mock/btcpay/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../mock/lnbits/index.js";
import { type Rng, stream } from "../mock/random.js";
import {
  type BtcpayCounter,
  btcpayPastSale,
  btcpaySale,
  type LnbitsCounter,
  lnbitsPastSale,
  lnurlpSale,
  tposSale,
} from "./pos-sales.js";
import {
  BTCPAY_STANDS,
  type BtcpayStand,
  LNBITS_STANDS,
  type LnbitsStand,
  type PosStand,
} from "./pos-stands.js";
import { type LoopStall, SalesLoop } from "./sales-loop.js";

export interface PosSourcesOptions {
  host: string;
  /** 0: a free port. */
  btcpayPort: number;
  lnbitsPort: number;
  /** The sales-rate multiplier of `--speed` (5 by default). */
  speed: number;
  /** Between two rounds of sales. */
  intervalMs: number;
  /** Differs between runs (the start time): part of every invoice id and payment hash. */
  runId: number;
  /** Seeds the event's shape (default 42). */
  seed?: number;
  log: (line: string) => void;
}

/** A merchant as the admin API takes it (`POST /v1/admin/merchants`). */
export type MerchantBody = Record<string, unknown> & { id: string; alias: string; source: string };

export interface PosSources {
  btcpayUrl: string;
  lnbitsUrl: string;
  stands: readonly PosStand[];
  merchants(): MerchantBody[];
  /** Starts selling; the webhooks go to the server at `serverBase`. No-op once stopped. */
  startSales(serverBase: string): void;
  /** Stops the timer and waits for the round in flight (its webhooks included). */
  stopSales(): Promise<void>;
  /** What the dashboard must show per merchant, by the mocks' own reckoning (for tests). */
  truth(): StandTruth[];
  /** Stops both mocks (after the server, so its last polls are answered). */
  close(): Promise<void>;
}

export interface StandTruth {
  merchantId: string;
  source: "btcpay" | "lnbits";
  /** Invoices or payments made, counted or not. */
  made: number;
  /** The sales that count: invoice id or payment hash, sats, fiat (null where unpriced). */
  sales: { externalId: string; sats: number; fiat: number | null; currency: string | null }[];
}

/** Mean sales per round at speed 5, by stand. */
const RATE: Record<string, number> = { bratwurst: 0.45, books: 0.2, swag: 0.25, latte: 0.5, raffle: 0.3 };
const HISTORY_SALES = 6;
const HISTORY_SPACING_S = 90;
const POS_APP_PERMISSIONS = ["btcpay.store.canmodifystoresettings"];

interface Stall extends LoopStall {
  stand: PosStand;
  body: MerchantBody;
  truth(): StandTruth;
}

export async function startPosSources(opts: PosSourcesOptions): Promise<PosSources> {
  const seed = opts.seed ?? 42;
  const btcpay = await startBtcpayMock({ host: opts.host, port: opts.btcpayPort, seed: opts.runId });
  let lnbits: StartedLnbitsMock;
  try {
    lnbits = await startLnbitsMock({ host: opts.host, port: opts.lnbitsPort });
  } catch (e) {
    await btcpay.stop();
    throw e;
  }
  const rng = (stand: PosStand) => stream(seed, "pos-demo", stand.id);
  const stalls: Stall[] = [
    ...BTCPAY_STANDS.map((stand) => btcpayStall(btcpay, stand, rng(stand))),
    ...LNBITS_STANDS.map((stand) => lnbitsStall(lnbits, stand, rng(stand), opts.runId)),
  ];
  const loop = new SalesLoop(stalls, opts);
  return {
    btcpayUrl: btcpay.url,
    lnbitsUrl: lnbits.url,
    stands: stalls.map((s) => s.stand),
    merchants: () => stalls.map((s) => s.body),
    truth: () => stalls.map((s) => s.truth()),
    startSales: (serverBase) => loop.start(serverBase),
    stopSales: () => loop.stop(),
    close: async () => {
      await loop.stop();
      await Promise.all([btcpay.stop(), lnbits.stop()]);
    },
  };
}

/** A store (with its key, and for a POS app stand the app and a key that may read it) and its history. */
function btcpayStall(mock: RunningBtcpayMock, stand: BtcpayStand, rng: Rng): Stall {
  mock.addStore({
    id: stand.storeId,
    name: stand.alias,
    apiKey: stand.apiKey,
    defaultCurrency: stand.currency,
    ...(stand.posApp ? { permissions: POS_APP_PERMISSIONS } : {}),
  });
  const app = stand.posApp
    ? mock.addPosApp(stand.storeId, { id: `${stand.storeId}Pos`, name: stand.alias, items: [...stand.menu] })
    : undefined;
  const c: BtcpayCounter = { mock, stand, target: { url: "", secret: stand.webhookSecret }, made: 0 };
  const nowS = Math.floor(Date.now() / 1000);
  for (let i = HISTORY_SALES; i > 0; i--) btcpayPastSale(rng, c, nowS - i * HISTORY_SPACING_S);
  const settings = {
    base_url: mock.url,
    store_id: stand.storeId,
    api_key: stand.apiKey,
    webhook_secret: stand.webhookSecret,
    ...(app === undefined ? {} : { pos_app_id: app }),
  };
  return {
    stand,
    body: { id: stand.id, alias: stand.alias, source: "btcpay", btcpay: settings },
    rate: RATE[stand.id] ?? 0.3,
    rng,
    sell: (ctx) => btcpaySale(rng, c, ctx),
    truth: () => ({
      merchantId: stand.id,
      source: "btcpay",
      made: c.made,
      sales: (mock.groundTruth(stand.storeId)[0]?.sales ?? []).map((t) => ({
        externalId: t.invoiceId,
        sats: t.sats,
        fiat: t.fiat,
        currency: t.currency,
      })),
    }),
    retarget: (base) => {
      c.target.url = `${base}/v1/webhooks/btcpay/${encodeURIComponent(stand.id)}`;
    },
  };
}

/** A wallet and its history; the TPoS one has no webhook secret, as TPoS sends no webhooks. */
function lnbitsStall(mock: StartedLnbitsMock, stand: LnbitsStand, rng: Rng, runId: number): Stall {
  const wallet = mock.addWallet({ name: stand.walletName });
  const c: LnbitsCounter = { mock, stand, inkey: wallet.inkey, url: "", runId, sold: 0 };
  const nowMs = Date.now();
  for (let i = HISTORY_SALES; i > 0; i--) lnbitsPastSale(rng, c, nowMs - i * HISTORY_SPACING_S * 1000);
  const settings = {
    base_url: mock.url,
    api_key: wallet.inkey,
    ...(stand.webhookSecret === null ? {} : { webhook_secret: stand.webhookSecret }),
  };
  return {
    stand,
    body: { id: stand.id, alias: stand.alias, source: "lnbits", lnbits: settings },
    rate: RATE[stand.id] ?? 0.3,
    rng,
    sell: (ctx) => (stand.kind === "tpos" ? tposSale(rng, c, ctx) : lnurlpSale(rng, c, ctx)),
    truth: () => ({
      merchantId: stand.id,
      source: "lnbits",
      made: c.sold,
      sales: mock.groundTruth(wallet.inkey).map((t) => ({
        externalId: t.hash,
        sats: t.amountSats,
        fiat: t.fiatAmount,
        currency: t.currency,
      })),
    }),
    retarget: (base) => {
      c.url = `${base}/v1/webhooks/lnbits/${encodeURIComponent(stand.id)}`;
    },
  };
}
