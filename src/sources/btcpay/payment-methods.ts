/**
 * An invoice's payment methods (Greenfield `GET …/invoices/{id}/payment-methods`, or the same list
 * inlined as `paymentMethods` with `includePaymentMethods`), read for its bitcoin side: how much was
 * paid in BTC and when the last payment came. 2.x names an entry by `paymentMethodId` (`BTC-CHAIN`,
 * `BTC-LN`, `BTC-LNURL`) and `currency`; 1.x by `paymentMethod` (`BTC`, `BTC-LightningNetwork`,
 * `BTC-LNURLPAY`) and `cryptoCode`. Amounts are decimal strings in BTC, Lightning's with 11 decimals.
 */
import { isObj, type Obj, unixSecondsToMs } from "../source-sale.js";

export interface BitcoinPaid {
  /** `paymentMethodPaid` summed over the BTC entries, in msat (each entry is one method's own share). */
  paidMsat: number;
  /**
   * The invoice's whole price in BTC from one BTC entry's `amount`, in msat. `amount`, `totalPaid` and
   * `due` are the whole invoice converted into each method and repeat on every entry: never summed.
   */
  priceMsat: number | null;
  /** The latest `receivedDate` of a payment that is not Invalid (the one that settled it), epoch ms. */
  lastReceived: number | null;
  /** A non-BTC entry (an altcoin plugin) was paid. */
  otherPaid: boolean;
}

const MSAT_DECIMALS = 11;

/**
 * A decimal amount (a string as Greenfield writes them, or a JSON number) in units of 10^-decimals,
 * exact: digits beyond the unit are dropped, never rounded up. Null when it is not a non-negative
 * decimal or does not fit in a safe integer.
 */
export function decimalToUnits(v: unknown, decimals: number): number | null {
  let s: string;
  if (typeof v === "string") s = v.trim();
  else if (typeof v === "number" && Number.isFinite(v) && v >= 0) s = v.toFixed(decimals);
  else return null;
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return null;
  const fraction = (m[2] ?? "").padEnd(decimals, "0").slice(0, decimals);
  const units = BigInt(m[1] as string) * 10n ** BigInt(decimals) + BigInt(fraction === "" ? "0" : fraction);
  return units <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(units) : null;
}

/** BTC (8 decimals on-chain, 11 on Lightning) in msat. */
export function btcToMsat(v: unknown): number | null {
  return decimalToUnits(v, MSAT_DECIMALS);
}

/** The bitcoin side of the payment-methods list, or why it cannot be read. */
export function readPaymentMethods(raw: unknown): BitcoinPaid | string {
  if (!Array.isArray(raw)) return "payment methods are not a list";
  const result: BitcoinPaid = { paidMsat: 0, priceMsat: null, lastReceived: null, otherPaid: false };
  for (const entry of raw) {
    if (!isObj(entry)) return "a payment method is not an object";
    const paid = btcToMsat(entry.paymentMethodPaid ?? "0");
    if (paid === null) return "paymentMethodPaid is not a decimal";
    if (!isBitcoin(entry)) {
      if (paid > 0) result.otherPaid = true;
      continue;
    }
    result.paidMsat += paid;
    if (result.priceMsat === null) result.priceMsat = btcToMsat(entry.amount);
    const received = lastReceived(entry.payments);
    if (received !== null && (result.lastReceived === null || received > result.lastReceived))
      result.lastReceived = received;
  }
  if (!Number.isSafeInteger(result.paidMsat)) return "paymentMethodPaid adds up past a safe integer";
  return result;
}

/** BTC by its currency (2.x `currency`, 1.x `cryptoCode`), else by the method id's chain prefix. */
function isBitcoin(entry: Obj): boolean {
  const code = entry.currency ?? entry.cryptoCode;
  if (typeof code === "string") return code.trim().toUpperCase() === "BTC";
  const id = entry.paymentMethodId ?? entry.paymentMethod;
  return typeof id === "string" && id.trim().toUpperCase().split("-")[0] === "BTC";
}

function lastReceived(payments: unknown): number | null {
  if (!Array.isArray(payments)) return null;
  let last: number | null = null;
  for (const p of payments) {
    // An Invalid payment (double spent, replaced) did not pay the invoice.
    if (!isObj(p) || p.status === "Invalid") continue;
    const at = unixSecondsToMs(p.receivedDate);
    if (at !== null && (last === null || at > last)) last = at;
  }
  return last;
}
