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

describe("celebration overlay: the value once", () => {
  const render = (t: MilestoneTrigger) =>
    renderToStaticMarkup(
      <CelebrationOverlay
        celebration={{ trigger: t, startedAt: 0, endsAt: 9000, motion: "static" }}
        waiting={0}
        onDismiss={() => {}}
        interactive={false}
      />,
    );
  const text = (html: string) => html.replace(/<[^>]*>/g, "");
  const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

  it("shows a name that states the number as the headline, and the number nowhere else", () => {
    const html = render(trigger); // "1,000 sales", 1000 transactions at the time
    expect(count(text(html), "1,000")).toBe(1);
    expect(one(html, "celebration-value")).toMatchObject({ tag: "h2", "data-value": "1000" });
    expect(text(html)).toContain("2,500,000 sats in total");
  });

  it("shows the number beneath a name that does not state it, once", () => {
    const html = render({ ...trigger, name: "Doors rush" });
    expect(count(text(html), "1,000")).toBe(1);
    expect(text(html)).toContain("Doors rush");
    expect(text(html)).not.toContain("1,000 transactions in total");
  });

  it("gives a volume milestone's sales count, not its sats again", () => {
    const html = render({
      ...trigger,
      name: "1M sats",
      type: "volume",
      threshold: 1_000_000,
      total_volume_sats: 1_000_400,
    });
    expect(text(html)).toContain("1M sats");
    expect(text(html)).not.toContain("1,000,000");
    expect(text(html)).not.toContain("1,000,400");
    expect(text(html)).toContain("1,000 transactions in total");
  });
});
