import { describe, expect, it } from "vitest";
import type { TickerRow } from "../api/types";
import { addSale, connectionBanner, initialLiveState, isStale, type LiveState, mergeTicker } from "./state";

const row = (id: number, second: number, merchant = "1"): TickerRow => ({
  sale_id: id,
  merchant_id: merchant,
  merchant_alias: "M",
  amount_sats: 1,
  sale_date: `2025-11-10T14:00:${String(second).padStart(2, "0")}Z`,
  source: "pwf",
});

const ids = (rows: TickerRow[]) => rows.map((r) => r.sale_id);

describe("addSale", () => {
  it("inserts by sale date, newest first, and trims", () => {
    const t = [row(3, 30), row(1, 10)];
    expect(ids(addSale(t, row(2, 20), 10))).toEqual([3, 2, 1]);
    expect(ids(addSale(t, row(4, 40), 2))).toEqual([4, 3]);
  });
  it("returns the same array for a duplicate", () => {
    const t = [row(3, 30)];
    expect(addSale(t, row(3, 30), 10)).toBe(t);
  });
});

describe("mergeTicker", () => {
  it("takes the snapshot as the truth but keeps newer rows already shown", () => {
    const current = [row(9, 50), row(5, 5)]; // 5 was deleted server-side, 9 raced the request
    const snapshot = [row(8, 40), row(7, 30)];
    expect(ids(mergeTicker(current, snapshot, 10))).toEqual([9, 8, 7]);
  });
  it("dedupes rows present in both", () => {
    expect(ids(mergeTicker([row(8, 40)], [row(8, 40), row(7, 30)], 10))).toEqual([8, 7]);
  });
});

describe("connectionBanner", () => {
  const base: LiveState = { ...initialLiveState(true), freshAt: 1_000_000 };

  it("shows nothing while live, however old the data", () => {
    expect(connectionBanner({ ...base, status: "live" }, 9_999_999)).toBeNull();
  });
  it("shows nothing during a short blip", () => {
    expect(connectionBanner({ ...base, status: "reconnecting" }, 1_000_000 + 15_000)).toBeNull();
  });
  it("says the data is stale once the blip lasts", () => {
    const banner = connectionBanner({ ...base, status: "reconnecting" }, 1_000_000 + 42_000);
    expect(banner).toEqual({ kind: "stale", text: "Connection lost — showing data from 42s ago. Retrying…" });
    expect(isStale({ ...base, status: "reconnecting" }, 1_000_000 + 42_000)).toBe(true);
  });
  it("says the server is unreachable when polling fails", () => {
    const banner = connectionBanner(
      { ...base, status: "polling", error: "Cannot reach the server" },
      1_000_000 + 300_000,
    );
    expect(banner?.kind).toBe("offline");
    expect(banner?.text).toBe("Server unreachable — showing data from 5 min ago. Retrying…");
  });
  it("is quiet while polling works", () => {
    expect(connectionBanner({ ...base, status: "polling" }, 1_000_000 + 4_000)).toBeNull();
  });
  it("explains an empty screen", () => {
    const empty = initialLiveState(true);
    expect(connectionBanner(empty, 0)).toBeNull();
    expect(connectionBanner({ ...empty, status: "reconnecting" }, 0)?.kind).toBe("connecting");
    const failed = connectionBanner({ ...empty, error: "Cannot reach the server" }, 0);
    expect(failed?.kind).toBe("offline");
    expect(isStale({ ...empty, status: "reconnecting" }, 0)).toBe(false);
  });
});
