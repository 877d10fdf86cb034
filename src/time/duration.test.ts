import { describe, expect, it } from "vitest";
import { DurationError, formatDuration, parseDuration } from "./duration.js";

describe("parseDuration (Go's time.ParseDuration)", () => {
  it.each([
    ["300ms", 300],
    ["30s", 30_000],
    ["1.5h", 5_400_000],
    ["1h30m", 5_400_000],
    ["2h45m10.5s", 9_910_500],
    ["5m", 300_000],
    ["0", 0],
    ["+5s", 5000],
    ["-1.5m", -90_000],
    [".5s", 500],
    ["1.s", 1000],
    ["1000us", 1],
    ["1000µs", 1],
    ["1000μs", 1],
    ["1000000ns", 1],
    ["1h0m0s", 3_600_000],
  ])("%s is %d ms", (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 6);
  });

  it.each(["", "5", "abc", "5x", "1d", ".s", "-", "1h 30m", " 5s", "5s ", "1e3s", "s", "1..5s", "3000000h"])(
    "rejects %j",
    (input) => {
      expect(() => parseDuration(input)).toThrow(DurationError);
    },
  );

  it("names the input in the error", () => {
    expect(() => parseDuration("soon")).toThrow(/"soon"/);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [300, "300ms"],
    [30_000, "30s"],
    [5_400_000, "1h30m0s"],
    [90_500, "1m30.5s"],
  ])("%d ms prints as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
