/**
 * Instants as this service writes and reads them: RFC 3339 out (as Go prints time.Time), ISO 8601 in
 * (from upstream bodies and API parameters). Epoch milliseconds, UTC, everywhere in between.
 */

/** RFC 3339 in UTC, with milliseconds only when there are any (as Go prints time.Time). */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO-8601 instant as UTC epoch milliseconds. A date without an offset is UTC (the upstream's
 * convention), never the server's local time, which is what Date.parse would assume.
 */
export function parseInstant(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const fast = parseCanonicalInstant(v);
  if (fast !== undefined) return fast;
  const m = INSTANT.exec(v.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February over into March; a real date must round-trip.
  if (new Date(t).getUTCDate() !== day) return null;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The upstream's own shape, `2025-11-10T14:03:27.123456+00:00`, read digit by digit: every sale of
 * every poll goes through here. Returns undefined for any other shape (the general parser decides)
 * and null for a well-formed but impossible date.
 */
function parseCanonicalInstant(v: string): number | null | undefined {
  if (v.length !== 32 || v[10] !== "T" || v[26] !== "+" || v[19] !== ".") return undefined;
  if (v[4] !== "-" || v[7] !== "-" || v[13] !== ":" || v[16] !== ":" || v[29] !== ":") return undefined;
  const n = (from: number, to: number): number => {
    let x = 0;
    for (let i = from; i < to; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      x = x * 10 + c;
    }
    return x;
  };
  const year = n(0, 4);
  const month = n(5, 7);
  const day = n(8, 10);
  const hour = n(11, 13);
  const minute = n(14, 16);
  const second = n(17, 19);
  const micros = n(20, 26);
  const offsetMin = n(27, 29) * 60 + n(30, 32);
  if (year < 0 || micros < 0 || n(27, 29) < 0 || n(30, 32) < 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  if (second < 0 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number))) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(micros / 1000)) - offsetMin * 60_000;
}
