/**
 * An LNbits-like server for tests and the demo: wallets keyed by their invoice key, payments in the
 * 1.x or 0.x wire format, pending invoices that succeed later with their `time` unchanged, failed and
 * outgoing payments that are no sales, fault injection per wallet, both webhook deliveries, and the
 * ground truth a correct client must store. `createLnbitsMock()` gives a handler to mount in another
 * server; `startLnbitsMock()` serves it alone on 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenMock } from "../listen.js";
import { LnbitsApi, type LnbitsFault, type LnbitsRequestRecord } from "./api.js";
import {
  type LnbitsTruthSale,
  type LnbitsVersion,
  type MockPayment,
  type MockWallet,
  newPayment,
  newWallet,
  type PaymentSpec,
  truthOf,
} from "./model.js";
import { invoiceDeliveryBody, lnurlpDeliveryBody, postJson, type WebhookAnswer } from "./webhooks.js";

export type { LnbitsFault, LnbitsRequestRecord } from "./api.js";
export type { LnbitsTruthSale, LnbitsVersion, PaymentSpec, TposSpec, TruthLine } from "./model.js";
export type { WebhookAnswer } from "./webhooks.js";

export interface WalletSpec {
  /** Default "Wallet N". */
  name?: string;
  /** The invoice key; derived from the name when absent. */
  inkey?: string;
  /** Default "1.4". */
  version?: LnbitsVersion;
}

export interface LnbitsMockWallet {
  id: string;
  name: string;
  inkey: string;
  adminkey: string;
  version: LnbitsVersion;
}

export interface LnbitsMock {
  /** Answers LNbits' paths and returns true; false for any other path (for a host server to route). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  addWallet(spec?: WalletSpec): LnbitsMockWallet;
  /** Adds a payment to the wallet of this invoice key; returns its payment hash. */
  addPayment(inkey: string, spec?: PaymentSpec): string;
  /** A pending invoice is paid: status success, `time` unchanged, `updated_at` now. */
  settle(inkey: string, hash: string): void;
  /** A pending invoice expired: 1.x marks it failed, 0.x deletes it. */
  fail(inkey: string, hash: string): void;
  /** Writes these fields over the payment's JSON from now on (undefined removes one): a malformed row. */
  corrupt(inkey: string, hash: string, patch: Record<string, unknown>): void;
  /** Called as each request arrives, before it is answered; null to stop. */
  onRequest(cb: ((r: LnbitsRequestRecord) => void) | null): void;
  setFault(inkey: string, fault: LnbitsFault): void;
  clearFault(inkey: string): void;
  /** The wallet's sales, newest first, by the mock's own rule. */
  groundTruth(inkey: string): LnbitsTruthSale[];
  /** Every request answered so far (or those naming this wallet); `clearRequests` forgets them. */
  requests(inkey?: string): LnbitsRequestRecord[];
  clearRequests(): void;
  /** The LNURLp pay link's delivery of this payment, with the link's extra headers. */
  sendLnurlpWebhook(
    url: string,
    inkey: string,
    hash: string,
    opts?: { headers?: Record<string, string>; body?: string },
  ): Promise<WebhookAnswer>;
  /** Core's per-invoice delivery of this payment (1.x: a JSON string of the payment; 0.x: the object). */
  sendInvoiceWebhook(url: string, inkey: string, hash: string): Promise<WebhookAnswer>;
  /** Ends delayed answers. */
  stop(): void;
}

export function createLnbitsMock(opts: { now?: () => number } = {}): LnbitsMock {
  const now = opts.now ?? Date.now;
  const api = new LnbitsApi(now);
  const wallet = (inkey: string): MockWallet => {
    const w = api.wallets.get(inkey);
    if (!w) throw new RangeError(`no mock LNbits wallet with invoice key ${inkey}`);
    return w;
  };
  const payment = (w: MockWallet, hash: string): MockPayment => {
    const p = w.payments.find((x) => x.hash === hash.toLowerCase());
    if (!p) throw new RangeError(`wallet ${w.name} has no payment ${hash}`);
    return p;
  };
  return {
    handle: (req, res) => api.handle(req, res),
    addWallet(spec = {}) {
      const w = newWallet(spec.name ?? `Wallet ${api.wallets.size + 1}`, spec.inkey, spec.version ?? "1.4");
      if (api.wallets.has(w.inkey)) throw new RangeError(`invoice key ${w.inkey} is taken`);
      api.wallets.set(w.inkey, w);
      return { id: w.id, name: w.name, inkey: w.inkey, adminkey: w.adminkey, version: w.version };
    },
    addPayment(inkey, spec = {}) {
      const w = wallet(inkey);
      const p = newPayment(w, spec, now());
      if (w.payments.some((x) => x.hash === p.hash)) throw new RangeError(`payment ${p.hash} exists`);
      w.payments.push(p);
      return p.hash;
    },
    settle(inkey, hash) {
      const p = payment(wallet(inkey), hash);
      p.status = "success";
      p.updatedMs = Math.max(p.createdMs, now());
    },
    fail(inkey, hash) {
      const w = wallet(inkey);
      const p = payment(w, hash);
      if (w.version === "0.x") w.payments.splice(w.payments.indexOf(p), 1);
      else {
        p.status = "failed";
        p.updatedMs = Math.max(p.createdMs, now());
      }
    },
    corrupt(inkey, hash, patch) {
      payment(wallet(inkey), hash).patch = { ...patch };
    },
    onRequest(cb) {
      api.onRequest = cb;
    },
    setFault: (inkey, fault) => void api.faults.set(wallet(inkey).inkey, { ...fault }),
    clearFault: (inkey) => void api.faults.delete(inkey),
    groundTruth(inkey) {
      const sales = wallet(inkey)
        .payments.map(truthOf)
        .filter((s): s is LnbitsTruthSale => s !== null);
      return sales.sort((a, b) => b.timeMs - a.timeMs);
    },
    requests(inkey) {
      if (inkey === undefined) return [...api.requests];
      const id = wallet(inkey).id;
      return api.requests.filter((r) => r.walletId === id);
    },
    clearRequests: () => void api.requests.splice(0),
    sendLnurlpWebhook(url, inkey, hash, o = {}) {
      const p = payment(wallet(inkey), hash);
      return postJson(url, lnurlpDeliveryBody(p, o.body ?? null), o.headers ?? {});
    },
    sendInvoiceWebhook(url, inkey, hash) {
      const w = wallet(inkey);
      return postJson(url, invoiceDeliveryBody(w, payment(w, hash)));
    },
    stop: () => api.stop(),
  };
}

export interface StartedLnbitsMock extends Omit<LnbitsMock, "stop"> {
  /** e.g. "http://127.0.0.1:41234", no trailing slash. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The mock alone on a port of 127.0.0.1 (0: a free one); other paths answer FastAPI's 404. */
export async function startLnbitsMock(
  opts: { port?: number; host?: string; now?: () => number } = {},
): Promise<StartedLnbitsMock> {
  const mock = createLnbitsMock(opts.now ? { now: opts.now } : {});
  const listening = await listenMock(mock.handle, '{"detail":"Not Found"}', opts);
  return {
    ...mock,
    url: listening.url,
    port: listening.port,
    stop() {
      mock.stop();
      return listening.close();
    },
  };
}
