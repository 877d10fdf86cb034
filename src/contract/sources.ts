import { type Static, Type } from "typebox";
import { CLOSED, MERCHANT_ID_PATTERN } from "./common.js";

/**
 * How to reach a merchant that takes payments with BTCPay Server or LNbits (issue 15). The admin API
 * takes these as `"btcpay": {...}` / `"lnbits": {...}` beside `"source"`; its answers show them with
 * every secret masked (`MaskedSecret`), never in full.
 */

/** An http(s) URL of the source's server, without query or fragment; trailing slashes are dropped. */
const BaseUrl = Type.String({
  minLength: 8,
  maxLength: 2048,
  pattern: "^https?://[^\\s?#]+$",
  description: "The server's URL, e.g. https://btcpay.example.com",
});
const ApiKey = Type.String({ minLength: 1, maxLength: 512, pattern: "^\\S+$" });
const WebhookSecret = Type.String({ minLength: 1, maxLength: 512 });
const StoreId = Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_-]+$" });
const AppId = Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_-]+$" });

/** `api_key` and `webhook_secret` may be left out of a PUT: the stored ones are kept. */
export const BtcpaySettingsBody = Type.Object(
  {
    base_url: BaseUrl,
    store_id: StoreId,
    api_key: Type.Optional(ApiKey),
    webhook_secret: Type.Optional(WebhookSecret),
    pos_app_id: Type.Optional(AppId),
  },
  CLOSED,
);
export type BtcpaySettingsBody = Static<typeof BtcpaySettingsBody>;

export const LnbitsSettingsBody = Type.Object(
  {
    base_url: BaseUrl,
    api_key: Type.Optional(ApiKey),
    webhook_secret: Type.Optional(WebhookSecret),
  },
  CLOSED,
);
export type LnbitsSettingsBody = Static<typeof LnbitsSettingsBody>;

/** What the service keeps and its clients use: the body's settings with the API key present. */
export interface BtcpaySettings {
  base_url: string;
  store_id: string;
  api_key: string;
  webhook_secret?: string;
  pos_app_id?: string;
}
export interface LnbitsSettings {
  base_url: string;
  api_key: string;
  webhook_secret?: string;
}

/** A secret as answers show it: bullets and its last four characters, e.g. "••••1a2b". */
export const MaskedSecret = Type.String({ pattern: "^•+.{0,4}$", description: "e.g. ••••1a2b" });

export const BtcpaySettingsShown = Type.Object(
  {
    base_url: Type.String(),
    store_id: Type.String(),
    api_key: MaskedSecret,
    webhook_secret: Type.Optional(MaskedSecret),
    pos_app_id: Type.Optional(Type.String()),
  },
  CLOSED,
);
export type BtcpaySettingsShown = Static<typeof BtcpaySettingsShown>;

export const LnbitsSettingsShown = Type.Object(
  { base_url: Type.String(), api_key: MaskedSecret, webhook_secret: Type.Optional(MaskedSecret) },
  CLOSED,
);
export type LnbitsSettingsShown = Static<typeof LnbitsSettingsShown>;

/** The sources a merchant can be polled from; `wifi` merchants are made by the WiFi webhook only. */
export const PolledSource = Type.Enum(["pwf", "btcpay", "lnbits"]);
export type PolledSource = Static<typeof PolledSource>;

/** The sources whose merchants have settings of their own (and can be tested). */
export const KeyedSource = Type.Enum(["btcpay", "lnbits"]);
export type KeyedSource = Static<typeof KeyedSource>;

/**
 * `POST /v1/admin/merchants/test-connection`: settings to try, as a merchant body has them. With `id`
 * (an existing merchant of that source) an omitted secret, or the whole omitted settings, are the
 * stored ones: the edit form tests without the key being typed again.
 */
export const ConnectionTestBody = Type.Object({
  source: KeyedSource,
  btcpay: Type.Optional(BtcpaySettingsBody),
  lnbits: Type.Optional(LnbitsSettingsBody),
  id: Type.Optional(Type.String({ pattern: MERCHANT_ID_PATTERN })),
});
export type ConnectionTestBody = Static<typeof ConnectionTestBody>;

/** What "test connection" found: ok with what the source said (a store or wallet name), or why not. */
export const ConnectionTest = Type.Object({ ok: Type.Boolean(), message: Type.String() }, CLOSED);
export type ConnectionTest = Static<typeof ConnectionTest>;
