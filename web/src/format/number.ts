// Pure number formatting for the dashboard. One fixed locale so a venue screen, a phone and a
// test all render the same digits; tabular numerals are a CSS concern (see styles/base.css).

const LOCALE = "en-US";
const EMPTY = "—";

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

function isNumber(n: unknown): n is number {
  return typeof n === "number" && Number.isFinite(n);
}

/** 4567890 → "4,567,890". Rounds to the nearest integer; non-numbers render as an em dash. */
export function formatInteger(n: number | null | undefined): string {
  if (!isNumber(n)) return EMPTY;
  // Avoid "-0" for tiny negative values.
  const rounded = Math.round(n);
  return integerFormat.format(rounded === 0 ? 0 : rounded);
}

/** 2998.61 → "2,998.6" with `digits` fraction digits (trailing zeros kept for stable width). */
export function formatDecimal(n: number | null | undefined, digits = 1): string {
  if (!isNumber(n)) return EMPTY;
  return new Intl.NumberFormat(LOCALE, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

const UNITS = ["", "K", "M", "B", "T"] as const;

/**
 * Compact form with at most three significant digits: 950 → "950", 1234 → "1.23K",
 * 1200000 → "1.2M", 999950 → "1M". Values under 1,000 keep integers (or one decimal below 10).
 */
export function formatCompact(n: number | null | undefined): string {
  if (!isNumber(n)) return EMPTY;
  const sign = n < 0 ? "-" : "";
  let abs = Math.abs(n);
  if (abs < 1000) {
    if (abs < 10 && !Number.isInteger(abs)) {
      const s = trimZeros(abs.toFixed(1));
      return s === "0" ? "0" : sign + s;
    }
    const r = Math.round(abs);
    if (r < 1000) return r === 0 ? "0" : sign + String(r);
    abs = r;
  }
  let unit = 0;
  while (abs >= 1000 && unit < UNITS.length - 1) {
    abs /= 1000;
    unit++;
  }
  let text = toSignificant(abs);
  // Rounding can carry into the next unit (999.95K → "1000K" → "1M").
  if (Number(text) >= 1000 && unit < UNITS.length - 1) {
    unit++;
    text = toSignificant(Number(text) / 1000);
  }
  return sign + text + UNITS[unit];
}

function toSignificant(v: number): string {
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return trimZeros(v.toFixed(digits));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * The full integer with separators when it fits in `maxChars`, else the compact form —
 * for big tiles where a growing total must never overflow.
 */
export function formatFit(n: number | null | undefined, maxChars: number): string {
  const full = formatInteger(n);
  return full.length <= maxChars ? full : formatCompact(n);
}

/** 2100 → "2,100 sats", 1 → "1 sat"; `compact` uses the compact number form. */
export function formatSats(n: number | null | undefined, options: { compact?: boolean } = {}): string {
  if (!isNumber(n)) return EMPTY;
  const value = options.compact ? formatCompact(n) : formatInteger(n);
  return `${value} ${Math.round(n) === 1 ? "sat" : "sats"}`;
}

/**
 * A rate such as transactions per minute: one decimal under 100 ("2.4"), whole numbers with
 * separators above ("7,201").
 */
export function formatRate(n: number | null | undefined): string {
  if (!isNumber(n)) return EMPTY;
  return Math.abs(n) < 100 ? formatDecimal(n, 1) : formatInteger(n);
}

const fiatFormats = new Map<string, Intl.NumberFormat | null>();

function fiatFormat(currency: string, compact: boolean): Intl.NumberFormat | null {
  const key = `${currency}|${compact}`;
  if (!fiatFormats.has(key)) {
    try {
      fiatFormats.set(
        key,
        new Intl.NumberFormat(LOCALE, {
          style: "currency",
          currency,
          ...(compact ? { notation: "compact", maximumFractionDigits: 1 } : {}),
        }),
      );
    } catch {
      fiatFormats.set(key, null); // not an ISO 4217 code
    }
  }
  return fiatFormats.get(key) ?? null;
}

/** (2.1, "usd") → "$2.10"; unknown codes fall back to "2.10 XYZ". */
export function formatFiat(
  amount: number | null | undefined,
  currency: string | null | undefined,
  options: { compact?: boolean } = {},
): string {
  if (!isNumber(amount)) return EMPTY;
  const code = (currency ?? "").trim().toUpperCase();
  if (!code) return formatDecimal(amount, 2);
  const format = fiatFormat(code, options.compact === true && Math.abs(amount) >= 10_000);
  if (format) return format.format(amount);
  return `${formatDecimal(amount, 2)} ${code}`;
}
