/**
 * What a merchant body means for the merchant's source (issue 15): which source it is, its settings
 * with any omitted secret taken from the stored ones, and the refusals: settings of another source or
 * of two, a source change (a merchant keeps its source for life), a new merchant without its API key.
 * PayWithFlash bodies come out exactly as they always went to the store.
 */
import type {
  BtcpaySettings,
  BtcpaySettingsBody,
  KeyedSource,
  LnbitsSettings,
  LnbitsSettingsBody,
  MerchantBody,
  MerchantPatchBody,
} from "../contract/index.js";
import type { MerchantInput, MerchantPatch } from "../store/merchants.js";
import { badRequest } from "./errors.js";

/** A merchant as stored: getMerchantSourceSettings. */
export interface StoredSource {
  source: string;
  settings: unknown;
}

export type KeyedSettings =
  | { source: "btcpay"; settings: BtcpaySettings }
  | { source: "lnbits"; settings: LnbitsSettings };

type SettingsFields = { btcpay?: BtcpaySettingsBody | undefined; lnbits?: LnbitsSettingsBody | undefined };

export const isKeyed = (source: string): source is KeyedSource => source === "btcpay" || source === "lnbits";

/**
 * A keyed source's settings: the body's (or, when it has none, the stored ones), with the body's
 * omitted secrets taken from `stored` (settings of the same source, or null). Refuses another source's
 * settings, both sources' and a missing API key.
 */
export function settingsFor(source: KeyedSource, body: SettingsFields, stored: unknown): KeyedSettings {
  const other = source === "btcpay" ? "lnbits" : "btcpay";
  if (body.btcpay !== undefined && body.lnbits !== undefined) {
    throw badRequest("give the settings of one source: btcpay or lnbits, not both");
  }
  if (body[other] !== undefined) throw badRequest(`${other} settings do not fit a ${source} merchant`);
  const previous = (typeof stored === "object" && stored !== null ? stored : {}) as Record<string, unknown>;
  const given = body[source];
  if (given === undefined && stored === null) throw badRequest(`${source} is required`);
  const base = (given ?? previous) as Record<string, unknown>;
  const api_key = given?.api_key ?? text(previous.api_key);
  if (api_key === undefined) throw badRequest(`${source}.api_key is required`);
  const webhook_secret = given?.webhook_secret ?? text(previous.webhook_secret);
  const base_url = (text(base.base_url) ?? "").replace(/\/+$/, "");
  const secret = webhook_secret === undefined ? {} : { webhook_secret };
  if (source === "lnbits") return { source, settings: { base_url, api_key, ...secret } };
  const pos_app_id = text(base.pos_app_id);
  return {
    source,
    settings: {
      base_url,
      store_id: text(base.store_id) ?? "",
      api_key,
      ...secret,
      ...(pos_app_id === undefined ? {} : { pos_app_id }),
    },
  };
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * What the public_key column holds for a keyed merchant, as the list shows it: where it is, nothing
 * secret (BTCPay: the store id; LNbits: the server's URL, the wallet being known by its key alone).
 */
export function derivedPublicKey(s: KeyedSettings): string {
  return s.source === "btcpay" ? s.settings.store_id : s.settings.base_url;
}

function refuseSourceChange(id: string, stored: string, wanted: string): never {
  throw badRequest(
    `merchant ${id} is a ${stored} merchant and keeps its source; add a new merchant for ${wanted}`,
  );
}

function refuseOwnPublicKey(given: string | undefined, settings: KeyedSettings): void {
  if (given && given !== derivedPublicKey(settings)) {
    const what = settings.source === "btcpay" ? "its store id" : "its base URL";
    throw badRequest(`a ${settings.source} merchant's public_key is ${what}; leave public_key out`);
  }
}

/** A POST's merchant as the store's upsert takes it, given what is stored under its id (if anything). */
export function merchantInput(body: MerchantBody, stored: StoredSource | undefined): MerchantInput {
  const { id, public_key, alias, enabled } = body;
  const source = body.source ?? "pwf";
  // A WiFi merchant, made by its webhook, was always updatable by a POST without a source: still is.
  const keepsLegacy = body.source === undefined && stored !== undefined && !isKeyed(stored.source);
  if (stored && stored.source !== source && !keepsLegacy) refuseSourceChange(id, stored.source, source);
  const common = { id, alias, ...(enabled === undefined ? {} : { enabled }) };
  if (!isKeyed(source)) {
    for (const s of ["btcpay", "lnbits"] as const) {
      if (body[s] !== undefined) throw badRequest(`${s} settings need "source": "${s}"`);
    }
    if (public_key === undefined) throw badRequest("body must have required property 'public_key'");
    return { id, public_key, alias, ...(enabled === undefined ? {} : { enabled }) };
  }
  if (body[source] === undefined) throw badRequest(`${source} is required`);
  const settings = settingsFor(source, body, stored?.settings ?? null);
  refuseOwnPublicKey(public_key, settings);
  const unchanged = stored !== undefined && sameSettings(stored.settings, settings.settings);
  return {
    ...common,
    public_key: derivedPublicKey(settings),
    source,
    // Unchanged settings are not written again: that would drop the sync state (a full re-read).
    ...(unchanged ? {} : { source_settings: settings.settings }),
  };
}

/**
 * What a PUT changes besides the fields every merchant has (`changes`, from merchantChanges): a keyed
 * merchant's merged settings, and its public_key kept derived from them.
 */
export function merchantSourcePatch(
  id: string,
  body: MerchantPatchBody,
  changes: MerchantPatch,
  stored: StoredSource,
): MerchantPatch {
  if (body.source !== undefined && body.source !== stored.source) {
    refuseSourceChange(id, stored.source, body.source);
  }
  if (!isKeyed(stored.source)) {
    for (const s of ["btcpay", "lnbits"] as const) {
      if (body[s] !== undefined) throw badRequest(`${s} settings do not fit a ${stored.source} merchant`);
    }
    return changes;
  }
  const settings = settingsFor(stored.source, body, stored.settings);
  refuseOwnPublicKey(changes.public_key, settings);
  const { public_key: _ignored, ...rest } = changes;
  if (sameSettings(stored.settings, settings.settings)) return rest;
  return { ...rest, public_key: derivedPublicKey(settings), source_settings: settings.settings };
}

function sameSettings(stored: unknown, next: object): boolean {
  return JSON.stringify(stored) === JSON.stringify(next);
}
