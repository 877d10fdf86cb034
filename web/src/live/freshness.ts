// How fresh the data on a screen is, in the server's words rather than the connection's: "Updated" is
// the last successful poll (or a newer sale, a webhook's), never the last attempt, so a dead upstream
// stops the clock; and when most merchants have gone silent the screen says so.
import type { Summary, TickerRow } from "../api/types";
import { formatClock, formatRelative, toMillis } from "../format/time";

/**
 * When the data last changed or was last confirmed: the server's last successful poll, or the newest
 * sale when that is newer (webhook sales are pushed, not polled). Null when neither exists yet.
 */
export function dataUpdatedAt(summary: Summary | null, ticker: readonly TickerRow[]): number | null {
  const polled = toMillis(summary?.last_polled_at);
  const sold = toMillis(ticker[0]?.sale_date);
  if (polled === null) return sold;
  return sold === null ? polled : Math.max(polled, sold);
}

/** "last sale 3m ago", from the newest sale on screen; null before the first. */
export function lastSaleText(ticker: readonly TickerRow[], now: number): string | null {
  const newest = ticker[0];
  return newest ? `last sale ${formatRelative(newest.sale_date, now)}` : null;
}

export interface NotReporting {
  missing: number;
  enabled: number;
  since: number;
  text: string;
}

/**
 * "12 of 20 merchants not reporting since 14:02", once more than half of the enabled merchants have
 * failed for longer than the server's two poll intervals (it counts them: not_reporting_merchants).
 * Fewer than half are a merchant's problem, which the "reporting" tile already shows; more than half
 * is the upstream's, and every figure on the screen is then older than it looks.
 */
export function notReporting(summary: Summary | null): NotReporting | null {
  const missing = summary?.not_reporting_merchants ?? 0;
  const since = toMillis(summary?.not_reporting_since);
  const enabled = summary?.active_merchants ?? 0;
  if (missing === 0 || since === null || missing * 2 <= enabled) return null;
  const noun = enabled === 1 ? "merchant" : "merchants";
  return {
    missing,
    enabled,
    since,
    text: `${missing} of ${enabled} ${noun} not reporting since ${formatClock(since)}`,
  };
}
