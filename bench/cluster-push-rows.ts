/**
 * cluster-push's rows (cluster-push.ts): the measured sales split by who committed them, and each
 * side's latency quantiles, the other instance's p99 judged under the default polling load.
 */
import type { Committer } from "./support/cluster.js";
import { quantile } from "./support/cluster.js";
import { MERCHANTS } from "./support/dataset.js";
import type { BenchRow } from "./support/report.js";
import { serverLogRow } from "./support/report.js";
import type { StreamClients, StreamResults } from "./support/sse.js";
import { CLUSTER_PUSH_P99_MS, clusterPushMet } from "./targets.js";

const section = "cluster-push";
export const CLIENTS = 2000;
/** After the last sale, how long clients get to receive it before it counts as missed. */
export const SETTLE_MS = 4000;

export interface Load {
  /** POLL_INTERVAL. */
  interval: string;
  label: string;
  judged: boolean;
}
export const DEFAULT_LOAD: Load = { interval: "30s", label: "POLL_INTERVAL 30 s (default)", judged: true };
export const HEAVY_LOAD: Load = { interval: "2s", label: "POLL_INTERVAL 2 s (15× the polls)", judged: false };
export interface Measured {
  merchantId: string;
  saleId: number;
  t0: number;
  /** Date.now() just before the sale was added, to compare with the instances' log times. */
  addedAt: number;
  /** Index of the instance asked to refetch. */
  asked: number;
  refetchStatus: number;
}
interface Split {
  /** Refetch → receipt, clients on the committing instance and on the other one. */
  same: number[];
  other: number[];
  /** Committer's log line → receipt on the other instance (the log's clock moved onto CLOCK_MONOTONIC). */
  otherFromLog: number[];
  /** Per sale: the other instance's first receipt − the committing instance's first receipt. */
  firstGap: number[];
}

function split(results: StreamResults[], measured: Measured[], committers: (Committer | undefined)[]): Split {
  const out: Split = { same: [], other: [], otherFromLog: [], firstGap: [] };
  measured.forEach((m, k) => {
    const committer = committers[k];
    if (committer === undefined) return;
    // Date.now() and monoMs() were read together at T0: their difference moves a log time onto the monotonic clock.
    const loggedMono = committer.loggedAt - (m.addedAt - m.t0);
    const firsts: number[] = [];
    results.forEach((r, i) => {
      const times = r.receipts[`${m.merchantId}:${m.saleId}`] ?? [];
      const same = i === committer.instance;
      for (const at of times) (same ? out.same : out.other).push(at - m.t0);
      if (!same) for (const at of times) out.otherFromLog.push(at - loggedMono);
      firsts[same ? 0 : 1] = times.length > 0 ? Math.min(...times) : Number.NaN;
    });
    const gap = (firsts[1] as number) - (firsts[0] as number);
    if (Number.isFinite(gap)) out.firstGap.push(gap);
  });
  return out;
}

export interface RowInput {
  firstMs: number;
  groups: StreamClients[];
  results: StreamResults[];
  measured: Measured[];
  committers: (Committer | undefined)[];
  problemCount: number;
  load: Load;
}

