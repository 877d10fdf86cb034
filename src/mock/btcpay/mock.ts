/**
 * The mock BTCPay Server as a library object, without a socket of its own: tests, the demo and the
 * PayWithFlash mock's server can mount `handle` (see index.ts for the standalone server).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BtcpayHandler, type SeenRequest, type StoreFault } from "./handler.js";
import { base58Id } from "./ids.js";
import {
  type Delivery,
  type DeliveryTarget,
  deliver,
  type InvoiceEventType,
  invoiceEvent,
  redelivery,
  testEvent,
} from "./webhooks.js";
import {
  BtcpayWorld,
  type InvoiceSpec,
  type MethodId,
  type MockInvoice,
  type TruthSale,
  truthOf,
} from "./world.js";

export interface StoreSpec {
  id?: string;
  name: string;
  /** Default: a fresh key with btcpay.store.canviewinvoices and canviewstoresettings for this store. */
  apiKey?: string;
  permissions?: string[];
  defaultCurrency?: string;
  /** Honour includePaymentMethods (2.3.6+), default true; false imitates an older server. */
  inlinePaymentMethods?: boolean;
  /** Write paidAmount (2.1.2+), default true. */
  paidAmount?: boolean;
}

export interface StoreTruth {
  storeId: string;
  count: number;
  sats: number;
  sales: TruthSale[];
}

export interface BtcpayMockOptions {
  /** Ids and keys are derived from it (default 42). */
  seed?: number;
  /** Clock, epoch ms (default Date.now): invoices are created at its second unless told otherwise. */
  now?: () => number;
}

export const DEFAULT_PERMISSIONS = ["btcpay.store.canviewinvoices", "btcpay.store.canviewstoresettings"];

export class BtcpayMock {
  readonly world: BtcpayWorld;
  readonly handler: BtcpayHandler;
  private readonly seed: number;
  private stores = 0;

  constructor(opts: BtcpayMockOptions = {}) {
    this.seed = opts.seed ?? 42;
    const now = opts.now ?? Date.now;
    this.world = new BtcpayWorld(this.seed, () => Math.floor(now() / 1000));
    this.handler = new BtcpayHandler(this.world);
  }

  /** Answers /api/v1/* and returns true; false for any other path (the mounting server's own). */
  handle = (req: IncomingMessage, res: ServerResponse): boolean => this.handler.handle(req, res);

  addStore(spec: StoreSpec): { id: string; apiKey: string } {
    const n = this.stores++;
    const id = spec.id ?? base58Id(this.seed, "store", n).slice(0, 12);
    const apiKey =
      spec.apiKey ?? base58Id(this.seed, "key", id, n).toLowerCase().padEnd(40, "0").slice(0, 40);
    this.world.addStore({
      id,
      name: spec.name,
      defaultCurrency: spec.defaultCurrency ?? "EUR",
      inlinePaymentMethods: spec.inlinePaymentMethods ?? true,
      paidAmount: spec.paidAmount ?? true,
    });
    this.addKey(apiKey, [id], spec.permissions ?? DEFAULT_PERMISSIONS);
    return { id, apiKey };
  }

  /** A key for these stores ("*": every store, as a user-wide key) with these permissions. */
  addKey(key: string, stores: string[] | "*", permissions: string[]): void {
    this.world.keys.set(key, {
      stores: stores === "*" ? "*" : new Set(stores),
      permissions: new Set(permissions),
    });
  }

  addPosApp(
    storeId: string,
    app: { id?: string; name: string; items: { id: string; title: string; price: number }[] },
  ): string {
    const id = app.id ?? base58Id(this.seed, "app", storeId, app.name).slice(0, 14);
    const items = app.items.map((i) => ({ id: i.id, title: i.title, price: i.price.toFixed(2) }));
    this.world.apps.set(id, { id, storeId, name: app.name, items });
    return id;
  }

