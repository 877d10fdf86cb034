import { DurationError, parseDuration } from "../config/duration.js";
import { parseInstant } from "../upstream/payload.js";
import { badRequest } from "./errors.js";

/** `window`: a positive Go duration, or `all` (null). Returns the start of the window in epoch ms. */
export function windowStart(raw: string | undefined, fallback: string | null, now: number): number | null {
  const value = raw ?? fallback;
  if (value === null || value === "all") return null;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    throw badRequest(`invalid window ${JSON.stringify(value)}: use a duration like 5m, 1h, 24h, or "all"`);
  }
  if (ms <= 0) throw badRequest(`invalid window ${JSON.stringify(value)}: must be greater than 0`);
  return now - ms;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `since`: RFC 3339 with an offset (an instant, not a wall-clock time). */
export function parseSince(raw: string | undefined, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const ms = RFC3339.test(raw) ? parseInstant(raw) : null;
  if (ms === null)
    throw badRequest(`invalid since ${JSON.stringify(raw)}: use RFC 3339, e.g. 2025-11-10T00:00:00Z`);
  return ms;
}
