/**
 * reads: public read endpoints under 100 connections (autocannon in its own process) on 1M sales,
 * and in the full run on 10M too, while the server keeps ingesting live sales from the mock. A
 * bare node:http server in the same run is the ceiling; a 1-connection run shows the per-request
 * server cost without queueing, so growth with the data shows even where the 100-connection
 * figures are dominated by the client or a cache. With PostgreSQL (--engine), the same reads on 1M
 * sales with the server on PostgreSQL, the data set copied into its database (pg-dataset.ts).
 */

import {
  baselineRows,
  datasetRows,
  endpointRows,
  growthRows,
  type Measured,
  type SizeRun,
} from "./reads-rows.js";
import type { Section } from "./section.js";
import { autocannon, failures } from "./support/autocannon.js";
import { fmtCount } from "./support/dataset.js";
import type { BenchPostgres, Engine } from "./support/postgres.js";
import { forkHelper } from "./support/procs.js";
import { type BenchRow, median } from "./support/report.js";
import { startStack } from "./support/stack.js";

const ENDPOINTS = [
  "/v1/summary",
  "/v1/ticker",
  ...["5m", "24h", "all"].flatMap((w) =>
    ["transactions", "volume"].map((m) => `/v1/leaderboard/merchants?window=${w}&metric=${m}`),
  ),
  "/v1/leaderboard/products",
  "/v1/leaderboard/products?window=1h",
  "/v1/timeseries",
  "/v1/milestones/triggers",
];
const CONNECTIONS = 100;
/** The 5m windows need the data set's last minutes: its dates are moved to now unless this fresh. */
const DATES_FRESH_MS = 60_000;
/**
 * Summary/baseline pairs per size. The ratio is the median of the pairs' own ratios: each pair runs
 * back to back on this shared two-vCPU box, whose capacity drifts between pairs by more than the
 * difference being measured (single pairs have ranged from 47 % to 102 % on unchanged code).
 */
const SUMMARY_PAIRS = { quick: 3, full: 5 };

/** How long and how often each read runs, and where the bare baseline answers. */
interface ReadPlan {
  /** 100-connection runs per endpoint other than the summary. */
  runs: number;
  summaryPairs: number;
  seconds: number;
  oneConnSeconds: number;
  baselineUrl: string;
  log: (message: string) => void;
}

export const readsSection: Section = async ({ quick, log, engines, postgres }) => {
  const sizes = quick ? [1_000_000] : [1_000_000, 10_000_000];
  const baselineChild = await forkHelper<{ url: string }>("./baseline-child.js", []);
  try {
    const plan: ReadPlan = {
      runs: quick ? 1 : 3,
      summaryPairs: SUMMARY_PAIRS[quick ? "quick" : "full"],
      seconds: quick ? 1 : 5,
      oneConnSeconds: quick ? 1 : 3,
      baselineUrl: baselineChild.ready.url,
      log,
    };
    const rows: BenchRow[] = [];
    const bySize = new Map<number, Map<string, Measured>>();
    for (const engine of engines) {
      // PostgreSQL at 1M only: copying 10M sales into it would take longer than the reads themselves.
      for (const sales of engine === "sqlite" ? sizes : [1_000_000]) {
        const run = await measureSize(sales, plan, engine === "postgres" ? await postgres() : undefined);
        if (engine === "sqlite") bySize.set(sales, run.results);
        rows.push(...sizeRows(sales, engine, run));
      }
    }
    rows.push(...growthRows(ENDPOINTS, bySize.get(1_000_000), bySize.get(10_000_000)));
    return rows;
  } finally {
    await baselineChild.stop();
  }
};

/** One size's rows; PostgreSQL's say so in every metric and tell what loading its database cost. */
function sizeRows(sales: number, engine: Engine, run: SizeRun): BenchRow[] {
  const size = engine === "sqlite" ? fmtCount(sales) : `PostgreSQL ${fmtCount(sales)}`;
  const rows = [...datasetRows(size, run), ...baselineRows(size, run)];
  if (run.postgresLoadMs !== undefined)
    rows.push({
      section: "reads",
      metric: `data set ${size}: copied from the SQLite data set into a fresh database, with VACUUM ANALYZE`,
      value: run.postgresLoadMs / 1000,
      unit: "s",
    });
  for (const [path, m] of run.results) rows.push(...endpointRows(path, m, size, run));
  return rows;
}

