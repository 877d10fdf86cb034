import type { PublicApi } from "../api/client";
import type { Summary, UpcomingMilestone } from "../api/types";
import { type Resource, useResource } from "../hooks/useResource";
import type { LiveState } from "../live/state";
import { nextMilestone, progressText } from "./progress";

/** The milestones still to come, refetched as the live data moves (one fires, an operator adds one). */
export function useUpcomingMilestones(api: PublicApi, live: LiveState): Resource<UpcomingMilestone[]> {
  return useResource("milestones:upcoming", () => api.upcomingMilestones(), { version: live.version });
}

/**
 * "312 sales to 2,000" under the milestone's name, with a bar filled to the share reached. The totals
 * are the live summary's, so it moves with every sale; nothing shows while no milestone is ahead.
 */
export function MilestoneProgress({
  upcoming,
  summary,
  variant = "venue",
}: {
  upcoming: UpcomingMilestone[] | undefined;
  summary: Summary | null;
  variant?: "venue" | "compact";
}) {
  const next = nextMilestone(upcoming, summary);
  if (!next) return null;
  const { milestone } = next;
  const text = progressText(next);
  const percent = Math.floor(next.fraction * 100);
  return (
    <section
      className={`milestone-progress milestone-progress--${variant}`}
      aria-label="Next milestone"
      data-testid="milestone-progress"
      data-milestone-id={milestone.id}
      data-remaining={next.remaining}
    >
      <p className="milestone-progress__label">
        <span className="milestone-progress__eyebrow">Next milestone</span>
        <span className="milestone-progress__name" title={milestone.name}>
          {milestone.name}
        </span>
      </p>
      <div
        className="milestone-progress__bar"
        role="progressbar"
        aria-label={`${milestone.name}: ${text}`}
        aria-valuemin={0}
        aria-valuemax={milestone.threshold}
        aria-valuenow={next.current}
        aria-valuetext={text}
      >
        <span className="milestone-progress__fill" style={{ width: `${Math.max(1, percent)}%` }} />
      </div>
      <p className="milestone-progress__text" data-testid="milestone-progress-text">
        {text}
      </p>
    </section>
  );
}
