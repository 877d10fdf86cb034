import type { WebhookSale } from "../store/webhook-sale.js";
import { badRequest } from "./errors.js";

const PAYMENT_HASH = /^[0-9a-fA-F]{64}$/;
const MSAT_PER_SAT = 1000;
// Before 2009 there was no bitcoin, and past 9999 there is no RFC 3339: neither is a payment's time.
const MIN_TIME_S = Date.UTC(2009, 0, 1) / 1000;
const MAX_TIME_S = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

/**
 * The sale an LNbits payment webhook's body describes (contract/wifi.ts, WifiWebhookBody), or a 400
 * saying what is wrong. Types are checked as sent: `"2100000"` is not an amount and `"1762780800"` not a
 * time. `receivedAt` (epoch ms) dates a sale whose body has no time (absent, null or 0).
 */
export function readWebhookBody(body: unknown, receivedAt: number): WebhookSale {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("request body must be a JSON object");
  const { amount, payment_hash: hash, time } = body as Record<string, unknown>;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount))
    throw badRequest("body/amount must be an integer (millisatoshis)");
  // [REC] the original keeps a sub-sat amount as sats (500 msat became 500 sats); it is not a sale.
  if (amount < MSAT_PER_SAT) throw badRequest("body/amount is under 1000 msat (one sat): not a sale");
  if (typeof hash !== "string" || !PAYMENT_HASH.test(hash))
    throw badRequest("body/payment_hash must be a payment hash: 64 hex digits");
  return {
    paymentHash: hash.toLowerCase(),
    amountSats: Math.trunc(amount / MSAT_PER_SAT),
    date: saleDate(time, receivedAt),
  };
}

function saleDate(time: unknown, receivedAt: number): number {
  if (time === undefined || time === null || time === 0) return receivedAt;
  if (typeof time !== "number" || !Number.isInteger(time))
    throw badRequest("body/time must be an integer (unix seconds)");
  if (time < MIN_TIME_S || time > MAX_TIME_S)
    throw badRequest("body/time must be unix seconds between 2009 and 9999");
  return time * 1000;
}
