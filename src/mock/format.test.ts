import { describe, expect, it } from "vitest";
import { errorEnvelope, fiatString, priceString, pythonFloat, saleDate, zonelessDate } from "./format.js";
import { mulberry32 } from "./random.js";

describe("wire formatting helpers", () => {
  it("write SaleDate with microseconds and +00:00", () => {
    expect(saleDate(Date.UTC(2025, 7, 22, 19, 27, 23, 532))).toBe("2025-08-22T19:27:23.532000+00:00");
    expect(saleDate(Date.UTC(2025, 0, 1, 0, 0, 0, 5))).toBe("2025-01-01T00:00:00.005000+00:00");
    expect(saleDate(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe("2024-02-29T23:59:59.999000+00:00");
  });

  it("agree with toISOString on random instants, including day changes", () => {
    const rng = mulberry32(11);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(Date.UTC(2020, 0, 1) + rng() * 10 * 365 * 86_400_000);
      expect(saleDate(ms)).toBe(`${new Date(ms).toISOString().slice(0, 23)}000+00:00`);
    }
  });

  it("write created_at with microseconds and no zone", () => {
    expect(zonelessDate(Date.UTC(2025, 7, 22, 12, 56, 20, 213), 735)).toBe("2025-08-22T12:56:20.213735");
    expect(zonelessDate(Date.UTC(2025, 7, 22, 12, 56, 20, 213), 7)).toBe("2025-08-22T12:56:20.213007");
  });

  it("write fiat totals as shortest decimals and prices with two decimals", () => {
    expect(fiatString(110)).toBe("1.1");
    expect(fiatString(1)).toBe("0.01");
    expect(fiatString(185)).toBe("1.85");
    expect(fiatString(1200)).toBe("12");
    expect(fiatString(0)).toBe("0");
    for (let c = 0; c < 100_000; c += 7) expect(fiatString(c)).toBe(String(c / 100));
    expect(priceString(5)).toBe("0.05");
    expect(priceString(400)).toBe("4.00");
    expect(pythonFloat(1)).toBe("1.0");
    expect(pythonFloat(0.05)).toBe("0.05");
  });

  it("wraps failures in a success:false envelope", () => {
    expect(errorEnvelope(401, "Invalid user public key")).toBe(
      '{"success":false,"status_code":401,"message":"Invalid user public key","data":null}',
    );
  });
});
