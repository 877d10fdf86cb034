import { type Static, Type } from "typebox";
import { CLOSED } from "./common.js";

/**
 * POST /v1/webhooks/btcpay/{merchant_id} and /v1/webhooks/lnbits/{merchant_id}: the sources' own
 * deliveries, taken as hints. Their bodies are read by the routes themselves (BTCPay's signature
 * covers the exact bytes received, LNbits' may be a JSON string), so they have no body schema here.
 */
export const SourceWebhookParams = Type.Object({ merchant_id: Type.String() });
export type SourceWebhookParams = Static<typeof SourceWebhookParams>;

/**
 * "ok": that merchant is polled now (or right after its poll in flight); the poll, not the delivery,
 * decides what is a sale. "ignored": accepted, nothing polled, and `reason` says why (a BTCPay test
 * delivery, an event without an invoice, a disabled merchant).
 */
export const SourceWebhookAnswer = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("ignored")]),
    reason: Type.Optional(Type.String()),
  },
  CLOSED,
);
export type SourceWebhookAnswer = Static<typeof SourceWebhookAnswer>;
