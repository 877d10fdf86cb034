/**
 * cluster-push: live push across instances (issue 18). Two instances on one PostgreSQL database poll
 * the mock upstream's 1,000 merchants (live sales, ~30/s, as in push); 2,000 SSE clients on /v1/stream,
 * 1,000 on each instance. Measured as push.ts measures: T0 (CLOCK_MONOTONIC, comparable across
 * processes) just before a sale is added upstream and a refetch of its merchant is asked of one
 * instance, alternately A and B; each client's receipt − T0 is an upper bound of commit → receipt.
 *
 * Who committed each sale is read from the instances' own logs, not assumed: with shared leases the
 * instance that receives the refetch polls only if no other holds the merchant (ingest/lease-schedule.ts),
 * else the holder's poll, or the one after it, stores the sale. Each instance logs every poll it
 * committed ("poll complete", new_tx); the sale's committer is the instance whose polls of that
 * merchant stored something in the seconds after the sale was added. When both did (a live sale of the
 * same merchant stored by the other just then), the sale is left out of the split, and counted.
 */
import type { Section } from "./section.js";
import {
  type BenchCluster,
  type Committer,
  committersFromLogs,
  firstPolls,
  quantile,
  startCluster,
} from "./support/cluster.js";
import { MERCHANTS, SEED } from "./support/dataset.js";
import { postgresMissing } from "./support/postgres.js";
import { monoMs } from "./support/procs.js";
import { type BenchRow, serverLogRow } from "./support/report.js";
import { openStreams, type StreamClients, type StreamResults } from "./support/sse.js";
import { CLUSTER_PUSH_P99_MS, clusterPushMet } from "./targets.js";

const section = "cluster-push";
const CLIENTS = 2000;
const SALES = { quick: 6, full: 40 };
const SPACING_MS = 300;
/** After the last sale, how long clients get to receive it before it counts as missed. */
const SETTLE_MS = 4000;
/** A poll that stored something this long after a sale was added may be the one that stored it. */
const ATTRIBUTION_MS = 3000;
const OPEN_MS = { quick: 20_000, full: 60_000 };
const FIRST_POLLS_MS = 120_000;

interface Measured {
  merchantId: string;
  saleId: number;
  t0: number;
  /** Date.now() just before the sale was added, to compare with the instances' log times. */
  addedAt: number;
  /** Index of the instance asked to refetch. */
  asked: number;
  refetchStatus: number;
}

export const clusterPushSection: Section = async ({ quick, log, postgres }) => {
  const missing = postgresMissing();
  if (missing !== undefined) {
    log(`cluster-push skipped: needs PostgreSQL (${missing})`);
    return [];
  }
  const cluster = await startCluster({
    postgres: await postgres(),
    instances: 2,
    mock: { seed: SEED, merchants: MERCHANTS, intervalMs: 500, speed: 2 },
    env: { POLL_INTERVAL: "2s" },
    log,
  });
  const groups: StreamClients[] = [];
  try {
    const firstMs = await firstPolls(cluster, FIRST_POLLS_MS);
    log(`every merchant polled once after ${(firstMs / 1000).toFixed(1)} s`);
    const openMs = quick ? OPEN_MS.quick : OPEN_MS.full;
    for (const s of cluster.instances)
      groups.push(await openStreams(`${s.url}/v1/stream`, CLIENTS / 2, openMs, false, 1));
    log(`streams open: ${groups.map((g) => `${g.connected} (${g.failed} failed)`).join(" and ")}`);
    const measured = await measureSales(cluster, groups, quick ? SALES.quick : SALES.full);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const results = await Promise.all(groups.map((g) => g.collect()));
    const committers = await committersFromLogs(
      cluster.instances.map((i) => i.logFile),
      measured,
      ATTRIBUTION_MS,
    );
    const problems = await cluster.errors();
    if (problems.problemCount > 0)
      log(
        `instances logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems.slice(0, 3).join(" | ")}`,
      );
    return rows({ groups, results, measured, committers, firstMs, problemCount: problems.problemCount });
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await cluster.close();
  }
};

/** One sale at a time, each refetched on A then B in turn; waits SPACING_MS between them. */
async function measureSales(
  cluster: BenchCluster,
  groups: StreamClients[],
  count: number,
): Promise<Measured[]> {
  const { mock, instances } = cluster;
  const out: Measured[] = [];
  for (let k = 0; k < count; k++) {
    // Spread over the fleet, so no merchant's poll is still running from the previous sale.
    const merchant = mock.merchants[(k * 137) % mock.merchants.length]?.id as string;
    const asked = k % instances.length;
    const server = instances[asked] as (typeof instances)[number];
    await Promise.all(groups.map((g) => g.watch(merchant)));
    const addedAt = Date.now();
    const t0 = monoMs();
    const sale = await mock.addSale(merchant);
    const res = await fetch(`${server.url}/v1/admin/merchants/${merchant}/refetch`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    await res.arrayBuffer();
    out.push({ merchantId: merchant, saleId: sale.saleId, t0, addedAt, asked, refetchStatus: res.status });
    await Promise.all(groups.map((g) => g.expect(merchant, sale.saleId)));
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  return out;
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

interface RowInput {
  firstMs: number;
  groups: StreamClients[];
  results: StreamResults[];
  measured: Measured[];
  committers: (Committer | undefined)[];
  problemCount: number;
}

function rows(r: RowInput): BenchRow[] {
  const { same, other, otherFromLog, firstGap } = split(r.results, r.measured, r.committers);
  const connected = r.groups.reduce((n, g) => n + g.connected, 0);
  const attributed = r.committers.filter((c) => c !== undefined).length;
  const where = `${connected} clients (${r.groups.map((g) => g.connected).join(" + ")}) × ${attributed} sales`;
  return [
    serverLogRow(section, "2 instances", r.problemCount),
    {
      section,
      metric: "SSE streams connected, half on each instance",
      value: connected,
      unit: "clients",
      target: `= ${CLIENTS}`,
      pass: connected === CLIENTS,
    },
    {
      section,
      metric: `every merchant's first poll, ${MERCHANTS} merchants over both instances (default POLL_CONCURRENCY, 2 s interval), before the streams open`,
      value: r.firstMs / 1000,
      unit: "s",
    },
    ...committerRows(r),
    ...quantileRows("clients on the instance that committed the sale", same, where, false),
    ...quantileRows("commit on A → receipt on B (clients on the other instance)", other, where, true),
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
      metric: "per sale: first receipt on B − first receipt on A, the committing one (median over sales)",
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
