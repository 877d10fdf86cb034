// Pure time formatting: relative ages for the ticker and admin tables, wall clock for the header,
// and Go-style durations (the API's `window` parameter) for labels and bucket choice.

import { DurationError, parseDuration as parseGoDuration } from "../../../src/time/duration";

const EMPTY = "—";

export function toMillis(value: string | number | Date | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Age of `value` relative to `now`: "just now" under 5 s, then "12s ago", "3m ago", "2h ago",
 * "4d ago". Times slightly in the future (clock skew between server and screen) read "just now".
 */
export function formatRelative(value: string | number | Date | null | undefined, now: number): string {
  const ms = toMillis(value);
  if (ms === null) return EMPTY;
  const seconds = Math.floor((now - ms) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * The time zone the screen's clocks show: the event's (its settings, or the URL's tz=), set by
 * useEventSettings; undefined, the device's own. One per page, like the event it shows, so that every
 * time on screen (clock, "Updated", chart axes, ticker) agrees without each caller passing it.
 */
let displayTimeZone: string | undefined;

export function setDisplayTimeZone(zone: string | undefined): void {
  displayTimeZone = zone;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const zoned = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `ms` in the display time zone. */
function wallTime(ms: number): WallTime {
  const zone = displayTimeZone;
  if (zone === undefined) {
    const d = new Date(ms);
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hour: d.getHours(),
      minute: d.getMinutes(),
      second: d.getSeconds(),
    };
  }
  let format = zoned.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoned.set(zone, format);
  }
  const out: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== "literal") out[p.type] = Number(p.value);
  return {
    year: out.year ?? 0,
    month: out.month ?? 0,
    day: out.day ?? 0,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Wall-clock time in the display time zone, 24-hour: "14:23" or "14:23:05". */
export function formatClock(value: string | number | Date | null | undefined, seconds = false): string {
  const ms = toMillis(value);
  if (ms === null) return EMPTY;
  const d = wallTime(ms);
  const hm = `${pad(d.hour)}:${pad(d.minute)}`;
  return seconds ? `${hm}:${pad(d.second)}` : hm;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** When the doors opened, for a label: "10:00" on the day of `now`, "9 Nov 10:00" before it. */
export function formatDoors(value: string | number | null | undefined, now: number): string {
  const ms = toMillis(value);
  if (ms === null) return EMPTY;
  const then = wallTime(ms);
  const today = wallTime(now);
  const clock = formatClock(ms);
  const sameDay = then.year === today.year && then.month === today.month && then.day === today.day;
  return sameDay ? clock : `${then.day} ${MONTHS[then.month - 1] ?? ""} ${clock}`;
}

/** Date and time for admin tables, in the display time zone: "2025-11-10 14:23". */
export function formatDateTime(value: string | number | Date | null | undefined): string {
  const ms = toMillis(value);
  if (ms === null) return EMPTY;
  const d = wallTime(ms);
  return `${d.year}-${pad(d.month)}-${pad(d.day)} ${formatClock(ms)}`;
}

/**
 * A Go duration ("60m", "1h30m", "1.5h", "20s", "500ms") in seconds, read by the server's own parser so
 * that a window means the same on both sides. Null for anything else, including "all" and zero or
 * negative durations.
 */
export function parseDuration(text: string | null | undefined): number | null {
  if (!text) return null;
  try {
    const ms = parseGoDuration(text.trim());
    return ms > 0 ? ms / 1000 : null;
  } catch (e) {
    if (e instanceof DurationError) return null;
    throw e;
  }
}

/** Seconds → a Go duration string the API accepts: 3600 → "60m", 86400 → "24h", 30 → "30s". */
export function toGoDuration(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 86400) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${Math.round(seconds)}s`;
}

/** Human label for a window: "60m" → "60 min", "24h" → "24 h", "1h30m" → "90 min", "all" → "all time". */
export function formatWindowLabel(window: string): string {
  if (window.trim().toLowerCase() === "all") return "all time";
  const seconds = parseDuration(window);
  if (seconds === null) return window;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600 * 2 && seconds % 60 === 0) return `${seconds / 60} min`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${Math.round(seconds)} s`;
}

const NICE_BUCKETS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/**
 * Picks a bucket size (seconds) giving about `target` buckets over the window, from a set of round
 * sizes: 60 min → 1 m, 5 min → 5 s, 24 h → 30 m.
 */
export function pickBucketSeconds(windowSeconds: number, target = 60): number {
  const ideal = windowSeconds / target;
  for (const size of NICE_BUCKETS) if (size >= ideal) return size;
  return NICE_BUCKETS[NICE_BUCKETS.length - 1] ?? 86400;
}
