/**
 * BTCPay's webhook deliveries: a POST of the event as **indented** JSON, signed with
 * `BTCPay-Sig: sha256=<lower-case hex HMAC-SHA256(UTF-8 secret, raw body bytes)>`. A redelivery is the
 * same event with a new `deliveryId`, `isRedelivery: true` and `originalDeliveryId` the first one's.
 * Until 2.2 the "send test webhook" button used the invoice id `__test__<guid>__test__`.
 */
import { createHmac, randomUUID } from "node:crypto";
import { request } from "node:http";
import { base58Id } from "./ids.js";

export type InvoiceEventType =
  | "InvoiceCreated"
  | "InvoiceReceivedPayment"
  | "InvoicePaymentSettled"
  | "InvoiceProcessing"
  | "InvoiceExpired"
  | "InvoiceSettled"
  | "InvoiceInvalid";

export interface WebhookEvent {
  deliveryId: string;
  webhookId: string;
  originalDeliveryId: string;
  isRedelivery: boolean;
  type: InvoiceEventType;
  timestamp: number;
  storeId: string;
  invoiceId: string;
  metadata: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface Delivery {
  event: WebhookEvent;
  /** The exact bytes sent, and the signature header sent with them. */
  body: string;
  signature: string;
  /** The receiver's answer. */
  status: number;
  responseBody: string;
}

export interface DeliveryTarget {
  url: string;
  secret: string;
  /** Sign with this secret instead (a wrong signature); null sends no BTCPay-Sig header. */
  signWith?: string | null;
}

let deliveries = 0;

/** A new event; `extra` adds the type's own fields (manuallyMarked, overPaid, …). */
export function invoiceEvent(
  type: InvoiceEventType,
  fields: {
    storeId: string;
    invoiceId: string;
    metadata?: Record<string, unknown>;
    webhookId?: string;
    timestamp: number;
  },
  extra: Record<string, unknown> = {},
): WebhookEvent {
  const deliveryId = base58Id("delivery", randomUUID(), deliveries++);
  return {
    deliveryId,
    webhookId: fields.webhookId ?? base58Id("webhook", fields.storeId),
    originalDeliveryId: deliveryId,
    isRedelivery: false,
    type,
    timestamp: fields.timestamp,
    storeId: fields.storeId,
    invoiceId: fields.invoiceId,
    metadata: fields.metadata ?? {},
    ...extra,
  };
}

/** The same event delivered again: new deliveryId, isRedelivery, the first delivery's id kept. */
export function redelivery(event: WebhookEvent): WebhookEvent {
  return {
    ...event,
    deliveryId: base58Id("delivery", randomUUID(), deliveries++),
    isRedelivery: true,
    originalDeliveryId: event.originalDeliveryId,
  };
}

/** The test button's event (BTCPay ≤ 2.2): an invoice id no invoice has. */
export function testEvent(storeId: string, timestamp: number): WebhookEvent {
  return invoiceEvent("InvoiceSettled", { storeId, invoiceId: `__test__${randomUUID()}__test__`, timestamp });
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(body, "utf8")).digest("hex")}`;
}

/** POSTs the event as BTCPay does; resolves with the receiver's answer (rejects if it cannot connect). */
export function deliver(target: DeliveryTarget, event: WebhookEvent, timeoutMs = 10_000): Promise<Delivery> {
  const body = JSON.stringify(event, null, 2);
  const signWith = target.signWith === undefined ? target.secret : target.signWith;
  const sig = signWith === null ? "" : signature(signWith, body);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "user-agent": "BTCPayServer",
  };
  if (sig !== "") headers["BTCPay-Sig"] = sig;
  return new Promise((resolve, reject) => {
    const req = request(target.url, { method: "POST", headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          event,
          body,
          signature: sig,
          status: res.statusCode ?? 0,
          responseBody: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("webhook delivery timed out")));
    req.on("error", reject);
    req.end(body);
  });
}
