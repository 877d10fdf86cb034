import { describe, expect, it } from "vitest";
import type { MerchantDataHealth, ProductTotalsCheck } from "../api/types";
import {
  failuresText,
  formatAge,
  freshnessDetail,
  freshnessVerdict,
  totalsDetail,
  totalsVerdict,
} from "./health-logic";

const check = (over: Partial<ProductTotalsCheck>): ProductTotalsCheck => ({
  verdict: "agree",
  products_compared: 3,
  products_differing: 0,
  transactions_difference: 0,
  revenue_sats_difference: 0,
  differences: [],
  ...over,
});

describe("data health words", () => {
  it("names every freshness, and marks stale and never as needing the operator", () => {
    expect(freshnessVerdict({ freshness: "fresh" })).toEqual({ label: "Fresh", tone: "ok" });
    expect(freshnessVerdict({ freshness: "late" })).toEqual({ label: "Late", tone: "warn" });
    expect(freshnessVerdict({ freshness: "stale" })).toEqual({ label: "Stale", tone: "alert" });
    expect(freshnessVerdict({ freshness: "never" }).tone).toBe("alert");
    expect(freshnessVerdict({ freshness: "not_polled" }).label).toBe("Not polled");
  });

  it("says how old against what was expected", () => {
    expect(formatAge(45)).toBe("45 s");
    expect(formatAge(185)).toBe("3 min 5 s");
    expect(formatAge(120)).toBe("2 min");
    expect(formatAge(7800)).toBe("2 h 10 min");
    const m = { freshness: "late", enabled: true, seconds_since_poll: 75, expected_interval_seconds: 30 };
    expect(freshnessDetail(m as MerchantDataHealth)).toBe(
      "1 min 15 s since the last good poll; expected every 30 s",
    );
    expect(
      freshnessDetail({ ...m, freshness: "never", seconds_since_poll: undefined } as MerchantDataHealth),
    ).toBe("no successful poll yet; expected every 30 s");
    expect(freshnessDetail({ ...m, freshness: "not_polled", enabled: false } as MerchantDataHealth)).toBe(
      "disabled",
    );
  });

  it("words the product totals: agree, disagree with the signed difference, unknown with why", () => {
    expect(totalsVerdict(check({}))).toEqual({ label: "Agree", tone: "ok" });
    expect(totalsDetail(check({}))).toBe("stored sales match the source on 3 products");
    const off = check({
      verdict: "disagree",
      products_differing: 1,
      transactions_difference: -1,
      revenue_sats_difference: -2100,
    });
    expect(totalsVerdict(off)).toEqual({ label: "Disagree", tone: "alert" });
    expect(totalsDetail(off)).toBe("1 of 3 products differ; stored minus source: −1 sales, −2,100 sats");
    const unknown = check({
      verdict: "unknown",
      reason: "LNbits reports no product totals",
      products_compared: 0,
    });
    expect(totalsVerdict(unknown).label).toBe("Unknown");
    expect(totalsDetail(unknown)).toBe("LNbits reports no product totals");
  });

  it("counts failures in a row and in all", () => {
    expect(failuresText({ consecutive_failures: 0, total_failures: 0 })).toBe("none");
    expect(failuresText({ consecutive_failures: 2, total_failures: 5 })).toBe("2 in a row · 5 in all");
    expect(failuresText({ consecutive_failures: 0, total_failures: 5 })).toBe("5 in all, none now");
  });
});
