/**
 * The speed targets, each a ratio to a baseline measured in the same run on the same machine: an
 * absolute time only means something on one machine (on one 2-4× slower than this one, the bare
 * node:http baseline's own p99 was above the old 10 ms read target). Memory stays absolute: it is
 * not a speed.
 */

/** The server's resident set (VmRSS of the whole process, both threads), whatever it is doing. */
export const RSS_TARGET_MB = 150;

/** A read's p99 (100 connections) against bare node:http's p99 measured next to it. */
export const READ_P99 = { factor: 1.5, slackMs: 2 } as const;

export function readP99Met(p99: number, bareP99: number): boolean {
  return p99 <= bareP99 * READ_P99.factor || p99 - bareP99 <= READ_P99.slackMs;
}

export function readP99Target(bareP99: number): string {
  return `≤ ${READ_P99.factor}× bare (${bareP99} ms) or ≤ +${READ_P99.slackMs} ms`;
}

/** Push p99 (trigger → each client's receipt) against a bare node:http SSE fan-out to the same clients. */
export const PUSH_P99_FACTOR = 2;

export function pushP99Met(p99: number, bareP99: number): boolean {
  return p99 <= bareP99 * PUSH_P99_FACTOR;
}

/**
 * Start-up (spawn → first 200 from /v1/health) against a bare `node` process that starts a plain
 * node:http server and answers its first request, spawned with the same flags and probed the same
 * way (support/server.ts). The factor restates the 2 s target this machine was judged by: the bare
 * start measured here on 2026-12-01 (2 × AMD EPYC vCPU, Node 20.20.2), while four other engineers'
 * builds, tests and benchmarks kept the load average at 8-13, took 89-1,121 ms: 30 starts gave
 * 130 / 251 / 344 ms (min / p25 / median), 20 more 125 / 257 / 279 ms and 15 more 89 / 200 / 267 ms.
 * The fastest, about 90-130 ms, are the nearest to this machine unloaded, so 2,000 ms ≈ 20 × 100 ms.
 * For scale: the service's own start took 650-752 ms on 10M sales in the last full runs on a quiet
 * machine, and 14-16 × the bare start beside it (13.9-17.5 s against 0.86-1.15 s) in a quick run
 * under that load.
 */
export const STARTUP_FACTOR = 20;

export function startupMet(startupMs: number, bareMs: number): boolean {
  return startupMs <= bareMs * STARTUP_FACTOR;
}

/**
 * Start-up on an empty database against the same bare start, for the "answers /v1/health
 * within 1 s of the process starting". The factor restates that 1 s by the bare starts measured at
 * quiet moments here (2026-12-03, load average 1.5-1.8): 47-97 ms and 48-63 ms, about 65 ms in the
 * middle, so 1,000 ms ≈ 15 × 65 ms. Those runs' own starts, 511-579 ms and 781-888 ms, were 7-15×
 * the bare start beside them, all under 1 s. Judged on the median of the alternating pairs' own
 * ratios: a single start moves with the machine's load by more than the margin.
 */
export const STARTUP_EMPTY_FACTOR = 15;

export function startupEmptyMet(ratio: number): boolean {
  return ratio <= STARTUP_EMPTY_FACTOR;
}

/**
 * Cross-instance push (issue 18): a sale committed by one instance, received by the stream clients of
 * another, p99 with 2,000 clients over two instances. Absolute, as the issue states it: it is bounded
 * by PostgreSQL's notification and one database read, not by this machine's HTTP speed.
 */
export const CLUSTER_PUSH_P99_MS = 250;

export function clusterPushMet(p99: number): boolean {
  return p99 < CLUSTER_PUSH_P99_MS;
}

/**
 * Failover (issue 18): after kill -9, each merchant the killed instance held is polled by another
 * within one poll interval plus the lease's expiry.
 */
export function failoverMet(maxMs: number, intervalMs: number, leaseMs: number): boolean {
  return maxMs <= intervalMs + leaseMs;
}
