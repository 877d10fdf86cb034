import { describe, expect, it } from "vitest";
import { parseInstant, rfc3339 } from "./instant.js";

describe("parseInstant", () => {
  it("reads a zone-less date as UTC, whatever the server's zone", () => {
    expect(parseInstant("2025-08-22T12:56:20.213735")).toBe(Date.UTC(2025, 7, 22, 12, 56, 20, 213));
  });

  it.each([
    ["2025-08-22T19:27:23.532000+00:00", Date.UTC(2025, 7, 22, 19, 27, 23, 532)],
    ["2025-08-22T19:27:23Z", Date.UTC(2025, 7, 22, 19, 27, 23)],
    ["2025-08-22T19:27:23-05:30", Date.UTC(2025, 7, 23, 0, 57, 23)],
    ["2025-08-22 19:27:23+0100", Date.UTC(2025, 7, 22, 18, 27, 23)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
  ])("%s", (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });

  it("reads the upstream's own shape (microseconds, +HH:MM) exactly like the general form", () => {
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Date.UTC(1990, 0, 1) + rand() * 60 * 365 * 86_400_000);
      const offsetMin = Math.floor(rand() * 14 * 60);
      const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
      const micros = String(Math.floor(rand() * 1000)).padStart(3, "0");
      const zone = `+${String(Math.floor(offsetMin / 60)).padStart(2, "0")}:${String(offsetMin % 60).padStart(2, "0")}`;
      const canonical = `${local}${micros}${zone}`;
      expect(canonical).toHaveLength(32);
      expect(parseInstant(canonical), canonical).toBe(ms);
      // The same instant written in a shape only the general parser reads.
      expect(parseInstant(`${local}Z`.replace("T", " "))).toBe(ms + offsetMin * 60_000);
    }
  });

  it.each([
    ["2024-02-29T23:59:59.999999+00:00", Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ["2000-02-29T00:00:00.000000+00:00", Date.UTC(2000, 1, 29)],
  ])("%s (leap day, upstream shape)", (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });

  it.each([
    "2025-02-29T00:00:00.000000+00:00",
    "1900-02-29T00:00:00.000000+00:00",
    "2025-04-31T00:00:00.000000+00:00",
    "2025-08-22T24:00:00.000000+00:00",
    "2025-08-22T12:60:00.000000+00:00",
    "2025-08-22T12:00:60.000000+00:00",
    "2025-08-22T12:00:00.00000a+00:00",
    "2025-0a-22T12:00:00.000000+00:00",
  ])("rejects %j (upstream shape)", (v) => {
    expect(parseInstant(v)).toBeNull();
  });

  it.each(["2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-08-22", "22/08/2025 10:00", "", 17])(
    "rejects %j",
    (v) => {
      expect(parseInstant(v)).toBeNull();
    },
  );
});

describe("rfc3339", () => {
  it("writes UTC with milliseconds only when there are any, and reads back what it wrote", () => {
    expect(rfc3339(Date.UTC(2025, 10, 10, 15, 0, 0))).toBe("2025-11-10T15:00:00Z");
    expect(rfc3339(Date.UTC(2025, 10, 10, 15, 0, 0, 120))).toBe("2025-11-10T15:00:00.120Z");
    for (const ms of [0, 1, 999, Date.UTC(2024, 1, 29, 23, 59, 59, 999)])
      expect(parseInstant(rfc3339(ms))).toBe(ms);
  });
});
