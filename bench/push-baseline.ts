/**
 * The push section's yardstick: a bare node:http SSE server (support/fanout-child.ts) sends the same
 * frames to the same number of clients, held by the same client processes (support/sse-child.ts),
 * in the same run. What one client recorded of the service's stream is replayed at the same moments
 * (the live sales, summaries and heartbeats around the measured sales), and each measured sale's
 * frame is sent by a trigger at the same offset as in the service's run; latency is timed the same
 * way, from just before the trigger to each client's receipt.
 */

import { forkHelper, monoMs } from "./support/procs.js";
import { type BenchRow, median } from "./support/report.js";
import { openStreams, type StreamResults } from "./support/sse.js";

/** One measured sale: who sold it and when (monoMs) the trigger that brought it out was started. */
export interface MeasuredSale {
  merchantId: string;
  saleId: number;
  t0: number;
}

export interface PushFigures {
  latencies: number[];
  p50: number;
  p99: number;
  max: number;
  /** Per sale: trigger → first client's receipt. */
  firsts: number[];
  /** Per sale: first → last client's receipt. */
  spreads: number[];
}

const key = (s: { merchantId: string; saleId: number }) => `${s.merchantId}:${s.saleId}`;

export function pushFigures(result: StreamResults, sales: MeasuredSale[]): PushFigures {
  const t0 = new Map(sales.map((s) => [key(s), s.t0]));
  const latencies: number[] = [];
  const firsts: number[] = [];
  const spreads: number[] = [];
  for (const [k, receipts] of Object.entries(result.receipts)) {
    const start = t0.get(k) as number;
    for (const at of receipts) latencies.push(at - start);
    if (receipts.length === 0) continue;
    const first = Math.min(...receipts);
    firsts.push(first - start);
    spreads.push(Math.max(...receipts) - first);
  }
  const s = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
  const empty = s.length === 0;
  return {
    latencies,
    p50: empty ? Number.NaN : median(s),
    p99: empty ? Number.NaN : at(0.99),
    max: empty ? Number.NaN : (s[s.length - 1] as number),
    firsts,
    spreads,
  };
}

/** Replay starts this long before the first measured sale, so it meets the same traffic as it did. */
const LEAD_MS = 1000;

interface Replay {
  /** Frames of the measured sales, keyed merchant:sale, to be sent by their triggers. */
  saleFrames: Map<string, string>;
  /** Everything else, offset from LEAD_MS before the first sale's trigger. */
  writes: { offsetMs: number; payload: string }[];
}

/** Splits what the service sent one client into the measured sales' frames and the rest, per write. */
function splitRecording(
  recording: { at: number; payload: string }[],
  sales: MeasuredSale[],
  tailMs: number,
): Replay {
  const wanted = new Set(sales.map(key));
  const origin = Math.min(...sales.map((s) => s.t0)) - LEAD_MS;
  const end = Math.max(...sales.map((s) => s.t0)) + tailMs;
  const saleFrames = new Map<string, string>();
  const writes: Replay["writes"] = [];
  for (const { at, payload } of recording) {
    const rest: string[] = [];
    for (const body of payload.split("\n\n")) {
      // The stream's opening ("retry:", ": connected") belongs to every stream's start, not to a round.
      if (body === "" || body.startsWith("retry:")) continue;
      const frame = `${body}\n\n`;
      const data = body.includes("event: sale")
        ? body.split("\n").find((l) => l.startsWith("data: "))
        : undefined;
      const sale =
        data === undefined
          ? undefined
          : (JSON.parse(data.slice(6)) as { merchant_id: string; sale_id: number });
      const k = sale && `${sale.merchant_id}:${sale.sale_id}`;
      if (k !== undefined && wanted.has(k)) saleFrames.set(k, frame);
      else rest.push(frame);
    }
    if (rest.length > 0 && at >= origin && at <= end)
      writes.push({ offsetMs: at - origin, payload: rest.join("") });
  }
  return { saleFrames, writes };
}

export interface BareFanOut {
  connected: number;
  figures: PushFigures;
  /** Receipts expected (clients × sales triggered) and the clients that missed any. */
  expected: number;
  missedAny: number;
  /** Measured sales the recording did not hold, so the bare server could not send them. */
  notRecorded: number;
}

export async function bareFanOut(opts: {
  clients: number;
  openMs: number;
  sales: MeasuredSale[];
  recording: { at: number; payload: string }[];
  settleMs: number;
  log: (m: string) => void;
}): Promise<BareFanOut> {
  const replay = splitRecording(opts.recording, opts.sales, opts.settleMs);
  const sales = opts.sales.filter((s) => replay.saleFrames.has(key(s)));
  const fanout = await forkHelper<{ url: string }>("./fanout-child.js", []);
  const streams = await openStreams(`${fanout.ready.url}/v1/stream`, opts.clients, opts.openMs).catch(
    async (e: unknown) => {
      await fanout.stop();
      throw e;
    },
  );
  try {
    opts.log(`bare fan-out: ${streams.connected} streams open, replaying ${replay.writes.length} writes`);
    for (const s of sales) {
      await streams.watch(s.merchantId);
      await streams.expect(s.merchantId, s.saleId);
    }
    const origin = Math.min(...opts.sales.map((s) => s.t0)) - LEAD_MS;
    const startMono = monoMs() + 200;
    await fanout.request({ type: "replay", startMono, writes: replay.writes }, 10_000);
    const sent: MeasuredSale[] = [];
    for (const s of sales) {
      const due = startMono + (s.t0 - origin);
      await new Promise((r) => setTimeout(r, Math.max(0, due - monoMs())));
      const t0 = monoMs();
      const res = await fetch(`${fanout.ready.url}/trigger`, {
        method: "POST",
        body: replay.saleFrames.get(key(s)),
      });
      await res.arrayBuffer();
      sent.push({ ...s, t0 });
    }
    await new Promise((r) => setTimeout(r, opts.settleMs));
    const result = await streams.collect();
    return {
      connected: streams.connected,
      figures: pushFigures(result, sent),
      expected: streams.connected * sent.length,
      missedAny: result.missedAny,
      notRecorded: opts.sales.length - sales.length,
    };
  } finally {
    await streams.stop();
    await fanout.stop();
  }
}

/** The bare fan-out's rows, for the table beside the service's. */
export function bareFanOutRows(section: string, bare: BareFanOut, sales: number): BenchRow[] {
  const f = bare.figures;
  return [
    {
      section,
      metric: `bare node:http SSE fan-out, same frames: streams connected, receipts ${f.latencies.length} of ${bare.expected}, ${bare.missedAny} clients missed any, ${bare.notRecorded} of ${sales} sales not recorded`,
      value: bare.connected,
      unit: "clients",
    },
    { section, metric: "bare fan-out latency p50, trigger → client receipt", value: f.p50, unit: "ms" },
    { section, metric: "bare fan-out latency p99, trigger → client receipt", value: f.p99, unit: "ms" },
    {
      section,
      metric: "bare fan-out per sale: trigger → first client's receipt (median over sales)",
      value: median(f.firsts),
      unit: "ms",
      runs: f.firsts,
    },
    {
      section,
      metric: "bare fan-out per sale: first → last client's receipt (median over sales)",
      value: median(f.spreads),
      unit: "ms",
      runs: f.spreads,
    },
  ];
}
