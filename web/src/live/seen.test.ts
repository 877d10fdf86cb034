import { describe, expect, it } from "vitest";
import type { MilestoneTrigger } from "../api/types";
import { SeenSales, SeenTriggers } from "./seen";

const trigger = (id: number): MilestoneTrigger => ({
  id,
  milestone_id: id * 10,
  name: `M${id}`,
  type: "transactions",
  threshold: 100,
  triggered_at: "2026-01-01T00:00:00Z",
  total_transactions: 100,
  total_volume_sats: 5000,
});

describe("seen sales", () => {
  it("forgets the oldest key past its limit, and only that one", () => {
    const seen = new SeenSales(2);
    seen.add("a");
    seen.add("b");
    seen.add("c");
    expect([seen.has("a"), seen.has("b"), seen.has("c")]).toEqual([false, true, true]);
  });
});

describe("seen triggers", () => {
  it("never announces the history of the first list, and announces later ones oldest first, once", () => {
    const seen = new SeenTriggers();
    expect(seen.newInList([trigger(2), trigger(1)])).toEqual([]);
    expect(seen.newInList([trigger(4), trigger(3), trigger(2)]).map((t) => t.id)).toEqual([3, 4]);
    expect(seen.newInList([trigger(4), trigger(3)])).toEqual([]);
  });

  it("counts a trigger announced by the stream as seen for later lists, and skips malformed ones", () => {
    const seen = new SeenTriggers();
    seen.newInList([]);
    expect(seen.isNew(trigger(7))).toBe(true);
    expect(seen.isNew(trigger(7))).toBe(false);
    expect(seen.isNew({ ...trigger(8), id: "8" as unknown as number })).toBe(false);
    expect(seen.newInList([trigger(8), trigger(7)]).map((t) => t.id)).toEqual([8]);
  });
});
