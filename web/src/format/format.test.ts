import { describe, expect, it } from "vitest";
import {
  formatCompact,
  formatDecimal,
  formatFiat,
  formatFit,
  formatInteger,
  formatRate,
  formatSats,
} from "./number";
import {
  formatClock,
  formatRelative,
  formatWindowLabel,
  parseDuration,
  pickBucketSeconds,
  toGoDuration,
} from "./time";

describe("formatInteger", () => {
  it("adds thousands separators and rounds", () => {
    expect(formatInteger(4567890)).toBe("4,567,890");
    expect(formatInteger(2998.61)).toBe("2,999");
    expect(formatInteger(0)).toBe("0");
    expect(formatInteger(-0.2)).toBe("0");
  });
  it("renders missing values as an em dash", () => {
    expect(formatInteger(undefined)).toBe("—");
    expect(formatInteger(null)).toBe("—");
    expect(formatInteger(Number.NaN)).toBe("—");
  });
});

describe("formatDecimal", () => {
  it("keeps a fixed number of fraction digits", () => {
    expect(formatDecimal(2.4)).toBe("2.4");
    expect(formatDecimal(2)).toBe("2.0");
    expect(formatDecimal(7200.55, 2)).toBe("7,200.55");
  });
});

describe("formatCompact", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [999.6, "1K"],
    [2.45, "2.5"],
    [1000, "1K"],
    [1234, "1.23K"],
    [12_345, "12.3K"],
    [123_456, "123K"],
    [999_950, "1M"],
    [1_200_000, "1.2M"],
    [4_567_890, "4.57M"],
    [2_100_000_000, "2.1B"],
    [-1500, "-1.5K"],
  ])("%s → %s", (input, expected) => {
    expect(formatCompact(input)).toBe(expected);
  });
});

describe("formatFit", () => {
  it("uses the full form when it fits and the compact form otherwise", () => {
    expect(formatFit(4_567_890, 9)).toBe("4,567,890");
    expect(formatFit(1_234_567_890, 9)).toBe("1.23B");
  });
});

describe("formatSats", () => {
  it("pluralises and optionally compacts", () => {
    expect(formatSats(2100)).toBe("2,100 sats");
    expect(formatSats(1)).toBe("1 sat");
    expect(formatSats(1_200_000, { compact: true })).toBe("1.2M sats");
  });
});

describe("formatRate", () => {
  it("shows one decimal for small rates and integers for large ones", () => {
    expect(formatRate(2.4)).toBe("2.4");
    expect(formatRate(0)).toBe("0.0");
    expect(formatRate(7200.5)).toBe("7,201");
  });
});

describe("formatFiat", () => {
  it("formats ISO currencies whatever their case", () => {
    expect(formatFiat(2.1, "usd")).toBe("$2.10");
    expect(formatFiat(4567.89, "USD")).toBe("$4,567.89");
    expect(formatFiat(12.5, "eur")).toBe("€12.50");
  });
  it("compacts large amounts on request", () => {
    expect(formatFiat(45_678.9, "usd", { compact: true })).toBe("$45.7K");
    expect(formatFiat(456.78, "usd", { compact: true })).toBe("$456.78");
  });
  it("falls back for unknown currency codes and missing amounts", () => {
    expect(formatFiat(3, "sats!")).toBe("3.00 SATS!");
    expect(formatFiat(3, undefined)).toBe("3.00");
    expect(formatFiat(undefined, "usd")).toBe("—");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2025-11-10T14:30:00Z");
  it.each([
    ["2025-11-10T14:29:58Z", "just now"],
    ["2025-11-10T14:30:03Z", "just now"],
    ["2025-11-10T14:29:48Z", "12s ago"],
    ["2025-11-10T14:27:00Z", "3m ago"],
    ["2025-11-10T12:00:00Z", "2h ago"],
    ["2025-11-06T14:30:00Z", "4d ago"],
  ])("%s → %s", (iso, expected) => {
    expect(formatRelative(iso, now)).toBe(expected);
  });
  it("handles missing and invalid input", () => {
    expect(formatRelative(undefined, now)).toBe("—");
    expect(formatRelative("not a date", now)).toBe("—");
  });
});

describe("formatClock", () => {
  it("pads hours, minutes and seconds in local time", () => {
    const d = new Date(2025, 10, 10, 9, 5, 7);
    expect(formatClock(d)).toBe("09:05");
    expect(formatClock(d, true)).toBe("09:05:07");
  });
});

describe("durations", () => {
  it("parses Go durations into seconds", () => {
    expect(parseDuration("60m")).toBe(3600);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("1.5h")).toBe(5400);
    expect(parseDuration("20s")).toBe(20);
    expect(parseDuration("500ms")).toBe(0.5);
  });
  it("rejects everything else", () => {
    expect(parseDuration("all")).toBeNull();
    expect(parseDuration("20")).toBeNull();
    expect(parseDuration("0s")).toBeNull();
    expect(parseDuration("1 h")).toBeNull();
    expect(parseDuration("")).toBeNull();
  });
  it("renders seconds as durations the API accepts", () => {
    expect(toGoDuration(3600)).toBe("60m");
    expect(toGoDuration(86400)).toBe("24h");
    expect(toGoDuration(45)).toBe("45s");
  });
  it("labels windows for humans", () => {
    expect(formatWindowLabel("60m")).toBe("60 min");
    expect(formatWindowLabel("5m")).toBe("5 min");
    expect(formatWindowLabel("24h")).toBe("24 h");
    expect(formatWindowLabel("1h30m")).toBe("90 min");
    expect(formatWindowLabel("all")).toBe("all time");
    expect(formatWindowLabel("bogus")).toBe("bogus");
  });
  it("picks round bucket sizes for about 60 buckets", () => {
    expect(pickBucketSeconds(3600)).toBe(60);
    expect(pickBucketSeconds(300)).toBe(5);
    expect(pickBucketSeconds(86400)).toBe(1800);
    expect(pickBucketSeconds(30 * 86400)).toBe(43200);
    expect(pickBucketSeconds(90 * 86400)).toBe(86400);
  });
});
