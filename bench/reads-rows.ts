/**
 * The reads section's rows: per data set size its data set, the bare baseline and the summary's
 * share of it; per endpoint its latencies and req/s; and, when both sizes ran, each endpoint's
 * growth from 1M to 10M sales.
 */
import type { LoadResult } from "./support/autocannon.js";
import { type Dataset, fmtCount } from "./support/dataset.js";
import { type BenchRow, median, serverLogRow } from "./support/report.js";
import { readP99Met, readP99Target } from "./targets.js";

const SUMMARY_SHARE = 0.6;
/** Growth 1M → 10M allowed, with an absolute slack so sub-millisecond noise cannot fail a row. */
const GROWTH_MAX = 1.5;
const GROWTH_SLACK_MS = 0.5;

const section = "reads";

/** One endpoint's runs on one data set size. */
export interface Measured {
  p50: number[];
  p99: number[];
  /** p99 of the bare baseline run right before this read's runs (before each run, for the summary). */
  bareP99: number[];
  rps: number[];
  mean1: number[];
  bad: number;
}

/** Everything measured on one data set size. */
export interface SizeRun {
  dataset: Dataset;
  /** Per endpoint path, in the order they ran. */
  results: Map<string, Measured>;
  /** The bare baseline's 100-connection runs paired with the summary's. */
  base: LoadResult[];
  /** Summary req/s over the bare baseline's, per pair in run order. */
  pairRatios: number[];
  /** The bare baseline's 1-connection run, next to the summary's. */
  baseOne: LoadResult | undefined;
  /** Warn/error lines the server logged. */
  logProblems: number;
  /** When the first measured read began (Date.now()). */
  firstReadAt: number;
  /** On PostgreSQL: how long copying the data set into the server's database took. */
  postgresLoadMs?: number | undefined;
}

/** The data set the size ran on: its products, the age of its dates, and what preparing it cost. */
export function datasetRows(size: string, { dataset, firstReadAt }: SizeRun): BenchRow[] {
  return [
    {
      section,
      metric: `data set ${size}: products (${dataset.merchants} merchants, ${fmtCount(dataset.sales)} sales, ${fmtCount(dataset.saleLines)} sale lines)`,
      value: dataset.products,
      unit: "products",
    },
    {
      section,
      metric: `data set ${size}: age of its newest sale when the reads began (all its sales within the hour before it; 5m windows hold ~1/12)`,
      value: (firstReadAt - dataset.datesEndAt) / 1000,
      unit: "s",
    },
    ...(dataset.dateMove === undefined
      ? []
      : [
          {
            section,
            metric: `data set ${size}: dates moved ${(dataset.dateMove.shiftMs / 60_000).toFixed(0)} min forward to end now, in this run (copy ${(dataset.dateMove.costMs.copy / 1000).toFixed(1)} s, dates + indexes ${(dataset.dateMove.costMs.shift / 1000).toFixed(1)} s, rebuildDerived ${(dataset.dateMove.costMs.rebuild / 1000).toFixed(1)} s)`,
            value: dataset.dateMove.costMs.total / 1000,
            unit: "s",
          },
        ]),
    ...(dataset.loadMs === undefined
      ? []
      : [
          {
            section,
            metric: `data set ${size}: generated and bulk-loaded in this run`,
            value: dataset.loadMs / 1000,
            unit: "s",
          },
        ]),
  ];
}

/** The server's log problems, the bare baseline's own figures, and the summary's share of its req/s. */
export function baselineRows(size: string, { base, pairRatios, baseOne, logProblems }: SizeRun): BenchRow[] {
  return [
    serverLogRow(section, `${size} run`, logProblems),
    {
      section,
      metric: `bare node:http baseline time per request, 1 conn, during the ${size} run`,
      value: baseOne?.msPerRequest ?? Number.NaN,
      unit: "ms",
    },
    {
      section,
      metric: `bare node:http baseline req/s (100 conn, 200-byte JSON), during the ${size} run`,
      value: median(base.map((b) => b.rps)),
      unit: "req/s",
      runs: base.map((b) => b.rps),
    },
    {
      section,
      metric: `GET /v1/summary req/s as a share of the bare baseline's, per pair in run order: ${pairRatios.map((r) => (r * 100).toFixed(0)).join(", ")} % (${size} run)`,
      value: median(pairRatios) * 100,
      unit: "%",
      runs: pairRatios.map((r) => Math.round(r * 1000) / 10),
    },
    {
      section,
      metric: `bare node:http baseline p99 (100 conn), during the ${size} run`,
      value: median(base.map((b) => b.p99)),
      unit: "ms",
      runs: base.map((b) => b.p99),
    },
  ];
}

