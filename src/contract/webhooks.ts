import { type Static, Type } from "typebox";
import { CLOSED, Instant } from "./common.js";

/** Outgoing webhooks: receivers the service POSTs milestone triggers (and optionally sales) to. */

export const WEBHOOK_EVENTS = ["milestone", "sale"] as const;
export const WebhookEvent = Type.Union([Type.Literal("milestone"), Type.Literal("sale")]);
export type WebhookEvent = Static<typeof WebhookEvent>;
export const WEBHOOK_URL_MAX = 2048;
/** Long enough to be guessed by nobody, short enough for a header-sized HMAC key. */
export const WEBHOOK_SECRET_MIN = 16;
export const WEBHOOK_SECRET_MAX = 256;

const Url = Type.String({ minLength: 1, maxLength: WEBHOOK_URL_MAX, description: "http or https URL" });
const Secret = Type.String({ minLength: WEBHOOK_SECRET_MIN, maxLength: WEBHOOK_SECRET_MAX });
const Events = Type.Array(WebhookEvent, { minItems: 1, maxItems: 2, uniqueItems: true });

/** What is answered: never the secret, only that there is one. */
export const Webhook = Type.Object(
  {
    id: Type.Integer(),
    url: Type.String(),
    events: Type.Array(WebhookEvent),
    has_secret: Type.Boolean(),
    created_at: Instant,
    updated_at: Instant,
  },
  CLOSED,
);
export type Webhook = Static<typeof Webhook>;

export const WebhookParams = Type.Object({
  id: Type.String({ pattern: "^[1-9][0-9]{0,14}$", description: "Webhook id" }),
});
export type WebhookParams = Static<typeof WebhookParams>;

/** `POST /v1/admin/webhooks`. */
export const WebhookBody = Type.Object({ url: Url, secret: Secret, events: Events });
export type WebhookBody = Static<typeof WebhookBody>;

/** `PUT /v1/admin/webhooks/{id}`: any of the fields; an absent one is kept (the secret too). */
export const WebhookPatchBody = Type.Object({
  url: Type.Optional(Url),
  secret: Type.Optional(Secret),
  events: Type.Optional(Events),
});
export type WebhookPatchBody = Static<typeof WebhookPatchBody>;

export const DeliveryStatus = Type.Union([
  Type.Literal("pending"),
  Type.Literal("delivered"),
  Type.Literal("failed"),
]);
export type DeliveryStatus = Static<typeof DeliveryStatus>;

/** One entry of a webhook's delivery log. */
export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: "The X-Delivery-Id header, the same on every attempt" }),
    event: WebhookEvent,
    status: DeliveryStatus,
    attempts: Type.Integer(),
    last_error: Type.Optional(Type.String()),
    last_status_code: Type.Optional(Type.Integer()),
    created_at: Instant,
    last_attempt_at: Type.Optional(Instant),
    next_attempt_at: Type.Optional(Instant),
    finished_at: Type.Optional(Instant),
  },
  CLOSED,
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;
