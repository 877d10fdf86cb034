/**
 * push: 2,000 SSE clients on /v1/stream (held by two child processes) while the server ingests live
 * sales. A sale event carries the upstream sale date, not its commit time, so the latency measured
 * is an honest upper bound: T0 is taken just before the bench adds a sale upstream and asks the
 * server to refetch that merchant; each client's receipt − T0 includes the fetch, parse and commit.
 * Both ends read CLOCK_MONOTONIC (process.hrtime), which is comparable across processes. The p99 is
 * judged against a bare node:http fan-out of the same frames to as many clients, right after, with
 * the service still ingesting beside it (push-baseline.ts).
 */
import {
  bareFanOut,
  bareFanOutRows,
  type MeasuredSale,
  type PushFigures,
  pushFigures,
} from "./push-baseline.js";
import type { Section } from "./section.js";
import { fmtCount } from "./support/dataset.js";
import { monoMs } from "./support/procs.js";
import { type BenchRow, median, serverLogRow } from "./support/report.js";
import { openStreams, type StreamClients, type StreamResults } from "./support/sse.js";
import { type Stack, startStack } from "./support/stack.js";
import { PUSH_P99_FACTOR, pushP99Met } from "./targets.js";

const CLIENTS = 2000;
const SPACING_MS = 150;
/** Push reads no windows: a data set whose dates ended a quarter of an hour ago does as well. */
const DATES_FRESH_MS = 15 * 60_000;
/** After the last sale, how long clients get to receive it before it counts as missed. */
const SETTLE_MS = 4000;
/** Streams not open by then count as failed (and keep the quick run within its budget). */
const OPEN_MS = { quick: 15_000, full: 60_000 };
const section = "push";

/** What the service's run gave, for its rows. */
interface PushRun {
  size: string;
  openMs: number;
  connected: number;
  /** Measured sales. */
  count: number;
  figures: PushFigures;
  result: StreamResults;
  refetchFailures: number;
  problemCount: number;
}

export const pushSection: Section = async ({ quick, log }) => {
  const sales = quick ? 1_000_000 : 10_000_000;
  const count = quick ? 15 : 50;
  const stack = await startStack(sales, log, DATES_FRESH_MS);
  let streams: StreamClients | undefined;
  try {
    const opening = performance.now();
    const openMs = quick ? OPEN_MS.quick : OPEN_MS.full;
    streams = await openStreams(`${stack.server.url}/v1/stream`, CLIENTS, openMs, true);
    log(
      `${streams.connected} streams open (${streams.failed} failed: ${JSON.stringify(streams.failures)}) in ${((performance.now() - opening) / 1000).toFixed(1)} s`,
    );
    const { measured, refetchFailures } = await pushMeasuredSales(stack, streams, count);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const result = await streams.collect();
    const connected = streams.connected;
    const f = pushFigures(result, measured);
    log(
      `push: ${f.latencies.length}/${connected * count} receipts, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, dropped ${result.dropped}, missed-any ${result.missedAny}`,
    );
    await streams.stop();
    streams = undefined;
    const bare = await bareFanOut({
      clients: CLIENTS,
      openMs,
      sales: measured,
      recording: result.recording ?? [],
      settleMs: SETTLE_MS,
      log,
    });
    const bp = bare.figures;
    log(
      `bare fan-out: p50 ${bp.p50.toFixed(1)} ms, p99 ${bp.p99.toFixed(1)} ms, ${bp.latencies.length}/${bare.expected} receipts`,
    );
    const problems = await stack.errors();
    if (problems.problemCount > 0)
      log(`server logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems[0]}`);
    const size = `${fmtCount(sales)} sales`;
    const run: PushRun = {
      size,
      openMs,
      connected,
      count,
      figures: f,
      result,
      refetchFailures,
      problemCount: problems.problemCount,
    };
    return [...latencyRows(run, bp), ...bareFanOutRows(section, bare, count), ...deliveryRows(run)];
  } finally {
    await streams?.stop();
    await stack.close();
  }
};

