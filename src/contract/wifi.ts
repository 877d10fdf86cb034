import { type Static, Type } from "typebox";
import { CLOSED, Sats } from "./common.js";

/** The WiFi upgrade sold at the venue: an LNbits payment webhook in, its offer out to screens. */

/** A Lightning payment hash: 32 bytes in hex (stored lower case). */
export const PAYMENT_HASH_PATTERN = "^[0-9a-fA-F]{64}$";

/**
 * POST /v1/webhooks/wifi, the body LNbits' pay link (LNURLp) sends when it is paid. Only these three
 * fields are read; the others it sends (`payment_request`, `comment`, which may be null, `lnurlp`,
 * `webhook_data`, `body`, `memo`) are ignored, so the object stays open. The route checks each field's
 * JSON type itself (a `time` sent as a string is refused, not coerced).
 */
export const WifiWebhookBody = Type.Object({
  amount: Type.Integer({ minimum: 1000, description: "millisatoshis; under one sat is not a sale" }),
  payment_hash: Type.String({ pattern: PAYMENT_HASH_PATTERN }),
  time: Type.Optional(
    Type.Integer({ description: "unix seconds; absent, null or 0: the time the webhook arrived" }),
  ),
});
export type WifiWebhookBody = Static<typeof WifiWebhookBody>;

/** What the webhook answers; `inserted` is 0 when the payment was already stored (a redelivery). */
export const WifiWebhookAnswer = Type.Object(
  {
    status: Type.Literal("ok"),
    inserted: Type.Integer({ minimum: 0, maximum: 1 }),
    amount_sats: Sats,
  },
  CLOSED,
);
export type WifiWebhookAnswer = Static<typeof WifiWebhookAnswer>;

/** GET /v1/wifi/config: the offer the WiFi scene shows. All four are strings, as the original sends them. */
export const WifiConfig = Type.Object(
  {
    lightning_address: Type.String({ description: "WIFI_LIGHTNING_ADDRESS, or empty" }),
    description: Type.String(),
    price_sats: Type.String({ description: "whole sats, e.g. 2100" }),
    duration_hours: Type.String({ description: "whole hours, e.g. 8" }),
  },
  CLOSED,
);
export type WifiConfig = Static<typeof WifiConfig>;