/** One endpoint's p50, p99 against the bare p99 beside it, req/s, and 1-connection time per request. */
export function endpointRows(path: string, m: Measured, size: string, run: SizeRun): BenchRow[] {
  const ok = m.bad === 0;
  const bad = ok ? "" : ` (${m.bad} non-2xx/errors)`;
  const p99 = median(m.p99);
  const bareP99 = median(m.bareP99);
  return [
    {
      section,
      metric: `GET ${path} p50, 100 conn, ${size} sales${bad}`,
      value: median(m.p50),
      unit: "ms",
      runs: m.p50,
      ...(ok ? {} : { pass: false }),
    },
    {
      section,
      metric: `GET ${path} p99, 100 conn, ${size} sales, against bare node:http's p99 next to it${bad}`,
      value: p99,
      unit: "ms",
      baseline: bareP99,
      baselineLabel:
        path === "/v1/summary" ? `bare, median of its ${m.bareP99.length} pairs` : "bare, run just before",
      ratio: p99 / bareP99,
      target: readP99Target(bareP99),
      pass: ok && readP99Met(p99, bareP99),
      runs: m.p99,
    },
    reqPerSecondRow(path, m, size, run),
    {
      section,
      metric: `GET ${path} time per request, 1 conn (server cost), ${size} sales${bad}`,
      value: median(m.mean1),
      unit: "ms",
      runs: m.mean1,
      ...(ok ? {} : { pass: false }),
    },
  ];
}

/**
 * req/s against the bare baseline's; only the summary has a target, judged on the median of its
 * back-to-back pairs' ratios.
 */
function reqPerSecondRow(path: string, m: Measured, size: string, { base, pairRatios }: SizeRun): BenchRow {
  const ok = m.bad === 0;
  const bad = ok ? "" : ` (${m.bad} non-2xx/errors)`;
  const rps = median(m.rps);
  const baseRps = median(base.map((b) => b.rps));
  return path === "/v1/summary"
    ? {
        section,
        metric: `GET ${path} req/s, 100 conn, ${size} sales, ratio = median of ${pairRatios.length} back-to-back pairs' ratios${bad}`,
        value: rps,
        unit: "req/s",
        baseline: baseRps,
        baselineLabel: "bare node:http",
        ratio: median(pairRatios),
        target: `≥ ${SUMMARY_SHARE * 100} % of baseline`,
        pass: ok && median(pairRatios) >= SUMMARY_SHARE,
        runs: m.rps,
      }
    : {
        section,
        metric: `GET ${path} req/s, 100 conn, ${size} sales${bad}`,
        value: rps,
        unit: "req/s",
        baseline: baseRps,
        baselineLabel: "bare node:http",
        ratio: rps / baseRps,
        ...(ok ? {} : { pass: false }),
        runs: m.rps,
      };
}

/** The cost of a read must not grow with the number of sales: 10M against 1M, same run. */
export function growthRows(
  paths: string[],
  small: Map<string, Measured> | undefined,
  big: Map<string, Measured> | undefined,
): BenchRow[] {
  const rows: BenchRow[] = [];
  if (!small || !big) return rows;
  for (const path of paths) {
    const a = small.get(path);
    const b = big.get(path);
    if (!a || !b) continue;
    for (const [what, pick] of [
      ["p99, 100 conn", (m: Measured) => median(m.p99)],
      ["time per request, 1 conn", (m: Measured) => median(m.mean1)],
    ] as const) {
      const x = pick(a);
      const y = pick(b);
      rows.push({
        section,
        metric: `GET ${path} ${what}: 10M vs 1M sales`,
        value: y,
        unit: "ms",
        baseline: x,
        baselineLabel: "1M",
        ratio: y / x,
        target: `≤ ${GROWTH_MAX}× (or < +${GROWTH_SLACK_MS} ms)`,
        pass: y <= x * GROWTH_MAX || y - x < GROWTH_SLACK_MS,
      });
    }
  }
  return rows;
}
