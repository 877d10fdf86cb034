import { createHmac, timingSafeEqual } from "node:crypto";
import type { SourceHint } from "../sources/source-client.js";
import { badRequest } from "./errors.js";

/** `BTCPay-Sig: sha256=<hex>`: an HMAC-SHA256 is 32 bytes, 64 hex digits (BTCPay writes lower case). */
const BTCPAY_SIG = /^sha256=([0-9a-fA-F]{64})$/;
/** BTCPay's test button (until 2.2) names an invoice that does not exist. */
const BTCPAY_TEST_INVOICE = /^__test__.*__test__$/s;
/** Greenfield invoice ids are short base58-like words; anything else is not one to hand to a poll. */
const BTCPAY_INVOICE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Events that cannot make or unmake a sale: an invoice just created, or expired unpaid (or paid late). */
const BTCPAY_QUIET_EVENTS = new Set(["InvoiceCreated", "InvoiceExpired"]);
const PAYMENT_HASH = /^[0-9a-fA-F]{64}$/;

/** The signature's 32 bytes from a `BTCPay-Sig` header, or undefined when it is absent or malformed. */
export function btcpaySignature(header: string | string[] | undefined): Buffer | undefined {
  if (typeof header !== "string") return undefined;
  const m = BTCPAY_SIG.exec(header.trim());
  return m ? Buffer.from(m[1] as string, "hex") : undefined;
}

/** Whether `signature` is the HMAC-SHA256 of these exact bytes under the UTF-8 of `secret` (constant time). */
export function btcpaySignatureMatches(secret: string, raw: Buffer, signature: Buffer): boolean {
  const expected = createHmac("sha256", Buffer.from(secret, "utf8")).update(raw).digest();
  return signature.length === expected.length && timingSafeEqual(signature, expected);
}

export type DeliveryReading = { hint: SourceHint } | { ignored: string };

/**
 * What a verified BTCPay delivery asks for: a poll hinted with its invoice id, or nothing (a test
 * delivery, an event without an invoice, one that cannot change a sale). Only `invoiceId` and `type`
 * are read: amounts and statuses come from the API. A signed body that is not a JSON object is a 400.
 */
export function readBtcpayDelivery(raw: Buffer): DeliveryReading {
  const body = parseJson(raw.toString("utf8"));
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("request body must be a JSON object (a BTCPay webhook event)");
  const { invoiceId, type } = body as Record<string, unknown>;
  if (typeof invoiceId !== "string" || invoiceId === "") return { ignored: "no invoice in this event" };
  if (BTCPAY_TEST_INVOICE.test(invoiceId)) return { ignored: "test delivery" };
  if (!BTCPAY_INVOICE_ID.test(invoiceId)) return { ignored: "invoiceId is not an invoice id" };
  if (typeof type === "string" && BTCPAY_QUIET_EVENTS.has(type))
    return { ignored: `${type} cannot change a sale` };
  return { hint: { keys: [invoiceId] } };
}

/**
 * The payment hash an LNbits delivery names, as the poll's hint; none when it names none. Bodies: an
 * LNURLp pay link's object, a core 0.x payment object, or (core 1.1+) a JSON string holding the
 * payment's JSON. Anything else, even not JSON, still asks for a poll: the sender proved the secret.
 */
export function readLnbitsDelivery(raw: Buffer): SourceHint {
  let body = parseJson(raw.toString("utf8"));
  if (typeof body === "string") body = parseJson(body);
  const hash =
    typeof body === "object" && body !== null ? (body as Record<string, unknown>).payment_hash : undefined;
  return { keys: typeof hash === "string" && PAYMENT_HASH.test(hash) ? [hash.toLowerCase()] : [] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
