// Pure logic of a merchant's source in the admin form: which fields each source asks, what the API
// gets (secrets left out when the operator typed none: the server keeps the stored ones), the
// connection-test body, and the webhook URL an operator pastes into BTCPay Server or LNbits.
import type {
  AdminMerchant,
  ConnectionTestBody,
  KeyedSource,
  MerchantCreate,
  MerchantUpdate,
  PolledSource,
} from "../api/types";

/** The source fields of the merchant form; optional so a PayWithFlash form is what it always was. */
export interface SourceFormFields {
  source?: PolledSource;
  base_url?: string;
  store_id?: string;
  api_key?: string;
  webhook_secret?: string;
  pos_app_id?: string;
  /** The stored secrets as the server shows them ("••••1a2b"), on edit. */
  api_key_shown?: string;
  webhook_secret_shown?: string;
}

export const SOURCE_LABELS: Record<string, string> = {
  pwf: "PayWithFlash",
  btcpay: "BTCPay Server",
  lnbits: "LNbits",
  wifi: "WiFi webhook",
};

export const sourceLabel = (source: string): string => SOURCE_LABELS[source] ?? source;

export const isKeyedSource = (source: string | undefined): source is KeyedSource =>
  source === "btcpay" || source === "lnbits";

const BASE_URL = /^https?:\/\/[^\s?#]+$/;
const STORE_ID = /^[A-Za-z0-9_-]+$/;

/** The form's source fields for a stored merchant: settings as shown, secrets empty (empty keeps them). */
export function sourceFieldsOf(m: AdminMerchant): SourceFormFields {
  if (m.source !== "btcpay" && m.source !== "lnbits") return { source: "pwf" };
  const shown = m.source === "btcpay" ? m.btcpay : m.lnbits;
  return {
    source: m.source,
    base_url: shown?.base_url ?? "",
    store_id: m.btcpay?.store_id ?? "",
    pos_app_id: m.btcpay?.pos_app_id ?? "",
    api_key: "",
    webhook_secret: "",
    ...(shown?.api_key ? { api_key_shown: shown.api_key } : {}),
    ...(shown?.webhook_secret ? { webhook_secret_shown: shown.webhook_secret } : {}),
  };
}

type SourceErrors = Partial<Record<keyof SourceFormFields, string>>;

export function validateSource(form: SourceFormFields): SourceErrors {
  const errors: SourceErrors = {};
  if (!isKeyedSource(form.source)) return errors;
  const url = (form.base_url ?? "").trim();
  if (!url) errors.base_url = "Base URL is required.";
  else if (!BASE_URL.test(url))
    errors.base_url = "Use an http(s) URL without ? or #, e.g. https://pay.example.com";
  if (form.source === "btcpay") {
    const store = (form.store_id ?? "").trim();
    if (!store) errors.store_id = "Store ID is required.";
    else if (!STORE_ID.test(store)) errors.store_id = "Letters, digits, “_” or “-” only.";
    const app = (form.pos_app_id ?? "").trim();
    if (app && !STORE_ID.test(app)) errors.pos_app_id = "Letters, digits, “_” or “-” only.";
  }
  const key = (form.api_key ?? "").trim();
  if (!key && !form.api_key_shown) errors.api_key = "API key is required.";
  else if (/\s/.test(key)) errors.api_key = "Paste the key alone, without spaces.";
  return errors;
}

/** The `btcpay` / `lnbits` object as the API takes it; empty secrets are left out (kept on the server). */
export function sourceSettings(form: SourceFormFields) {
  const text = (v: string | undefined) => (v ?? "").trim();
  const secrets = {
    ...(text(form.api_key) ? { api_key: text(form.api_key) } : {}),
    ...(form.webhook_secret ? { webhook_secret: form.webhook_secret } : {}),
  };
  if (form.source === "lnbits") return { lnbits: { base_url: text(form.base_url), ...secrets } };
  return {
    btcpay: {
      base_url: text(form.base_url),
      store_id: text(form.store_id),
      ...secrets,
      ...(text(form.pos_app_id) ? { pos_app_id: text(form.pos_app_id) } : {}),
    },
  };
}

export function sourceCreateBody(
  form: SourceFormFields & { id: string; alias: string; enabled: boolean },
): MerchantCreate {
  const source = form.source === "lnbits" ? "lnbits" : "btcpay";
  return {
    id: form.id.trim(),
    alias: form.alias.trim(),
    enabled: form.enabled,
    source,
    ...sourceSettings(form),
  };
}

/** The settings for a PUT when any of them changed or a new secret was typed; nothing otherwise. */
export function sourceChanges(original: AdminMerchant, form: SourceFormFields): MerchantUpdate {
  if (!isKeyedSource(form.source)) return {};
  const before = sourceSettings(sourceFieldsOf(original));
  const after = sourceSettings(form);
  return JSON.stringify(before) === JSON.stringify(after) ? {} : after;
}

/** What "Test connection" sends: the form's settings, and on edit the id so omitted secrets are the stored ones. */
export function connectionTestBody(
  form: SourceFormFields & { id: string },
  isEdit: boolean,
): ConnectionTestBody {
  const source = form.source === "lnbits" ? "lnbits" : "btcpay";
  return { source, ...sourceSettings(form), ...(isEdit ? { id: form.id } : {}) };
}

export interface WebhookHelp {
  url: string;
  note: string;
}

/** The URL to paste into the source's webhook settings for this merchant, and how. */
export function webhookHelp(
  origin: string,
  form: SourceFormFields & { id: string },
): WebhookHelp | undefined {
  const id = encodeURIComponent(form.id.trim() || "MERCHANT_ID");
  if (form.source === "btcpay") {
    return {
      url: `${origin}/v1/webhooks/btcpay/${id}`,
      note: "In BTCPay Server: Store → Settings → Webhooks → Create webhook, paste this URL, and paste the webhook's secret above. Deliveries only hint; sales are read from the API.",
    };
  }
  if (form.source === "lnbits") {
    const secret = form.webhook_secret ? encodeURIComponent(form.webhook_secret) : "YOUR_WEBHOOK_SECRET";
    return {
      url: `${origin}/v1/webhooks/lnbits/${id}?secret=${secret}`,
      note: "For an invoice's webhook URL. LNURLp pay links can send the secret as an X-Webhook-Secret header instead (leave ?secret= out then). TPoS sends no webhooks: its sales arrive by polling.",
    };
  }
  return undefined;
}
