/** Which milestones a set of global totals reaches. Pure, so the rule is tested without a database. */

export const MILESTONE_TYPES = ["transactions", "volume"] as const;
export type MilestoneType = (typeof MILESTONE_TYPES)[number];

export interface Totals {
  transactions: number;
  volumeSats: number;
}

export interface MilestoneState {
  id: number;
  type: string;
  threshold: number;
  enabled: boolean;
  triggered: boolean;
}

export function totalFor(type: string, totals: Totals): number | null {
  if (type === "transactions") return totals.transactions;
  if (type === "volume") return totals.volumeSats;
  return null;
}

/** Enabled, armed milestones whose threshold the totals have reached, lowest threshold first. */
export function dueMilestones<M extends MilestoneState>(milestones: readonly M[], totals: Totals): M[] {
  return milestones
    .filter((m) => {
      if (!m.enabled || m.triggered) return false;
      const value = totalFor(m.type, totals);
      return value !== null && value >= m.threshold;
    })
    .sort((a, b) => a.threshold - b.threshold || a.id - b.id);
}
