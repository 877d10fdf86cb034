/**
 * LNbits payments (`GET /api/v1/payments`: an array; `GET /api/v1/payments/paginated`: `{data, total}`)
 * as sales. Pure: the client fetches, this reads. A sale is a successful incoming Lightning payment:
 * `amount` (integer msat) > 0 and `status` "success" (1.x) or `pending` false (0.x; 0.12 has both and
 * `status` decides). Pending, failed and outgoing ones (TPoS's own tip forwarding among them) are not
 * sales, nor are TPoS cash or card settlements (`extra.paid_in_fiat`, `checking_id` `internal_cash_…` /
 * `fiat_…`): no bitcoin moved. The key is the payment hash (unique per wallet, and a merchant is one
 * wallet), numbered as the WiFi webhook numbers it (shared/spec/pos-sources.md, "LNbits").
 */
import { saleIdOfHash } from "../../store/webhook-sale.js";
import { parseInstant } from "../../time/instant.js";
import { PayloadError } from "../../upstream/payload.js";
import {
  displayKey,
  isObj,
  lowerOrNull,
  type Obj,
  type SourceParse,
  SourceParseBuilder,
  type SourceSale,
  unixSecondsToMs,
} from "../source-sale.js";
import { paymentFiat } from "./fiat.js";

const PAYMENT_HASH = /^[0-9a-fA-F]{64}$/;
const MSAT_PER_SAT = 1000;

/** Either list answer; anything else fails the poll, like a bad PayWithFlash envelope. */
export function parseLnbitsPayments(body: unknown): SourceParse {
  const rows = Array.isArray(body) ? body : isObj(body) && Array.isArray(body.data) ? body.data : null;
  if (rows === null) throw new PayloadError("LNbits payments answer is neither a list nor {data: [...]}");
  const builder = new SourceParseBuilder();
  for (const raw of rows) {
    const sale = readPayment(raw, builder);
    if (sale !== null) builder.sales.push(sale);
  }
  return builder.result();
}

/** The sale, or null when the payment is not one (recorded in `b` as not counted or skipped). */
function readPayment(raw: unknown, b: SourceParseBuilder): SourceSale | null {
  if (!isObj(raw)) return b.skip("?", "not an object");
  const hash = raw.payment_hash;
  if (typeof hash !== "string" || !PAYMENT_HASH.test(hash))
    return b.skip(displayKey(hash), "payment_hash is not 64 hex digits");
  const key = hash.toLowerCase();
  const amount = raw.amount;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount))
    return b.skip(key, "amount is not an integer (msat)");
  const succeeded = isSuccess(raw);
  if (succeeded === null) return b.skip(key, "neither status nor pending says whether it was paid");
  // An outgoing payment can share its hash with an incoming one of the same instance: only incoming
  // successful ones take part in the duplicate check.
  const extra = isObj(raw.extra) ? raw.extra : {};
  if (!succeeded || amount < MSAT_PER_SAT || !isLightning(raw, extra)) {
    b.notCounted++;
    return null;
  }
  if (!b.firstSighting(key)) return null;
  const date = paymentTime(raw.time);
  if (date === null) return b.skip(key, "time is neither an ISO instant nor unix seconds");

  // Whole sats, the msat fraction dropped: LNbits' own `sat`, and the WiFi webhook's reading.
  const amountSats = Math.floor(amount / MSAT_PER_SAT);
  const tag = lowerOrNull(extra.tag) ?? lowerOrNull(raw.tag);
  const fiat = paymentFiat(extra, tag, amountSats);
  for (const reason of fiat.problems) b.skipped.push({ kind: "sale line", id: key, reason });
  return {
    saleId: saleIdOfHash(key),
    externalId: key,
    origin: tag ?? "unknown",
    date,
    amountSats,
    fiatAmount: fiat.fiatAmount,
    currency: fiat.currency,
    lines: fiat.lines,
  };
}

/** True, false, or null when the row says neither (1.x `status`; 0.x `pending`; 0.12 both, `status` first). */
function isSuccess(raw: Obj): boolean | null {
  if (typeof raw.status === "string") return raw.status === "success";
  if (typeof raw.pending === "boolean") return !raw.pending;
  return null;
}

function isLightning(raw: Obj, extra: Obj): boolean {
  if (extra.paid_in_fiat === true) return false;
  const checkingId = typeof raw.checking_id === "string" ? raw.checking_id : "";
  return !checkingId.startsWith("internal_cash_") && !checkingId.startsWith("fiat_");
}

/**
 * The payment's `time`: an ISO instant in 1.x (zone-less means UTC, as LNbits stores it), unix seconds
 * in 0.x. It is the invoice's creation time, kept when it is paid (within its expiry, an hour by
 * default); `updated_at` would be nearer the payment but moves again on later updates, and a sale's time
 * must not change between polls.
 */
function paymentTime(v: unknown): number | null {
  return typeof v === "string" ? parseInstant(v) : unixSecondsToMs(v);
}
