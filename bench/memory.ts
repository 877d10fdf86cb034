/**
 * memory: the server's resident set (VmRSS of the server child) right after start on the big data
 * set, at its peak under live ingest plus read load, with 2,000 streams connected, and during a cold
 * poll of one merchant's million-sale history (memory-cold-poll.ts); and its
 * start-up time on that data set (spawn → first 200 from /v1/health) against a bare node:http
 * server's, spawned and probed the same way right before each of the server's starts.
 */
import os from "node:os";
import { coldPollRss } from "./memory-cold-poll.js";
import type { Section } from "./section.js";
import { autocannon, failures } from "./support/autocannon.js";
import { fmtCount } from "./support/dataset.js";
import { type BenchRow, median, serverLogRow } from "./support/report.js";
import { timeBareStart } from "./support/server.js";
import { openStreams, type StreamClients } from "./support/sse.js";
import { type Stack, startStack } from "./support/stack.js";
import { RSS_TARGET_MB, STARTUP_FACTOR, startupMet } from "./targets.js";

/** The read load's 1h and 24h windows must hold the data set's sales; minutes of age do not empty them. */
const DATES_FRESH_MS = 15 * 60_000;
const STREAMS = 2000;
/** Read load spread over the cheap and the heavy endpoints, 25 connections each. */
const LOAD_PATHS = [
  "/v1/summary",
  "/v1/leaderboard/merchants?window=24h&metric=volume",
  "/v1/leaderboard/products?window=1h",
  "/v1/timeseries",
];
const section = "memory";

/** Start-up times (the stack's first start and two restarts) beside a bare start each, and RSS 1 s after each. */
interface Startups {
  startups: number[];
  bareStarts: number[];
  idle: number[];
}

/** Peak RSS under read load and with streams connected, and how many of the streams opened. */
interface LoadedRss {
  loaded: number;
  withStreams: number;
  open: number;
  loadSeconds: number;
}

/** Sales in the one merchant's history of the cold-poll row (memory-cold-poll.ts), quick or not. */
const COLD_POLL_SALES = 1_000_000;

export const memorySection: Section = async (opts) => [
  ...(await underLoad(opts)),
  ...(await coldPollRss(COLD_POLL_SALES, opts.log)),
];

const underLoad: Section = async ({ quick, log }) => {
  const sales = quick ? 1_000_000 : 10_000_000;
  const loadSeconds = quick ? 3 : 10;
  const bareStarts = [await timeBareStart(os.tmpdir())];
  const stack = await startStack(sales, log, DATES_FRESH_MS);
  let streams: StreamClients | undefined;
  try {
    const starts = await measureStartups(stack, bareStarts, log);
    const loaded = await peakRss(stack, async () => {
      const results = await Promise.all(
        LOAD_PATHS.map((p) => autocannon(stack.server.url + p, 25, loadSeconds)),
      );
      const bad = results.reduce((a, r) => a + failures(r), 0);
      if (bad > 0) log(`read load: ${bad} non-2xx/errors`);
    });
    log(`RSS under ingest + read load: peak ${loaded.toFixed(0)} MB`);

    streams = await openStreams(`${stack.server.url}/v1/stream`, STREAMS, quick ? 15_000 : 60_000);
    const open = streams.connected;
    const withStreams = await peakRss(stack, () => sleep(loadSeconds * 1000));
    log(`RSS with ${open} streams: peak ${withStreams.toFixed(0)} MB`);

    const problems = await stack.errors();
    if (problems.problemCount > 0)
      log(`server logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems[0]}`);
    return memoryRows(`${fmtCount(sales)} sales`, problems.problemCount, starts, {
      loaded,
      withStreams,
      open,
      loadSeconds,
    });
  } finally {
    await streams?.stop();
    await stack.close();
  }
};

/**
 * Start-up: the first start (inside startStack) and two restarts on the same file, each right after a
 * bare start (the first before the stack, whose data set preparation is not start-up).
 */
async function measureStartups(
  stack: Stack,
  bareStarts: number[],
  log: (m: string) => void,
): Promise<Startups> {
  const startups = [stack.server.startupMs];
  const idle: number[] = [];
  for (let i = 0; ; i++) {
    // "Idle" = no API traffic; the poller's first cycle over the 1,000 merchants is running.
    await sleep(1000);
    idle.push(stack.server.rssMb());
    if (i === 2) break;
    const bare = async () => {
      bareStarts.push(await timeBareStart(stack.dir));
    };
    startups.push((await stack.restartServer(bare)).startupMs);
  }
  log(
    `start-up ${startups.map((s) => s.toFixed(0)).join(", ")} ms, bare node:http ${bareStarts.map((s) => s.toFixed(0)).join(", ")} ms; RSS 1 s after start ${idle.map((r) => r.toFixed(0)).join(", ")} MB`,
  );
  return { startups, bareStarts, idle };
}

function rssRow(metric: string, value: number, runs?: number[]): BenchRow {
  return {
    section,
    metric,
    value,
    unit: "MB",
    target: `< ${RSS_TARGET_MB} MB`,
    pass: value < RSS_TARGET_MB,
    runs,
  };
}

function memoryRows(
  size: string,
  problemCount: number,
  { startups, bareStarts, idle }: Startups,
  { loaded, withStreams, open, loadSeconds }: LoadedRss,
): BenchRow[] {
  const startup = median(startups);
  const bareStart = median(bareStarts);
  return [
    serverLogRow(section, size, problemCount),
    {
      section,
      metric: `bare node:http start, spawn → first 200, same flags and probe, each right before a start below (median of ${bareStarts.length})`,
      value: bareStart,
      unit: "ms",
      runs: bareStarts,
    },
    {
      section,
      metric: `start-up, spawn → first 200 from /v1/health, ${size} (median of ${startups.length})`,
      value: startup,
      unit: "ms",
      baseline: bareStart,
      baselineLabel: "bare node:http start",
      ratio: startup / bareStart,
      target: `≤ ${STARTUP_FACTOR}× bare start`,
      pass: startupMet(startup, bareStart),
      runs: startups,
    },
    rssRow(`server RSS 1 s after start (no API load; first poll cycle running), ${size}`, median(idle), idle),
    rssRow(`server RSS peak, live ingest + read load (4 × 25 conn, ${loadSeconds} s), ${size}`, loaded),
    {
      ...rssRow(
        `server RSS peak with ${open} of ${STREAMS} streams connected, live ingest, ${size}`,
        withStreams,
      ),
      pass: withStreams < RSS_TARGET_MB && open === STREAMS,
    },
  ];
}

/** Highest VmRSS of the server, sampled every 100 ms while `work` runs. */
async function peakRss(stack: Stack, work: () => Promise<void>): Promise<number> {
  let peak = stack.server.rssMb();
  const timer = setInterval(() => {
    const now = stack.server.rssMb();
    if (now > peak) peak = now;
  }, 100);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, stack.server.rssMb());
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
