/**
 * The per-invoice requests of a poll: invoices webhooks named (`GET …/invoices/{id}`), payment methods
 * of settled invoices that did not come with them inlined (BTCPay before 2.3.6 ignores
 * `includePaymentMethods`), and the Point of Sale app's item titles.
 */
import type { BtcpaySettings } from "../../contract/index.js";
import type { SourceHint } from "../source-client.js";
import { isObj } from "../source-sale.js";
import type { ItemTitles } from "./cart.js";
import { type GreenfieldRequest, greenfieldGet, mapLimited } from "./greenfield.js";
import { parsePosAppTitles } from "./pos-app.js";

/** Requests of one poll in flight at once. */
const PARALLEL = 4;
/** BTCPay's test button (until 2.2) sends this invoice id: no invoice stands behind it. */
const TEST_INVOICE = /^__test__.*__test__$/;
/** Greenfield invoice ids are short base58 strings; anything else is not looked up. */
const INVOICE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The distinct invoice ids the hints name that can be real invoices. */
export function hintedInvoiceIds(hints: readonly SourceHint[]): string[] {
  const ids = new Set<string>();
  for (const h of hints)
    for (const key of h.keys) if (INVOICE_ID.test(key) && !TEST_INVOICE.test(key)) ids.add(key);
  return [...ids];
}

function invoicePath(settings: BtcpaySettings, id: string): string {
  return `/api/v1/stores/${encodeURIComponent(settings.store_id)}/invoices/${encodeURIComponent(id)}`;
}

/** The hinted invoices BTCPay confirms (a 404 — not this store's, or no such invoice — is left out). */
export async function fetchHintedInvoices(
  settings: BtcpaySettings,
  ids: readonly string[],
  req: GreenfieldRequest,
): Promise<unknown[]> {
  const found = await mapLimited(ids, PARALLEL, (id) =>
    greenfieldGet(settings, invoicePath(settings, id), {}, "invoice", req, true),
  );
  return found.filter((raw) => raw !== null);
}

/** Settled invoices' payment methods kept: a re-poll sees the same settled invoices for 24 h. */
const KEPT_PAYMENT_METHODS = 20_000;

/**
 * Payment methods of settled invoices by id, fetched once each: a settled invoice's payments are final,
 * and a server that does not inline them would otherwise cost a re-poll one request per settled
 * invoice of its 24-hour window. An invoice whose endpoint answers 404 (archived meanwhile) is left out.
 */
export class PaymentMethods {
  private readonly kept = new Map<string, unknown>();

  async get(
    settings: BtcpaySettings,
    ids: readonly string[],
    req: GreenfieldRequest,
  ): Promise<Map<string, unknown>> {
    const key = (id: string) => `${settings.base_url}\n${settings.store_id}\n${id}`;
    const byId = new Map<string, unknown>();
    const missing = ids.filter((id) => {
      const kept = this.kept.get(key(id));
      if (kept !== undefined) byId.set(id, kept);
      return kept === undefined;
    });
    const bodies = await mapLimited(missing, PARALLEL, (id) =>
      greenfieldGet(
        settings,
        `${invoicePath(settings, id)}/payment-methods`,
        {},
        "payment methods",
        req,
        true,
      ),
    );
    missing.forEach((id, i) => {
      if (bodies[i] === null || bodies[i] === undefined) return;
      byId.set(id, bodies[i]);
      this.keep(key(id), bodies[i]);
    });
    return byId;
  }

  private keep(key: string, body: unknown): void {
    this.kept.set(key, body);
    // Oldest first out: a Map iterates in insertion order.
    if (this.kept.size > KEPT_PAYMENT_METHODS) this.kept.delete(this.kept.keys().next().value as string);
  }
}

/** Whether any of these invoices has a cart or single item, i.e. whether titles could matter. */
export function anyProducts(invoices: Iterable<unknown>): boolean {
  for (const raw of invoices) {
    const meta = isObj(raw) ? raw.metadata : undefined;
    if (isObj(meta) && (meta.posData !== undefined || meta.itemCode !== undefined)) return true;
  }
  return false;
}

/** How long an app's titles are used before they are read again: a menu changes rarely, polls often. */
export const TITLES_TTL_MS = 10 * 60_000;

interface CachedTitles {
  at: number;
  titles: ItemTitles;
}

/**
 * The app's titles, cached per server and app for TITLES_TTL_MS. A failure (a key without
 * btcpay.store.canmodifystoresettings, which BTCPay asks for this endpoint; an app deleted) gives no
 * titles and is tried again next poll: titles only name lines, they never fail a poll.
 */
export class PosTitles {
  private readonly cache = new Map<string, CachedTitles>();

  async get(settings: BtcpaySettings, req: GreenfieldRequest, now: number): Promise<ItemTitles> {
    const appId = settings.pos_app_id;
    if (appId === undefined) return new Map();
    const key = `${settings.base_url}\n${appId}`;
    const cached = this.cache.get(key);
    if (cached && now - cached.at < TITLES_TTL_MS) return cached.titles;
    try {
      const body = await greenfieldGet(
        settings,
        `/api/v1/apps/pos/${encodeURIComponent(appId)}`,
        {},
        "point of sale app",
        req,
      );
      const titles = parsePosAppTitles(body);
      this.cache.set(key, { at: now, titles });
      return titles;
    } catch {
      if (req.signal?.aborted) throw new Error("poll cancelled: shutting down");
      return cached?.titles ?? new Map();
    }
  }
}
