/**
 * The BTCPay Server client (issue 15): polls one store's Greenfield invoices into a SourceParse and tests
 * a merchant's settings. A first poll (state null: a new merchant, an operator's refetch) reads the
 * whole history; re-polls read only invoices created within the monitoring window of the newest one
 * seen (sync-state.ts) plus the invoices webhooks named. Only Settled and Invalid invoices are fetched:
 * nothing else can be a sale or take one back (invoices.ts says which counts).
 */
import type { BtcpaySettings, ConnectionTest } from "../../contract/index.js";
import { UpstreamError } from "../../upstream/client.js";
import type {
  SourceClient,
  SourceClientOptions,
  SourcePollInput,
  SourcePollResult,
} from "../source-client.js";
import { isObj } from "../source-sale.js";
import { GreenfieldError, type GreenfieldRequest, greenfieldGet } from "./greenfield.js";
import {
  anyProducts,
  fetchHintedInvoices,
  hintedInvoiceIds,
  PaymentMethods,
  PosTitles,
} from "./invoice-lookups.js";
import { readInvoicePages } from "./invoice-pages.js";
import { invoicesNeedingPaymentMethods, parseBtcpayInvoices } from "./invoices.js";
import { nextSyncState, readSyncState, startDateOf } from "./sync-state.js";

export function createBtcpayClient(opts: SourceClientOptions): SourceClient<BtcpaySettings> {
  const lookups: Lookups = { titles: new PosTitles(), methods: new PaymentMethods() };
  const request = (signal?: AbortSignal): GreenfieldRequest => ({
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxBytes,
    signal,
  });
  return {
    poll: (input) => poll(input, request(input.signal), lookups),
    testConnection: (settings, signal) => testConnection(settings, request(signal)),
  };
}

/** What a client keeps between polls besides the state: answers that do not change. */
interface Lookups {
  titles: PosTitles;
  methods: PaymentMethods;
}

async function poll(
  input: SourcePollInput<BtcpaySettings>,
  req: GreenfieldRequest,
  { titles, methods: kept }: Lookups,
): Promise<SourcePollResult> {
  const { settings } = input;
  const state = readSyncState(input.state, settings.store_id);
  const pages = await readInvoicePages(settings, startDateOf(state), req);
  // A hinted invoice is fetched after the list: its copy is the newer one (marked invalid meanwhile).
  for (const raw of await fetchHintedInvoices(settings, hintedInvoiceIds(input.hints), req))
    if (isObj(raw) && typeof raw.id === "string") pages.byId.set(raw.id, raw);
  const invoices = [...pages.byId.values(), ...pages.unkeyed];
  const methods = await kept.get(settings, invoicesNeedingPaymentMethods(invoices), req);
  const itemTitles = anyProducts(invoices) ? await titles.get(settings, req, input.now) : new Map();
  let parse: SourcePollResult["parse"];
  try {
    parse = parseBtcpayInvoices(invoices, methods, itemTitles);
  } catch (e) {
    throw new UpstreamError((e as Error).message);
  }
  // Only listed invoices move the window: a hinted one may be years old.
  return { parse, state: nextSyncState(state, settings.store_id, pages.byId.values()) };
}

/**
 * Reads the store (its name; a key without btcpay.store.canviewstoresettings may not, which is no
 * failure) and one invoice, which is what polls need. Never throws for upstream trouble.
 */
async function testConnection(settings: BtcpaySettings, req: GreenfieldRequest): Promise<ConnectionTest> {
  const storePath = `/api/v1/stores/${encodeURIComponent(settings.store_id)}`;
  let name: string | null = null;
  try {
    const store = await greenfieldGet(settings, storePath, {}, "store", req);
    name =
      isObj(store) && typeof store.name === "string" && store.name.trim() !== "" ? store.name.trim() : null;
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    // A key may read invoices without reading store settings: only then is the name unknown.
    if (!(e instanceof GreenfieldError && e.status === 403)) return { ok: false, message: e.message };
  }
  try {
    const invoices = await greenfieldGet(settings, `${storePath}/invoices`, { take: 1 }, "invoices", req);
    if (!Array.isArray(invoices)) return { ok: false, message: "BTCPay invoices answer is not a JSON array" };
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return { ok: false, message: e.message };
  }
  const store =
    name === null
      ? `store ${settings.store_id} (its name needs btcpay.store.canviewstoresettings)`
      : `store ${name}`;
  return { ok: true, message: `Connected to ${store}${await appNote(settings, req)}` };
}

/** When a POS app is named: whether its item titles can be read. */
async function appNote(settings: BtcpaySettings, req: GreenfieldRequest): Promise<string> {
  if (settings.pos_app_id === undefined) return "";
  try {
    await greenfieldGet(
      settings,
      `/api/v1/apps/pos/${encodeURIComponent(settings.pos_app_id)}`,
      {},
      "point of sale app",
      req,
    );
    return "; point of sale app found";
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return `; item titles unavailable: ${e.message}`;
  }
}
