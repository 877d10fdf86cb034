/**
 * How long to wait before reconnection attempt `attempt` (0 for the first): doubling from `initialMs`,
 * capped at `maxMs`, with jitter between half and all of it, so that every instance of a cluster that
 * lost PostgreSQL at the same moment (a restart) does not knock on it in lockstep.
 */
export function reconnectDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}
