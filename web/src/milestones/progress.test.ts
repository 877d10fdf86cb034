import { describe, expect, it } from "vitest";
import type { UpcomingMilestone } from "../api/types";
import { nextMilestone, progressText } from "./progress";

const m = (id: number, type: "transactions" | "volume", threshold: number): UpcomingMilestone => ({
  id,
  name: `Milestone ${id}`,
  type,
  threshold,
});
const totals = (total_transactions: number, total_volume_sats: number) => ({
  total_transactions,
  total_volume_sats,
});

describe("nextMilestone", () => {
  it("says what is left to the next threshold of its kind", () => {
    const p = nextMilestone([m(1, "transactions", 2000)], totals(1688, 0));
    expect(p).toMatchObject({ current: 1688, remaining: 312, fraction: 0.844 });
    expect(p && progressText(p)).toBe("312 sales to 2,000");
  });

  it("picks the milestone closest to firing as a share of its threshold, across kinds", () => {
    const list = [m(1, "transactions", 2000), m(2, "volume", 1_000_000), m(3, "transactions", 5000)];
    // 1688 / 2000 = 0.844; 958,800 / 1M = 0.9588.
    const p = nextMilestone(list, totals(1688, 958_800));
    expect(p?.milestone.id).toBe(2);
    expect(p && progressText(p)).toBe("41,200 sats to 1M sats");
    expect(nextMilestone(list, totals(1688, 100))?.milestone.id).toBe(1);
  });

  it("skips a milestone whose threshold is reached (it is about to fire) and moves to the next", () => {
    const list = [m(1, "transactions", 100), m(2, "transactions", 1000)];
    expect(nextMilestone(list, totals(99, 0))?.milestone.id).toBe(1);
    expect(nextMilestone(list, totals(100, 0))).toMatchObject({ milestone: { id: 2 }, remaining: 900 });
    expect(nextMilestone(list, totals(1000, 0))).toBeNull();
  });

  it("breaks a tie by the lower threshold, then the older milestone", () => {
    expect(nextMilestone([m(5, "transactions", 20), m(4, "volume", 2000)], totals(0, 0))?.milestone.id).toBe(
      5,
    );
    expect(nextMilestone([m(7, "volume", 10), m(6, "volume", 10)], totals(0, 5))?.milestone.id).toBe(6);
  });

  it("is null before the totals or the milestones are known, or with none ahead", () => {
    expect(nextMilestone(undefined, totals(1, 1))).toBeNull();
    expect(nextMilestone([m(1, "volume", 10)], null)).toBeNull();
    expect(nextMilestone([], totals(1, 1))).toBeNull();
  });
});

describe("progressText", () => {
  it("says one sale in the singular and writes big goals compactly", () => {
    const one = nextMilestone([m(1, "transactions", 100)], totals(99, 0));
    expect(one && progressText(one)).toBe("1 sale to 100");
    const big = nextMilestone([m(1, "transactions", 250_000)], totals(249_000, 0));
    expect(big && progressText(big)).toBe("1,000 sales to 250K");
    const sats = nextMilestone([m(1, "volume", 2_500_000)], totals(0, 0));
    expect(sats && progressText(sats)).toBe("2,500,000 sats to 2.5M sats");
  });
});
