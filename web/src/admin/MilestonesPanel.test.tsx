// Re-arming a triggered milestone: the operator is told what will happen and asked before anything changes.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { AdminApi } from "../api/client";
import type { AdminMilestone, MilestoneUpdate, Summary } from "../api/types";
import type { ConfirmRequest } from "./Dialog";
import { milestoneResource } from "./MilestonesPanel";
import { rearmOutcome } from "./rearm";

const fired: AdminMilestone = {
  id: 3,
  name: "1,000 sales",
  type: "transactions",
  threshold: 1000,
  enabled: true,
  triggered: true,
  triggered_at: "2025-11-10T14:00:00Z",
  created_at: "2025-11-10T10:00:00Z",
  updated_at: "2025-11-10T14:00:00Z",
};
const totals = (transactions: number) => ({ total_transactions: transactions, total_volume_sats: 5_000_000 });

describe("what re-arming a milestone will do", () => {
  it("fires at once when the totals are already past an enabled milestone's threshold", () => {
    const o = rearmOutcome(fired, totals(1234));
    expect(o.firesAtOnce).toBe(true);
    expect(o.message).toContain(
      "fires at once: totals are already past it (1,234 now, threshold 1,000 transactions)",
    );
    expect(o.confirmLabel).toBe("Re-arm and fire now");
    expect(o.notice).not.toContain("when the threshold is crossed");
    // Exactly at the threshold counts as reached, as the server's rule says.
    expect(rearmOutcome(fired, totals(1000)).firesAtOnce).toBe(true);
  });

  it("waits for the totals when they are below it, and for the switch when it is disabled", () => {
    const below = rearmOutcome(fired, totals(800));
    expect(below.firesAtOnce).toBe(false);
    expect(below.message).toContain("fires again when the totals reach 1,000 transactions (now 800)");
    const off = rearmOutcome({ ...fired, enabled: false }, totals(1234));
    expect(off.firesAtOnce).toBe(false);
    expect(off.message).toContain("fires as soon as you enable it");
    const volume = rearmOutcome({ ...fired, type: "volume", threshold: 4_000_000 }, totals(1));
    expect(volume.message).toContain("5,000,000 now, threshold 4,000,000 sats");
  });

  it("says it as a condition when the totals cannot be read", () => {
    const o = rearmOutcome(fired, null);
    expect(o.firesAtOnce).toBe(false);
    expect(o.message).toContain("If they are already past 1,000 transactions");
  });
});

describe("the Re-arm row action", () => {
  const rearm = milestoneResource.actions.find((a) => a.testId === "milestone-rearm");

  it("asks first, and re-arms only once confirmed", async () => {
    const updates: Array<[number, MilestoneUpdate]> = [];
    const api = {
      summary: async () => ({ ...totals(1500) }) as Summary,
      updateMilestone: async (id: number, body: MilestoneUpdate) => {
        updates.push([id, body]);
        return { ...fired, triggered: false, triggered_at: undefined };
      },
    } as unknown as AdminApi;
    const asked: ConfirmRequest[] = [];
    const notices: string[] = [];
    const replaced: AdminMilestone[] = [];
    await rearm?.run(fired, {
      call: (fn) => fn(api),
      notify: (text) => notices.push(text),
      replace: (m) => replaced.push(m),
      reload: async () => {},
      confirm: (r) => asked.push(r),
    });
    expect(updates).toEqual([]);
    expect(asked).toHaveLength(1);
    const request = asked[0] as ConfirmRequest;
    expect(request.confirmLabel).toBe("Re-arm and fire now");
    expect(renderToStaticMarkup(<div>{request.message}</div>)).toContain(
      "fires at once: totals are already past it",
    );

    await request.action();
    expect(updates).toEqual([[3, { reset_trigger: true }]]);
    expect(replaced.map((m) => m.triggered)).toEqual([false]);
    expect(notices).toEqual(["“1,000 sales” re-armed: it fires at once, totals are already past it."]);
  });
});
