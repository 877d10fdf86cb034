import { describe, expect, it } from "vitest";
import { dueMilestones } from "./evaluate.js";

const m = (id: number, type: string, threshold: number, enabled = true, triggered = false) => ({
  id,
  type,
  threshold,
  enabled,
  triggered,
});

describe("dueMilestones", () => {
  it("returns enabled, armed milestones the totals reach, lowest threshold first", () => {
    const due = dueMilestones(
      [m(1, "transactions", 100), m(2, "volume", 5000), m(3, "transactions", 50), m(4, "transactions", 101)],
      { transactions: 100, volumeSats: 5000 },
    );
    expect(due.map((d) => d.id)).toEqual([3, 1, 2]);
  });

  it("never returns a disabled, triggered or unknown-type milestone", () => {
    const due = dueMilestones(
      [m(1, "transactions", 1, false), m(2, "transactions", 1, true, true), m(3, "visitors", 1)],
      { transactions: 10, volumeSats: 10 },
    );
    expect(due).toEqual([]);
  });

  it("fires at exactly the threshold, and a zero threshold at once", () => {
    expect(dueMilestones([m(1, "volume", 0)], { transactions: 0, volumeSats: 0 })).toHaveLength(1);
    expect(dueMilestones([m(1, "volume", 10)], { transactions: 0, volumeSats: 9 })).toHaveLength(0);
  });
});
