import { describe, expect, it } from "vitest";
import type { MilestoneTrigger } from "../api/types";
import { CelebrationQueue, milestoneValue, nameStatesValue } from "./queue";

const trigger = (id: number, type: "volume" | "transactions" = "volume"): MilestoneTrigger => ({
  id,
  milestone_id: id * 10,
  name: `Milestone ${id}`,
  type,
  threshold: id * 1000,
  triggered_at: "2025-11-10T14:30:00Z",
  total_transactions: 5,
  total_volume_sats: id * 1000,
});

const idOf = (q: CelebrationQueue) => q.current()?.trigger.id ?? null;

describe("CelebrationQueue", () => {
  it("shows a trigger immediately and ends it after the duration", () => {
    const q = new CelebrationQueue({ durationMs: 1000, gapMs: 100 });
    expect(q.offer(trigger(1), 0)).toBe(true);
    expect(idOf(q)).toBe(1);
    expect(q.current()?.endsAt).toBe(1000);
    expect(q.nextWakeAt()).toBe(1000);
    expect(q.advance(999)?.trigger.id).toBe(1);
    expect(q.advance(1000)).toBeNull();
    expect(q.busy()).toBe(false);
    expect(q.nextWakeAt()).toBeNull();
  });

  it("queues triggers that arrive together and shows them one at a time, in order", () => {
    const q = new CelebrationQueue({ durationMs: 1000, gapMs: 100 });
    q.offer(trigger(1), 0);
    q.offer(trigger(2), 10);
    q.offer(trigger(3), 20);
    expect(idOf(q)).toBe(1);
    expect(q.waiting()).toBe(2);
    expect(q.busy()).toBe(true);
    q.advance(1000);
    expect(idOf(q)).toBeNull(); // the gap between two moments
    expect(q.nextWakeAt()).toBe(1100);
    q.advance(1100);
    expect(idOf(q)).toBe(2);
    expect(q.current()?.endsAt).toBe(2100);
    q.advance(2100);
    q.advance(2200);
    expect(idOf(q)).toBe(3);
    q.advance(3200);
    expect(q.busy()).toBe(false);
  });

  it("never shows the same trigger twice", () => {
    const q = new CelebrationQueue({ durationMs: 1000 });
    expect(q.offer(trigger(1), 0)).toBe(true);
    expect(q.offer(trigger(1), 10)).toBe(false);
    q.advance(5000);
    expect(q.offer(trigger(1), 5000)).toBe(false);
    expect(q.current()).toBeNull();
  });

  it("never shows history marked as seen (no replay on refresh)", () => {
    const q = new CelebrationQueue();
    q.markSeen([1, 2]);
    expect(q.offer(trigger(2), 0)).toBe(false);
    expect(q.offer(trigger(3), 0)).toBe(true);
    expect(idOf(q)).toBe(3);
  });

  it("uses a static frame under reduced motion", () => {
    const q = new CelebrationQueue({ reducedMotion: true });
    q.offer(trigger(1), 0);
    expect(q.current()?.motion).toBe("static");
    const animated = new CelebrationQueue();
    animated.offer(trigger(1), 0);
    expect(animated.current()?.motion).toBe("animated");
  });

  it("applies a reduced-motion change to the next celebration", () => {
    const q = new CelebrationQueue({ durationMs: 100, gapMs: 0 });
    q.offer(trigger(1), 0);
    q.offer(trigger(2), 0);
    q.setReducedMotion(true);
    expect(q.current()?.motion).toBe("animated");
    q.advance(100);
    expect(q.current()?.motion).toBe("static");
  });

  it("can be dismissed early, moving on to the next after the gap", () => {
    const q = new CelebrationQueue({ durationMs: 10_000, gapMs: 500 });
    q.offer(trigger(1), 0);
    q.offer(trigger(2), 0);
    q.dismiss(2000);
    expect(idOf(q)).toBeNull();
    q.advance(2500);
    expect(idOf(q)).toBe(2);
  });
});

describe("milestoneValue", () => {
  it("names the unit by type", () => {
    expect(milestoneValue(trigger(1000))).toEqual({ value: 1_000_000, unit: "sats" });
    expect(milestoneValue({ type: "transactions", threshold: 10_000 })).toEqual({
      value: 10_000,
      unit: "transactions",
    });
  });
});

describe("nameStatesValue", () => {
  it("finds the threshold however the name writes it", () => {
    expect(nameStatesValue("1,000 sales", 1000)).toBe(true);
    expect(nameStatesValue("1000 sales", 1000)).toBe(true);
    expect(nameStatesValue("10 000 coffees", 10_000)).toBe(true);
    expect(nameStatesValue("1M sats!", 1_000_000)).toBe(true);
    expect(nameStatesValue("2.5k sales", 2500)).toBe(true);
    expect(nameStatesValue("Sale 10000", 1000)).toBe(false);
    expect(nameStatesValue("Doors rush", 1000)).toBe(false);
    expect(nameStatesValue("5 minutes to 1000", 1000)).toBe(true);
    expect(nameStatesValue("1 more", 1_000_000)).toBe(false);
    expect(nameStatesValue("1 mile", 1_000_000)).toBe(false);
  });
});
