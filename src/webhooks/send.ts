/** One attempt at one delivery: the exact stored body, signed with the webhook's secret. */
import { createHmac } from "node:crypto";
import type { DueDelivery } from "../store/deliveries.js";

export interface AttemptResult {
  /** null: delivered (a 2xx answer). */
  error: string | null;
  statusCode: number | null;
}

/** `sha256=` and the hex HMAC-SHA256 of the body's UTF-8 bytes, keyed with the secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Never throws; a redirect is not followed (it counts as a failure, like any answer but 2xx). */
export async function postDelivery(
  d: DueDelivery,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(d.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "live-pos-dashboard-webhooks",
        "x-delivery-id": d.deliveryId,
        "x-webhook-event": d.event,
        "x-signature": signature(d.secret, d.body),
      },
      body: d.body,
      redirect: "manual",
      signal: AbortSignal.any([timeout, stop]),
    });
    // The answer's body is not wanted; reading it would let a receiver hold us past the timeout.
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { error: ok ? null : `HTTP ${res.status}`, statusCode: res.status };
  } catch (e) {
    if (timeout.aborted) return { error: `timed out after ${timeoutMs} ms`, statusCode: null };
    const err = e as Error & { cause?: { code?: string; message?: string } };
    return { error: err.cause?.code ?? err.cause?.message ?? err.message, statusCode: null };
  }
}
