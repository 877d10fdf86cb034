/**
 * push: 2,000 SSE clients on /v1/stream (held by two child processes) while the server ingests live
 * sales. A sale event carries the upstream sale date, not its commit time, so the latency measured
 * is an honest upper bound: T0 is taken just before the bench adds a sale upstream and asks the
 * server to refetch that merchant; each client's receipt − T0 includes the fetch, parse and commit.
 * Both ends read CLOCK_MONOTONIC (process.hrtime), which is comparable across processes.
 */
import { type BenchRow, median } from "./report.js";
import type { Section } from "./section.js";
import { fmtCount } from "./support/dataset.js";
import { monoMs } from "./support/procs.js";
import { openStreams, type StreamClients } from "./support/sse.js";
import { startStack } from "./support/stack.js";

const CLIENTS = 2000;
const P99_TARGET_MS = 100;
const SPACING_MS = 150;
/** Push reads no windows: a data set whose dates ended a quarter of an hour ago does as well. */
const DATES_FRESH_MS = 15 * 60_000;
/** After the last sale, how long clients get to receive it before it counts as missed. */
const SETTLE_MS = 4000;
/** Streams not open by then count as failed (and keep the quick run within its budget). */
const OPEN_MS = { quick: 15_000, full: 60_000 };
const section = "push";

export const pushSection: Section = async ({ quick, log }) => {
  const sales = quick ? 1_000_000 : 10_000_000;
  const count = quick ? 15 : 50;
  const stack = await startStack(sales, log, DATES_FRESH_MS);
  let streams: StreamClients | undefined;
  try {
    const { server, mock } = stack;
    const opening = performance.now();
    streams = await openStreams(`${server.url}/v1/stream`, CLIENTS, quick ? OPEN_MS.quick : OPEN_MS.full);
    log(
      `${streams.connected} streams open (${streams.failed} failed: ${JSON.stringify(streams.failures)}) in ${((performance.now() - opening) / 1000).toFixed(1)} s`,
    );
    const t0 = new Map<string, number>();
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
      t0.set(`${merchant}:${sale.saleId}`, start);
      await streams.expect(merchant, sale.saleId);
      await new Promise((r) => setTimeout(r, SPACING_MS));
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const result = await streams.collect();
    const latencies: number[] = [];
    // Split per sale into time to the first client (fetch, parse, commit, first write) and the
    // spread to the last one (fan-out over 2,000 sockets, on both the server and the client side).
    const firsts: number[] = [];
    const spreads: number[] = [];
    for (const [key, receipts] of Object.entries(result.receipts)) {
      const start = t0.get(key) as number;
      for (const at of receipts) latencies.push(at - start);
      if (receipts.length === 0) continue;
      const first = Math.min(...receipts);
      firsts.push(first - start);
      spreads.push(Math.max(...receipts) - first);
    }
    const p = percentiles(latencies);
    const expected = streams.connected * count;
    log(
      `push: ${latencies.length}/${expected} receipts, p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, dropped ${result.dropped}, missed-any ${result.missedAny}`,
    );
    const problems = await stack.errors();
    if (problems.problemCount > 0)
      log(`server logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems[0]}`);
    const size = `${fmtCount(sales)} sales`;
    const rows: BenchRow[] = [
      {
        section,
        metric: `server log lines at warn/error level, ${size}`,
        value: problems.problemCount,
        unit: "lines",
      },
      {
        section,
        metric: `SSE streams connected (of ${CLIENTS}, within ${(quick ? OPEN_MS.quick : OPEN_MS.full) / 1000} s), ${size}`,
        value: streams.connected,
        unit: "clients",
        target: `= ${CLIENTS}`,
        pass: streams.connected === CLIENTS,
      },
      {
        section,
        metric: `sale latency p50, refetch → client receipt (upper bound of commit → receipt), ${streams.connected} clients × ${count} sales`,
        value: p.p50,
        unit: "ms",
      },
      {
        section,
        metric: `sale latency p99, refetch → client receipt (upper bound of commit → receipt), ${streams.connected} clients × ${count} sales`,
        value: p.p99,
        unit: "ms",
        target: `< ${P99_TARGET_MS} ms`,
        pass: p.p99 < P99_TARGET_MS && latencies.length > 0,
      },
      {
        section,
        metric: "sale latency max, refetch → client receipt",
        value: p.max,
        unit: "ms",
      },
      {
        section,
        metric: "per sale: refetch → first client's receipt (median over sales)",
        value: median(firsts),
        unit: "ms",
        runs: firsts,
      },
      {
        section,
        metric: "per sale: first → last client's receipt, fan-out spread (median over sales)",
        value: median(spreads),
        unit: "ms",
        runs: spreads,
      },
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
        value: expected - latencies.length,
        unit: "receipts",
        target: "0",
        pass: expected === latencies.length,
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
    return rows;
  } finally {
    await streams?.stop();
    await stack.close();
  }
};

function percentiles(xs: number[]): { p50: number; p99: number; max: number } {
  if (xs.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
  return { p50: median(s), p99: at(0.99), max: s[s.length - 1] as number };
}
