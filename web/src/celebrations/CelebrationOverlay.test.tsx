// The overlay's data attributes name what is celebrated: the milestone, and separately this firing of it.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { MilestoneTrigger } from "../api/types";
import { one } from "../testing/markup";
import { CelebrationOverlay } from "./CelebrationOverlay";

// A milestone re-armed and fired again: its second trigger, so the two ids differ.
const trigger: MilestoneTrigger = {
  id: 41,
  milestone_id: 7,
  name: "1,000 sales",
  type: "transactions",
  threshold: 1000,
  triggered_at: "2025-11-10T14:30:00Z",
  total_transactions: 1000,
  total_volume_sats: 2_500_000,
};

describe("celebration overlay", () => {
  it("carries the milestone id in data-milestone-id and the trigger id in data-trigger-id", () => {
    const html = renderToStaticMarkup(
      <CelebrationOverlay
        celebration={{ trigger, startedAt: 0, endsAt: 9000, motion: "static" }}
        waiting={0}
        onDismiss={() => {}}
        interactive={false}
      />,
    );
    expect(one(html, "celebration")).toMatchObject({ "data-milestone-id": "7", "data-trigger-id": "41" });
  });
});