export function rows(r: RowInput): BenchRow[] {
  const { same, other, otherFromLog, firstGap } = split(r.results, r.measured, r.committers);
  const connected = r.groups.reduce((n, g) => n + g.connected, 0);
  const attributed = r.committers.filter((c) => c !== undefined).length;
  const where = `${connected} clients (${r.groups.map((g) => g.connected).join(" + ")}) × ${attributed} sales, ${r.load.label}`;
  return [
    serverLogRow(section, `2 instances, ${r.load.label}`, r.problemCount),
    {
      section,
      metric: `SSE streams connected, half on each instance, ${r.load.label}`,
      value: connected,
      unit: "clients",
      target: `= ${CLIENTS}`,
      pass: connected === CLIENTS,
    },
    {
      section,
      metric: `every merchant's first poll, ${MERCHANTS} merchants over both instances (default POLL_CONCURRENCY), before the streams open, ${r.load.label}`,
      value: r.firstMs / 1000,
      unit: "s",
    },
    ...committerRows(r),
    ...quantileRows("clients on the instance that committed the sale", same, where, false),
    ...quantileRows(
      "commit on A → receipt on B (clients on the other instance)",
      other,
      where,
      r.load.judged,
    ),
    {
      section,
      metric: `commit on A → receipt on B p50, from A's "poll complete" log line (ms resolution, written just after the commit), ${where}`,
      value: quantile(otherFromLog, 0.5),
      unit: "ms",
    },
    {
      section,
      metric: `commit on A → receipt on B p99, from A's "poll complete" log line, ${where}`,
      value: quantile(otherFromLog, 0.99),
      unit: "ms",
    },
    {
      section,
      metric: `per sale: first receipt on B − first receipt on A, the committing one (median over sales), ${r.load.label}`,
      value: quantile(firstGap, 0.5),
      unit: "ms",
      runs: firstGap,
    },
    ...deliveryRows(r, same.length + other.length, connected * attributed),
  ];
}

/** p50, p95, p99 and max of one side's receipts; `judged`: its p99 carries the target. */
function quantileRows(side: string, xs: number[], where: string, judged: boolean): BenchRow[] {
  const q = (label: string, value: number): BenchRow => ({
    section,
    metric: `sale latency ${label}, ${side}, refetch → receipt (upper bound), ${where}`,
    value,
    unit: "ms",
  });
  const p99 = q("p99", quantile(xs, 0.99));
  if (judged) {
    p99.target = `< ${CLUSTER_PUSH_P99_MS} ms`;
    p99.pass = xs.length > 0 && clusterPushMet(p99.value);
  }
  const max = xs.length > 0 ? Math.max(...xs) : Number.NaN;
  return [q("p50", quantile(xs, 0.5)), q("p95", quantile(xs, 0.95)), p99, q("max", max)];
}

/** Who stored the measured sales: the instance asked to refetch, the other one, or the logs cannot tell. */
function committerRows({ measured, committers }: RowInput): BenchRow[] {
  const asked = committers.filter((c, k) => c !== undefined && c.instance === measured[k]?.asked).length;
  const unknown = committers.filter((c) => c === undefined).length;
  const row = (metric: string, value: number): BenchRow => ({ section, metric, value, unit: "sales" });
  return [
    row("measured sales stored by the instance the refetch was sent to (refetches alternate A, B)", asked),
    row(
      "measured sales stored by the other instance (it held the merchant's lease)",
      committers.length - asked - unknown,
    ),
    row(
      "measured sales left out of the split: both instances' logs show a store of that merchant then",
      unknown,
    ),
  ];
}

function deliveryRows(r: RowInput, receipts: number, expected: number): BenchRow[] {
  const sum = (pick: (x: StreamResults) => number) => r.results.reduce((n, x) => n + pick(x), 0);
  const refetchFailures = r.measured.filter((m) => m.refetchStatus !== 202).length;
  return [
    {
      section,
      metric: "SSE client processes' CPU, both together (1.0 = one core)",
      value: sum((x) => x.cpuShare),
      unit: "cores",
    },
    {
      section,
      metric: "clients dropped by the servers while reading",
      value: sum((x) => x.dropped),
      unit: "clients",
      target: "0",
      pass: sum((x) => x.dropped) === 0,
    },
    {
      section,
      metric: `clients that missed any of the ${r.measured.length} sales (within ${SETTLE_MS / 1000} s)`,
      value: sum((x) => x.missedAny),
      unit: "clients",
      target: "0",
      pass: sum((x) => x.missedAny) === 0,
    },
    {
      section,
      metric: "sale receipts missing (clients × attributed sales)",
      value: expected - receipts,
      unit: "receipts",
      target: "0",
      pass: expected === receipts,
    },
    {
      section,
      metric: "refetch requests not answered 202",
      value: refetchFailures,
      unit: "requests",
      target: "0",
      pass: refetchFailures === 0,
    },
  ];
}
