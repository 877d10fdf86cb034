// How the headline totals show money and which window they cover: the event's display currency
// (sats, BTC, or the sales' own fiat first) and its doors time ("since doors 10:00" instead of all time).
import type { DisplayCurrency, FiatVolume, Summary } from "../api/types";
import { formatFiat, formatInteger } from "../format/number";
import { formatDoors } from "../format/time";

/** The totals the tiles show: since the doors opened while the event says when, else all time. */
export function shownTotals(s: Summary | null, now: number) {
  const doors = s?.since_doors;
  if (doors) return { totals: doors, window: `since doors ${formatDoors(doors.doors_opened_at, now)}` };
  return { totals: s, window: "all time" };
}

const SATS_PER_BTC = 100_000_000;
export const formatBtc = (sats: number) =>
  (sats / SATS_PER_BTC).toFixed(8).replace(/(\.\d{4})(\d{4})$/, "$1 $2");

/** The volume as the event shows money: sats, BTC, or the sales' first fiat currency (sats below it). */
export function volumeDisplay(
  sats: number | undefined,
  fiat: FiatVolume[],
  currency: DisplayCurrency | undefined,
) {
  const first = fiat[0];
  if (currency === "fiat" && first) {
    return {
      value: first.amount,
      format: (n: number) => formatFiat(n, first.currency),
      exact: formatFiat(first.amount, first.currency),
      unit: undefined,
      sub: `${formatInteger(sats ?? 0)} sats`,
      currency: "fiat",
    };
  }
  const btc = currency === "btc";
  return {
    value: sats,
    format: btc ? formatBtc : formatInteger,
    exact: sats === undefined ? undefined : btc ? `${formatBtc(sats)} BTC` : formatInteger(sats),
    unit: btc ? "BTC" : "sats",
    sub: undefined,
    currency: btc ? "btc" : "sats",
  };
}