  addInvoice(storeId: string, spec: InvoiceSpec = {}): MockInvoice {
    return this.world.addInvoice(storeId, spec);
  }

  invoice(storeId: string, invoiceId: string): MockInvoice {
    return this.world.requireInvoice(storeId, invoiceId);
  }

  /** Paid, not yet confirmed: Processing (Lightning included, until settle()). */
  pay(storeId: string, invoiceId: string, opts: { with?: MethodId | "split"; at?: number } = {}): void {
    const inv = this.invoice(storeId, invoiceId);
    this.world.pay(inv, opts.with ?? "BTC-CHAIN", opts.at ?? this.world.nowS());
  }

  /** Confirmed: a Processing invoice settles; a New one is paid (on Lightning) and settles. */
  settle(storeId: string, invoiceId: string, opts: { with?: MethodId | "split"; at?: number } = {}): void {
    const inv = this.invoice(storeId, invoiceId);
    if (inv.payments.length === 0) this.world.pay(inv, opts.with ?? "BTC-LN", opts.at ?? this.world.nowS());
    this.world.confirm(inv);
  }

  markSettled(storeId: string, invoiceId: string): void {
    this.world.markSettled(this.invoice(storeId, invoiceId));
  }

  /** By hand (additionalStatus Marked); `byHand: false` is the monitoring window ending unconfirmed. */
  markInvalid(storeId: string, invoiceId: string, byHand = true): void {
    this.world.markInvalid(this.invoice(storeId, invoiceId), byHand);
  }

  expire(storeId: string, invoiceId: string): void {
    this.invoice(storeId, invoiceId).status = "Expired";
  }

  /** Archived invoices vanish from lists (unless includeArchived) but stay readable by id. */
  archive(storeId: string, invoiceId: string): void {
    this.invoice(storeId, invoiceId).archived = true;
  }

  setFault(storeId: string, fault: StoreFault | null): void {
    if (fault === null) this.handler.faults.delete(storeId);
    else this.handler.faults.set(storeId, fault);
  }

  /** What clients asked for, in order (of one store, or all). */
  requests(storeId?: string): SeenRequest[] {
    return storeId === undefined
      ? [...this.handler.seen]
      : this.handler.seen.filter((r) => r.storeId === storeId);
  }

  clearRequests(): void {
    this.handler.seen.length = 0;
  }

  /** Settled invoices as sales, by the mock's own reckoning, per store (all or one). */
  groundTruth(storeId?: string): StoreTruth[] {
    const ids = storeId === undefined ? [...this.world.stores.keys()] : [storeId];
    return ids.map((id) => {
      const sales = (this.world.invoices.get(id) ?? []).flatMap((inv) => truthOf(inv) ?? []);
      return { storeId: id, count: sales.length, sats: sales.reduce((s, x) => s + x.sats, 0), sales };
    });
  }

  /** Delivers an invoice event for this invoice, its metadata included. */
  sendWebhook(
    target: DeliveryTarget,
    type: InvoiceEventType,
    storeId: string,
    invoiceId: string,
    extra: Record<string, unknown> = {},
  ): Promise<Delivery> {
    const inv = this.world.invoice(storeId, invoiceId);
    const event = invoiceEvent(
      type,
      { storeId, invoiceId, metadata: inv?.metadata ?? {}, timestamp: this.world.nowS() },
      extra,
    );
    return deliver(target, event);
  }

  /** The same event again, as BTCPay redelivers (new deliveryId, isRedelivery true). */
  redeliver(target: DeliveryTarget, previous: Delivery): Promise<Delivery> {
    return deliver(target, redelivery(previous.event));
  }

  /** The test button's delivery (an invoice id of the `__test__…__test__` form). */
  sendTestWebhook(target: DeliveryTarget, storeId: string): Promise<Delivery> {
    return deliver(target, testEvent(storeId, this.world.nowS()));
  }

  close(): void {
    this.handler.close();
  }
}
