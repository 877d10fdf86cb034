import { describe, expect, it } from "vitest";
import type { Summary, TickerRow } from "../api/types";
import { formatClock } from "../format/time";
import { dataUpdatedAt, lastSaleText, notReporting } from "./freshness";

const summary = (extra: Partial<Summary> = {}): Summary => ({
  total_transactions: 10,
  total_volume_sats: 10_000,
  average_transaction_size: 1000,
  active_merchants: 20,
  reporting_merchants: 20,
  total_merchants: 21,
  unique_products: 4,
  transactions_per_minute: 1,
  volume_per_minute: 1000,
  rate_window_seconds: 300,
  fiat_volume: [],
  ...extra,
});

const sale = (at: string): TickerRow => ({
  sale_id: 1,
  merchant_id: "173",
  merchant_alias: "Coffee",
  amount_sats: 100,
  sale_date: at,
  source: "pwf",
});

describe("data freshness", () => {
  it("is the last successful poll, or a newer sale", () => {
    const polled = summary({ last_polled_at: "2025-11-10T14:02:00Z" });
    expect(dataUpdatedAt(polled, [])).toBe(Date.parse("2025-11-10T14:02:00Z"));
    expect(dataUpdatedAt(polled, [sale("2025-11-10T14:01:00Z")])).toBe(Date.parse("2025-11-10T14:02:00Z"));
    expect(dataUpdatedAt(polled, [sale("2025-11-10T14:03:00Z")])).toBe(Date.parse("2025-11-10T14:03:00Z"));
    expect(dataUpdatedAt(summary(), [sale("2025-11-10T14:03:00Z")])).toBe(Date.parse("2025-11-10T14:03:00Z"));
    expect(dataUpdatedAt(summary(), [])).toBeNull();
    expect(dataUpdatedAt(null, [])).toBeNull();
  });

  it("says how long ago the newest sale was", () => {
    const now = Date.parse("2025-11-10T14:05:00Z");
    expect(lastSaleText([sale("2025-11-10T14:02:00Z")], now)).toBe("last sale 3m ago");
    expect(lastSaleText([], now)).toBeNull();
  });

  it("names the merchants not reporting once they are more than half of the enabled ones", () => {
    const since = "2025-11-10T14:02:00Z";
    const twelve = notReporting(summary({ not_reporting_merchants: 12, not_reporting_since: since }));
    expect(twelve).toEqual({
      missing: 12,
      enabled: 20,
      since: Date.parse(since),
      text: `12 of 20 merchants not reporting since ${formatClock(since)}`,
    });
    // Half is not most: one broken till among two is that merchant's problem, which the tile shows.
    expect(notReporting(summary({ not_reporting_merchants: 10, not_reporting_since: since }))).toBeNull();
    expect(notReporting(summary({ reporting_merchants: 8 }))).toBeNull(); // failing, but not for long yet
    expect(notReporting(null)).toBeNull();
    expect(
      notReporting(summary({ active_merchants: 1, not_reporting_merchants: 1, not_reporting_since: since }))
        ?.text,
    ).toBe(`1 of 1 merchant not reporting since ${formatClock(since)}`);
  });
});