/**
 * Adds `count` sales upstream one at a time, each followed by a refetch of its merchant, and waits for
 * the watching client to see it before the next; T0 is taken just before the sale is added.
 */
async function pushMeasuredSales(
  { server, mock }: Stack,
  streams: StreamClients,
  count: number,
): Promise<{ measured: MeasuredSale[]; refetchFailures: number }> {
  const measured: MeasuredSale[] = [];
  let refetchFailures = 0;
  for (let k = 0; k < count; k++) {
    // Spread over the fleet so no merchant's poll is still in flight from the previous sale.
    const merchant = mock.merchants[(k * 137) % mock.merchants.length]?.id as string;
    await streams.watch(merchant);
    const start = monoMs();
    const sale = await mock.addSale(merchant);
    const res = await fetch(`${server.url}/v1/admin/merchants/${merchant}/refetch`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    await res.arrayBuffer();
    if (res.status !== 202) refetchFailures++;
    measured.push({ merchantId: merchant, saleId: sale.saleId, t0: start });
    await streams.expect(merchant, sale.saleId);
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  return { measured, refetchFailures };
}

/** Log lines, streams connected, and the sale latencies (p99 against the bare fan-out's). */
function latencyRows(
  { size, openMs, connected, count, figures: f, problemCount }: PushRun,
  bp: PushFigures,
): BenchRow[] {
  return [
    serverLogRow(section, size, problemCount),
    {
      section,
      metric: `SSE streams connected (of ${CLIENTS}, within ${openMs / 1000} s), ${size}`,
      value: connected,
      unit: "clients",
      target: `= ${CLIENTS}`,
      pass: connected === CLIENTS,
    },
    {
      section,
      metric: `sale latency p50, refetch → client receipt (upper bound of commit → receipt), ${connected} clients × ${count} sales`,
      value: f.p50,
      unit: "ms",
    },
    {
      section,
      metric: `sale latency p99, refetch → client receipt (upper bound of commit → receipt), ${connected} clients × ${count} sales`,
      value: f.p99,
      unit: "ms",
      baseline: bp.p99,
      baselineLabel: "bare node:http fan-out, same frames and clients",
      ratio: f.p99 / bp.p99,
      target: `≤ ${PUSH_P99_FACTOR}× bare fan-out p99`,
      pass: f.latencies.length > 0 && bp.latencies.length > 0 && pushP99Met(f.p99, bp.p99),
    },
    {
      section,
      metric: "sale latency max, refetch → client receipt",
      value: f.max,
      unit: "ms",
    },
    {
      section,
      metric: "per sale: refetch → first client's receipt (median over sales)",
      value: median(f.firsts),
      unit: "ms",
      runs: f.firsts,
    },
    {
      section,
      metric: "per sale: first → last client's receipt, fan-out spread (median over sales)",
      value: median(f.spreads),
      unit: "ms",
      runs: f.spreads,
    },
  ];
}

/** Client CPU, and whether every client got every sale and every refetch was taken. */
function deliveryRows({ connected, count, figures: f, result, refetchFailures }: PushRun): BenchRow[] {
  const expected = connected * count;
  return [
    {
      section,
      metric:
        "SSE client processes' CPU, both together (1.0 = one core; near 1 each would make receipts late)",
      value: result.cpuShare,
      unit: "cores",
    },
    {
      section,
      metric: "clients dropped by the server while reading",
      value: result.dropped,
      unit: "clients",
      target: "0",
      pass: result.dropped === 0,
    },
    {
      section,
      metric: `clients that missed any of the ${count} sales (within ${SETTLE_MS / 1000} s)`,
      value: result.missedAny,
      unit: "clients",
      target: "0",
      pass: result.missedAny === 0,
    },
    {
      section,
      metric: "sale receipts missing (clients × sales)",
      value: expected - f.latencies.length,
      unit: "receipts",
      target: "0",
      pass: expected === f.latencies.length,
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
