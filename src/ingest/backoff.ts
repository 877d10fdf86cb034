/**
 * How long a failing merchant waits before its next scheduled poll. The first failure retries on the
 * next cycle; after that the wait doubles per failure, capped, with jitter so that merchants failing
 * together (one upstream outage) do not come back in lockstep.
 */
export function backoffDelayMs(
  consecutiveFailures: number,
  intervalMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = backoffCeilingMs(consecutiveFailures, intervalMs);
  if (ceiling === 0) return 0;
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** The longest wait backoffDelayMs gives after this many consecutive failures (its jitter at the top). */
export function backoffCeilingMs(consecutiveFailures: number, intervalMs: number): number {
  if (consecutiveFailures <= 1) return 0;
  const capMs = Math.max(intervalMs, MAX_BACKOFF_MS);
  return Math.min(capMs, intervalMs * 2 ** Math.min(consecutiveFailures - 1, 30));
}

export const MAX_BACKOFF_MS = 5 * 60_000;
