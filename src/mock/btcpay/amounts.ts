/**
 * Money as the mock keeps it: prices as decimal strings in the invoice's currency (as BTCPay writes
 * them), bitcoin in msat integers, written out with 8 decimals on-chain and 11 on Lightning.
 */

/** Msat per BTC. */
export const MSAT_PER_BTC = 100_000_000_000n;

/** A non-negative decimal string ("7.50", "2100", "0.00012345") as units of 10^-decimals, rounded half up. */
export function toUnits(decimal: string, decimals: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!m) throw new RangeError(`not a decimal: ${decimal}`);
  const frac = m[2] ?? "";
  const kept = frac.padEnd(decimals, "0").slice(0, decimals);
  let units = BigInt(m[1] as string) * 10n ** BigInt(decimals) + BigInt(kept === "" ? "0" : kept);
  if (frac.length > decimals && Number(frac[decimals]) >= 5) units += 1n;
  return units;
}

/** Units of 10^-decimals as a decimal string with exactly `decimals` places ("0.00015000000"). */
export function fromUnits(units: bigint, decimals: number): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const s = abs.toString().padStart(decimals + 1, "0");
  const whole = s.slice(0, s.length - decimals);
  const frac = s.slice(s.length - decimals);
  return `${neg ? "-" : ""}${whole}${decimals > 0 ? `.${frac}` : ""}`;
}

/** What an invoice's price is worth in msat: fiat through `rate` (fiat per BTC), BTC and SATS directly. */
export function priceMsat(amount: string, currency: string, rate: string): bigint {
  const c = currency.toUpperCase();
  if (c === "BTC") return toUnits(amount, 11);
  if (c === "SATS") return toUnits(amount, 3);
  // amount / rate BTC, in msat: both as 10^-8 units keeps the division exact enough (to the msat).
  const a = toUnits(amount, 8);
  const r = toUnits(rate, 8);
  return (a * MSAT_PER_BTC + r / 2n) / r;
}

/** Msat as the BTC string of a payment method: 11 decimals on Lightning, 8 on-chain (whole sats). */
export function btcString(msat: bigint, method: string): string {
  if (method === "BTC-CHAIN") return fromUnits(msat / 1000n, 8);
  return fromUnits(msat, 11);
}

/** Msat a method can carry: on-chain only whole sats (rounded up, as a wallet pays at least the due). */
export function payable(msat: bigint, method: string): bigint {
  return method === "BTC-CHAIN" ? ((msat + 999n) / 1000n) * 1000n : msat;
}

/** A price in the invoice's own currency written as BTCPay writes it: 2 places for fiat, as given else. */
export function priceString(n: number, currency: string): string {
  const c = currency.toUpperCase();
  if (c === "SATS") return String(Math.round(n));
  if (c === "BTC") return n.toFixed(8);
  return n.toFixed(2);
}
