/**
 * Go's time.ParseDuration, exactly: the seed's operators write `30s`, `1h30m`, `1.5h`, and the same
 * strings must mean the same here. Returns milliseconds (fractional for sub-millisecond units).
 */
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// Go rejects anything beyond int64 nanoseconds (about 292 years).
const MAX_NS = 2 ** 63 - 1;

export class DurationError extends Error {}

export function parseDuration(input: string): number {
  const fail = (): never => {
    throw new DurationError(`invalid duration "${input}"`);
  };
  let s = input;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") fail();

  let totalNs = 0;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = m?.[1] ?? "";
    const frac = m?.[2];
    if (whole === "" && (frac === undefined || frac === "")) fail();
    s = s.slice(m?.[0].length ?? 0);
    const unit = /^[^\d.]+/.exec(s)?.[0];
    if (unit === undefined) throw new DurationError(`missing unit in duration "${input}"`);
    const ns = UNIT_NS[unit];
    if (ns === undefined) throw new DurationError(`unknown unit "${unit}" in duration "${input}"`);
    s = s.slice(unit.length);
    totalNs += Number(whole || "0") * ns + (frac ? Number(`0.${frac}`) * ns : 0);
    if (totalNs > MAX_NS) fail();
  }
  return (sign * totalNs) / 1e6;
}

/** Go's Duration.String() for the whole-millisecond values this service prints (e.g. `1h30m0s`, `300ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? "-" : ""}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Number((rest / 1000).toFixed(3));
  let out = `${sec}s`;
  if (h > 0 || m > 0) out = `${m}m${out}`;
  if (h > 0) out = `${h}h${out}`;
  return (neg ? "-" : "") + out;
}
