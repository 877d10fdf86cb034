/**
 * BTCPay Server's webhook deliveries as its WebhookSender makes them, for tests: the event serialised
 * indented, and `BTCPay-Sig: sha256=` + the lower-case hex HMAC-SHA256 of those exact bytes, keyed by
 * the UTF-8 of the webhook's secret. Written from BTCPay's behaviour, not from the route's code.
 */
import { createHmac, randomUUID } from "node:crypto";

/** The header value BTCPay sends with `body` (the bytes as sent: a string is encoded as UTF-8). */
export function btcpaySig(secret: string, body: string | Buffer): string {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(bytes).digest("hex")}`;
}

export interface BtcpayEventFields {
  type?: string;
  invoiceId?: string | undefined;
  storeId?: string;
  /** Set with isRedelivery: true for a redelivery of that delivery. */
  originalDeliveryId?: string;
  [k: string]: unknown;
}

/** An invoice event's body as BTCPay sends it: indented JSON (two spaces), a new deliveryId each time. */
export function btcpayEventBody(fields: BtcpayEventFields = {}): string {
  const deliveryId = randomUUID().replace(/-/g, "").slice(0, 22);
  const event = {
    manuallyMarked: false,
    overPaid: false,
    deliveryId,
    webhookId: "Wh7a9K3mZq2LxPc",
    originalDeliveryId: fields.originalDeliveryId ?? deliveryId,
    isRedelivery: fields.originalDeliveryId !== undefined,
    type: "InvoiceSettled",
    timestamp: 1762780900,
    storeId: "7Hn2cQx9",
    invoiceId: "Fq8kT2mWzL5nRb7xPc3Yd",
    metadata: { orderId: "3kPq", itemCode: "espresso", itemDesc: "Espresso" },
    ...fields,
  };
  return JSON.stringify(event, null, 2);
}

/** The invoice id BTCPay's "send test webhook" button (before 2.2) put in its deliveries. */
export function btcpayTestInvoiceId(): string {
  return `__test__${randomUUID()}__test__`;
}
