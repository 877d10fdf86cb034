/**
 * LNbits' two webhook deliveries, as the mock sends them (shared/spec/pos-sources.md, "Webhooks: no
 * signature"): an LNURLp pay link's (a JSON object, with the link's own extra headers, e.g. a secret),
 * and core's per-invoice one (from 1.1 the body is a JSON *string* holding the payment's JSON; 0.x sent
 * the payment object itself), to a URL that may carry `?secret=`.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { paymentJson } from "./format.js";
import type { MockPayment, MockWallet } from "./model.js";

export interface WebhookAnswer {
  status: number;
  body: string;
}

/** The pay link's delivery: `{payment_hash, payment_request, amount (msat), comment, webhook_data, lnurlp, body}`. */
export function lnurlpDeliveryBody(p: MockPayment, webhookBody: string | null = null): string {
  return JSON.stringify({
    payment_hash: p.hash,
    payment_request: `lnbc${Math.floor(p.amountMsat / 1000)}n1p${p.hash.slice(0, 40)}`,
    amount: p.amountMsat,
    comment: p.lnurlp?.comment ?? null,
    webhook_data: p.lnurlp?.webhookData ?? null,
    lnurlp: p.lnurlp?.link ?? "Lp1",
    body: webhookBody ?? "",
  });
}

/** Core's delivery: 1.x double-encodes the payment (a JSON string of its JSON); 0.x posts the object. */
export function invoiceDeliveryBody(w: MockWallet, p: MockPayment): string {
  const payment = JSON.stringify(paymentJson(w, p));
  return w.version === "0.x" ? payment : JSON.stringify(payment);
}

/** One POST with a JSON body; resolves with the answer, rejects on a network failure or after `timeoutMs`. */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  timeoutMs = 5000,
): Promise<WebhookAnswer> {
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "lnbits-mock",
          ...headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`webhook delivery timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
