import { afterEach, describe, expect, it } from "vitest";
import type { Summary } from "../api/types";
import { setDisplayTimeZone } from "../format/time";
import { shownTotals, volumeDisplay } from "./money";

afterEach(() => setDisplayTimeZone(undefined));

describe("headline money", () => {
  const summary = {
    total_transactions: 10,
    total_volume_sats: 123_456_789,
    average_transaction_size: 12_345_678.9,
    fiat_volume: [{ currency: "eur", amount: 80 }],
  } as Summary;

  it("all time without doors; since doors with the time when they are set", () => {
    setDisplayTimeZone("UTC");
    expect(shownTotals(summary, 0)).toEqual({ totals: summary, window: "all time" });
    const doors = {
      doors_opened_at: "2025-11-10T10:00:00Z",
      total_transactions: 2,
      total_volume_sats: 3000,
      average_transaction_size: 1500,
      fiat_volume: [],
    };
    expect(shownTotals({ ...summary, since_doors: doors }, Date.parse("2025-11-10T12:00:00Z"))).toEqual({
      totals: doors,
      window: "since doors 10:00",
    });
  });

  it("sats, BTC, or the first fiat currency with the sats below", () => {
    expect(volumeDisplay(2100, [], "sats")).toMatchObject({ value: 2100, unit: "sats", exact: "2,100" });
    const btc = volumeDisplay(123_456_789, [], "btc");
    expect(btc.format(123_456_789)).toBe("1.2345 6789");
    expect(btc.unit).toBe("BTC");
    const fiat = volumeDisplay(5000, [{ currency: "eur", amount: 80 }], "fiat");
    expect(fiat).toMatchObject({ value: 80, sub: "5,000 sats", currency: "fiat" });
    expect(fiat.format(80)).toMatch(/80\.00/);
    // No fiat on the sales: sats after all.
    expect(volumeDisplay(5000, [], "fiat")).toMatchObject({ value: 5000, unit: "sats" });
  });
});
