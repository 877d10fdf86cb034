/** The demo's milestone ladder: reached within the first minutes at the default speed. */

export interface DemoMilestone {
  name: string;
  type: "transactions" | "volume";
  threshold: number;
}

export const DEMO_MILESTONES: readonly DemoMilestone[] = [
  { name: "100 Sales", type: "transactions", threshold: 100 },
  { name: "500 Sales", type: "transactions", threshold: 500 },
  { name: "1,000 Sales", type: "transactions", threshold: 1000 },
  { name: "100k Sats", type: "volume", threshold: 100_000 },
  { name: "1 Million Sats", type: "volume", threshold: 1_000_000 },
];

/** The ladder entries whose name is not among the existing milestones (so reruns add nothing). */
export function missingMilestones(existing: readonly { name: string }[]): DemoMilestone[] {
  const names = new Set(existing.map((m) => m.name));
  return DEMO_MILESTONES.filter((m) => !names.has(m.name));
}
