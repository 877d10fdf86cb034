// Progress to the next milestone ("312 sales to 2,000", "41,200 sats to 1M sats"): pure, from the
// milestones still to come (GET /v1/milestones/upcoming) and the summary's running totals.
import type { Summary, UpcomingMilestone } from "../api/types";
import { formatCompact, formatInteger } from "../format/number";

export interface MilestoneProgress {
  milestone: UpcomingMilestone;
  /** The total it counts now (sales or sats). */
  current: number;
  /** How much is left until it fires: always at least 1. */
  remaining: number;
  /** current / threshold, in [0, 1). */
  fraction: number;
}

type Totals = Pick<Summary, "total_transactions" | "total_volume_sats">;

/**
 * The milestone a screen should show: of those not reached yet, the one closest to firing as a share of
 * its threshold (a sales goal and a sats goal compare fairly), the lower threshold and then the older
 * one on a tie. One whose threshold is already reached is about to fire, not "to come": it is skipped.
 * Null without totals or without any milestone ahead.
 */
export function nextMilestone(
  upcoming: readonly UpcomingMilestone[] | undefined,
  totals: Totals | null,
): MilestoneProgress | null {
  if (!upcoming || !totals) return null;
  let best: MilestoneProgress | null = null;
  for (const milestone of upcoming) {
    const current = milestone.type === "volume" ? totals.total_volume_sats : totals.total_transactions;
    if (!(milestone.threshold > current)) continue;
    const candidate = {
      milestone,
      current,
      remaining: milestone.threshold - current,
      fraction: Math.max(0, current / milestone.threshold),
    };
    if (best === null || closer(candidate, best)) best = candidate;
  }
  return best;
}

function closer(a: MilestoneProgress, b: MilestoneProgress): boolean {
  if (a.fraction !== b.fraction) return a.fraction > b.fraction;
  if (a.milestone.threshold !== b.milestone.threshold) return a.milestone.threshold < b.milestone.threshold;
  return a.milestone.id < b.milestone.id;
}

/** A threshold as people say it: exact up to 100,000, then compact (1M, 2.5M). */
function goal(n: number): string {
  return n < 100_000 ? formatInteger(n) : formatCompact(n);
}

/** "312 sales to 2,000", "1 sale to 100", "41,200 sats to 1M sats". */
export function progressText(p: MilestoneProgress): string {
  const { remaining, milestone } = p;
  if (milestone.type === "volume")
    return `${formatInteger(remaining)} sats to ${goal(milestone.threshold)} sats`;
  return `${formatInteger(remaining)} ${remaining === 1 ? "sale" : "sales"} to ${goal(milestone.threshold)}`;
}