/** Every endpoint on one data set size, with the server ingesting live sales throughout. */
async function measureSize(sales: number, plan: ReadPlan, postgres?: BenchPostgres): Promise<SizeRun> {
  const { log } = plan;
  const stack = await startStack(sales, log, DATES_FRESH_MS, postgres);
  const run: SizeRun = {
    dataset: stack.dataset,
    results: new Map(),
    base: [],
    pairRatios: [],
    baseOne: undefined,
    logProblems: Number.NaN,
    firstReadAt: Number.NaN,
    postgresLoadMs: stack.postgresLoad?.ms,
  };
  try {
    // Right after start the first poll cycle over 1,000 merchants and cold caches dominate; that is
    // start-up, not the steady state these targets are about. Ingest goes on during the measurement.
    const warm = await stack.firstCycle(30_000);
    log(`first poll cycle done ${(warm / 1000).toFixed(1)} s after healthy`);
    await autocannon(`${stack.server.url}/v1/summary`, CONNECTIONS, 1);
    run.firstReadAt = Date.now();
    for (const path of ENDPOINTS) {
      run.results.set(path, await measureEndpoint(stack.server.url, path, sales, plan, run));
    }
    log(`${fmtCount(sales)} baseline: ${run.base.map((b) => b.rps.toFixed(0)).join(", ")} req/s`);
    const problems = await stack.errors();
    run.logProblems = problems.problemCount;
    if (problems.problemCount > 0)
      log(`server logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems[0]}`);
  } finally {
    await stack.close();
  }
  return run;
}

/**
 * One endpoint's 100-connection runs, each paired with a bare baseline run where it is judged
 * against one, then its 1-connection run. The summary's pairs go into `run`'s base and pairRatios.
 */
async function measureEndpoint(
  serverUrl: string,
  path: string,
  sales: number,
  plan: ReadPlan,
  run: SizeRun,
): Promise<Measured> {
  const { log } = plan;
  const url = serverUrl + path;
  const m: Measured = { p50: [], p99: [], bareP99: [], rps: [], mean1: [], bad: 0 };
  const isSummary = path === "/v1/summary";
  const pathRuns = isSummary ? plan.summaryPairs : plan.runs;
  for (let i = 0; i < pathRuns; i++) {
    // The baseline runs right before each summary run and before every other read's first run,
    // with the server ingesting beside it, so the pair sees the same machine: this box is
    // shared and its capacity drifts within minutes.
    const pair = isSummary || i === 0;
    const b = pair ? await autocannon(plan.baselineUrl, CONNECTIONS, plan.seconds) : undefined;
    const r = await autocannon(url, CONNECTIONS, plan.seconds);
    if (b) m.bareP99.push(b.p99);
    if (b && isSummary) {
      run.base.push(b);
      run.pairRatios.push(r.rps / b.rps);
    }
    m.p50.push(r.p50);
    m.p99.push(r.p99);
    m.rps.push(r.rps);
    m.bad += failures(r);
    if (r.problems) log(`  ${path}: ${r.problems}`);
  }
  if (isSummary) run.baseOne = await autocannon(plan.baselineUrl, 1, plan.oneConnSeconds);
  const one = await autocannon(url, 1, plan.oneConnSeconds);
  m.mean1.push(one.msPerRequest);
  m.bad += failures(one);
  if (one.problems) log(`  ${path} (1 conn): ${one.problems}`);
  log(
    `${fmtCount(sales)} ${path}: p99 ${median(m.p99)} ms (bare ${median(m.bareP99)} ms), ${median(m.rps).toFixed(0)} req/s, 1-conn mean ${one.msPerRequest.toFixed(2)} ms${m.bad ? `, ${m.bad} non-2xx/errors` : ""}`,
  );
  return m;
}
