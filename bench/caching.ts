/**
 * caching: what a revalidation (If-None-Match → 304) and the kept compressed copies cost against a
 * plain 200, for cached public reads under 100 connections on 1M sales while the server ingests live
 * sales. Each round runs every case, each right after a run of the bare node:http baseline (its p99 is
 * the case's yardstick), in an order rotated by one each round, so that no case always follows the
 * same neighbour on this shared box; the figures are the medians of the rounds.
 *
 * The 304 runs send `If-None-Match: *`, which matches any current answer: under live ingest the
 * summary and the ticker change several times a second (their tag with them), so a tag fetched once
 * would stop matching within ~250 ms (the read cache's minRefreshMs). The server does the same work
 * for `*` as for a matching tag: one scan of the header, then the 304.
 */
import type { Section } from "./section.js";
import { autocannon, failures, type LoadResult } from "./support/autocannon.js";
import { forkHelper } from "./support/procs.js";
import { type BenchRow, median, serverLogRow } from "./support/report.js";
import { startStack } from "./support/stack.js";
import { readP99Met, readP99Target } from "./targets.js";

const section = "caching";
const CONNECTIONS = 100;
const DATES_FRESH_MS = 60_000;
const ROUNDS = { quick: 3, full: 5 };
const SECONDS = { quick: 2, full: 5 };

interface Case {
  label: string;
  path: string;
  headers: Record<string, string>;
  notModified?: boolean;
}

const REVALIDATE = { "if-none-match": "*" };
const CASES: Case[] = [
  { label: "GET /v1/summary, 200", path: "/v1/summary", headers: {} },
  {
    label: "GET /v1/summary, 304 (If-None-Match)",
    path: "/v1/summary",
    headers: REVALIDATE,
    notModified: true,
  },
  { label: "GET /v1/ticker, 200 identity", path: "/v1/ticker", headers: {} },
  {
    label: "GET /v1/ticker, 304 (If-None-Match)",
    path: "/v1/ticker",
    headers: REVALIDATE,
    notModified: true,
  },
  {
    label: "GET /v1/ticker, 200 gzip (kept copy)",
    path: "/v1/ticker",
    headers: { "accept-encoding": "gzip" },
  },
  { label: "GET /v1/ticker, 200 br (kept copy)", path: "/v1/ticker", headers: { "accept-encoding": "br" } },
];

interface Runs {
  results: LoadResult[];
  bareP99: number[];
  bad: number;
}

export const cachingSection: Section = async ({ quick, log }) => {
  const rounds = ROUNDS[quick ? "quick" : "full"];
  const seconds = SECONDS[quick ? "quick" : "full"];
  const baseline = await forkHelper<{ url: string }>("./baseline-child.js", []);
  const stack = await startStack(1_000_000, log, DATES_FRESH_MS);
  const runs = new Map<Case, Runs>(CASES.map((c) => [c, { results: [], bareP99: [], bad: 0 }]));
  try {
    await stack.firstCycle(30_000);
    await autocannon(`${stack.server.url}/v1/summary`, CONNECTIONS, 1);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < CASES.length; i++) {
        const c = CASES[(i + round) % CASES.length] as Case;
        // Each run right after its own baseline run: this box's capacity drifts within seconds.
        const bare = await autocannon(baseline.ready.url, CONNECTIONS, seconds);
        const r = await autocannon(stack.server.url + c.path, CONNECTIONS, seconds, c.headers);
        const m = runs.get(c) as Runs;
        m.results.push(r);
        m.bareP99.push(bare.p99);
        // A 304 run must be all 304s; a 200 run all 2xx.
        m.bad += c.notModified ? failures(r, true) + (r.completed - r.status3xx) : failures(r);
        log(
          `${c.label}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms (bare ${bare.p99} ms), ${r.bytesPerRequest.toFixed(0)} B/answer`,
        );
      }
    }
    const problems = await stack.errors();
    return [
      serverLogRow(section, "1M run", problems.problemCount),
      ...CASES.flatMap((c) => caseRows(c, runs.get(c) as Runs)),
    ];
  } finally {
    await stack.close();
    await baseline.stop();
  }
};

/** A case's req/s, p99 against the bare p99 beside it, and bytes per answer (headers included). */
function caseRows(c: Case, m: Runs): BenchRow[] {
  const rps = m.results.map((r) => r.rps);
  const p99 = m.results.map((r) => r.p99);
  const bareP99 = median(m.bareP99);
  const ok = m.bad === 0;
  return [
    {
      section,
      metric: `${c.label} req/s (100 conn, 1M sales, live ingest)`,
      value: median(rps),
      unit: "req/s",
      runs: rps,
    },
    {
      section,
      metric: `${c.label} p99 (100 conn)${ok ? "" : `, ${m.bad} answers not the expected status`}`,
      value: median(p99),
      unit: "ms",
      baseline: bareP99,
      baselineLabel: "bare node:http",
      target: readP99Target(bareP99),
      pass: ok && readP99Met(median(p99), bareP99),
      runs: p99,
    },
    {
      section,
      metric: `${c.label} bytes per answer, headers included`,
      value: median(m.results.map((r) => r.bytesPerRequest)),
      unit: "B",
    },
  ];
}
