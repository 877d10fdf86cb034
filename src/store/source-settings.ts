/**
 * The one place where a BTCPay or LNbits merchant's stored settings (secrets included) become what
 * answers show: every secret masked. Nothing else turns settings into JSON for a client.
 */
import type { BtcpaySettingsShown, LnbitsSettingsShown } from "../contract/index.js";

const BULLETS = "••••";
/** A secret this short shows no characters: four of eight would be half of it. */
const SHORTEST_WITH_TAIL = 9;

/** "••••" and the last four characters ("••••1a2b"), or "••••" alone for a secret of 8 characters or fewer. */
export function maskSecret(secret: string): string {
  const chars = [...secret];
  return chars.length < SHORTEST_WITH_TAIL ? BULLETS : `${BULLETS}${chars.slice(-4).join("")}`;
}

/** A JSON column as written by this service; text that does not parse reads as null. */
export function parseStoredJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const text = (o: Record<string, unknown>, key: string): string | undefined =>
  typeof o[key] === "string" ? (o[key] as string) : undefined;
const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;

export interface ShownSettings {
  btcpay?: BtcpaySettingsShown;
  lnbits?: LnbitsSettingsShown;
}

/**
 * The answer's `btcpay` or `lnbits` field for a merchant of that source; nothing for any other source
 * (a PayWithFlash merchant's answer keeps its shape) or for settings that are not an object.
 */
export function shownSettings(source: string, stored: unknown): ShownSettings {
  if (typeof stored !== "object" || stored === null) return {};
  const s = stored as Record<string, unknown>;
  const secrets = {
    api_key: maskSecret(text(s, "api_key") ?? ""),
    ...optional("webhook_secret", maybeMasked(text(s, "webhook_secret"))),
  };
  const base_url = text(s, "base_url") ?? "";
  if (source === "btcpay") {
    const store_id = text(s, "store_id") ?? "";
    return { btcpay: { base_url, store_id, ...secrets, ...optional("pos_app_id", text(s, "pos_app_id")) } };
  }
  if (source === "lnbits") return { lnbits: { base_url, ...secrets } };
  return {};
}

const maybeMasked = (secret: string | undefined) => (secret === undefined ? undefined : maskSecret(secret));
