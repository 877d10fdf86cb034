/**
 * Steady state: 1,000 merchants (fewer in quick runs) with 1,000 sales each, polled by a real Poller at the default
 * concurrency. The cold cycle fills an empty database; re-polls then either find nothing new or five
 * new sales per merchant, which is what the service does all day, every POLL_INTERVAL.
 */

import { openDatabase } from "../../src/store/db.js";
import type { BenchRow } from "../support/report.js";
import { median } from "../support/report.js";
import {
  type BenchPoller,
  benchPoller,
  createBenchMilestones,
  DAY_MS,
  DEFAULT_POLL_CONCURRENCY,
  DEFAULT_POLL_INTERVAL_MS,
  registerMerchants,
  SEED,
  tempDir,
} from "./common.js";
import { type MockHandle, startMockChild } from "./mock-handle.js";

type Log = (message: string) => void;

/** The fleet: the merchant count the poll interval has to cover. */
const FLEET = 1000;
const SALES_EACH = 1000;
const NEW_SALES_EACH = 5;
/** Warming bodies is the mock's own work (in its process); a few at once keeps it quick. */
const WARM_CONCURRENCY = 4;

/** One timed pollAll (PRAGMA optimize at cycle end included, as in main.ts); checks every poll succeeded. */
async function cycle(bench: BenchPoller, merchants: number, expectNew: number): Promise<number> {
  const t0 = performance.now();
  await bench.poller.pollAll();
  const ms = performance.now() - t0;
  const outcomes = bench.take();
  const stored = outcomes.reduce((n, o) => n + (o.kind === "ok" ? o.result.storedCount : 0), 0);
  if (outcomes.length !== merchants || stored !== expectNew)
    throw new Error(
      `cycle polled ${outcomes.length} merchants storing ${stored} sales, expected ${expectNew}`,
    );
  return ms;
}

function row(metric: string, runs: number[], extra: Partial<BenchRow> = {}): BenchRow {
  return { section: "ingest", metric, value: median(runs), unit: "ms", runs, ...extra };
}

/** Nothing-new and five-new re-poll times, `repetitions` of each. */
interface RepollTimes {
  nothingNew: number[];
  fiveNew: number[];
}

/**
 * `merchants` below FLEET (quick runs only: the cold cycle of the full fleet alone takes longer than the
 * quick budget) keeps each merchant's body and history as in the full run, so per-poll costs and the
 * re-poll/cold ratios stay comparable; the interval row is then scaled up to FLEET and says so.
 */
export async function steadyState(merchants: number, repetitions: number, log: Log): Promise<BenchRow[]> {
  const tmp = tempDir("steady");
  const mock: MockHandle = await startMockChild({ merchants, seed: SEED });
  const store = await openDatabase(tmp.file("steady.db"));
  try {
    const ids = mock.merchants.map((m) => m.id);
    await mock.call({ cmd: "addHistory", ids, count: SALES_EACH, spanMs: 30 * DAY_MS });
    const bytes = await mock.call({ cmd: "warm", ids, concurrency: WARM_CONCURRENCY });
    log(
      `ingest steady: ${merchants} merchants × ${SALES_EACH} sales, ${(bytes / 2 ** 20).toFixed(0)} MiB of bodies`,
    );
    await registerMerchants(store, mock.merchants);
    await createBenchMilestones(store, merchants * SALES_EACH);
    const bench = benchPoller(store, mock.url, DEFAULT_POLL_CONCURRENCY);

    const cold = await cycle(bench, merchants, merchants * SALES_EACH);
    log(`ingest steady cold cycle: ${cold.toFixed(0)} ms`);
    const times = await repollCycles(bench, mock, merchants, repetitions, log);
    return steadyRows(merchants, repetitions, cold, times);
  } finally {
    await store.close();
    await mock.stop();
    tmp.remove();
  }
}

/** Re-polls of the filled database, interleaved so machine noise hits both kinds of re-poll alike. */
async function repollCycles(
  bench: BenchPoller,
  mock: MockHandle,
  merchants: number,
  repetitions: number,
  log: Log,
): Promise<RepollTimes> {
  const ids = mock.merchants.map((m) => m.id);
  const nothingNew: number[] = [];
  const fiveNew: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    nothingNew.push(await cycle(bench, merchants, 0));
    await mock.call({ cmd: "addSale", ids, count: NEW_SALES_EACH });
    await mock.call({ cmd: "warm", ids, concurrency: WARM_CONCURRENCY });
    fiveNew.push(await cycle(bench, merchants, merchants * NEW_SALES_EACH));
    log(
      `ingest steady re-poll ${i + 1}: nothing new ${(nothingNew.at(-1) as number).toFixed(0)} ms, ` +
        `${NEW_SALES_EACH} new each ${(fiveNew.at(-1) as number).toFixed(0)} ms`,
    );
  }
  return { nothingNew, fiveNew };
}

/** The cold cycle, both re-polls against it, and the slowest re-poll (scaled to FLEET) against the interval. */
function steadyRows(
  merchants: number,
  repetitions: number,
  cold: number,
  { nothingNew, fiveNew }: RepollTimes,
): BenchRow[] {
  const what = `${merchants} merchants × ${SALES_EACH} sales, concurrency ${DEFAULT_POLL_CONCURRENCY}`;
  const nothing = median(nothingNew);
  const five = median(fiveNew);
  const scale = FLEET / merchants;
  const slowest = Math.max(...nothingNew, ...fiveNew) * scale;
  const scaled = scale === 1 ? "" : `, measured on ${merchants} and scaled ×${scale}`;
  return [
    row(`cold cycle, ${what} (1 run)`, [cold]),
    row(`re-poll cycle, nothing new (median of ${repetitions})`, nothingNew, {
      baseline: cold,
      baselineLabel: "cold cycle",
      ratio: nothing / cold,
      target: "≤ 20 % of cold cycle",
      pass: nothing / cold <= 0.2,
    }),
    row(`re-poll cycle, ${NEW_SALES_EACH} new sales per merchant (median of ${repetitions})`, fiveNew, {
      baseline: cold,
      baselineLabel: "cold cycle",
      ratio: five / cold,
    }),
    {
      section: "ingest",
      metric: `slowest steady-state re-poll cycle of ${FLEET} merchants (of ${2 * repetitions}${scaled}) vs poll interval`,
      value: slowest,
      unit: "ms",
      baseline: DEFAULT_POLL_INTERVAL_MS,
      baselineLabel: "default POLL_INTERVAL",
      ratio: slowest / DEFAULT_POLL_INTERVAL_MS,
      target: "< poll interval",
      pass: slowest < DEFAULT_POLL_INTERVAL_MS,
      runs: [...nothingNew, ...fiveNew].map((ms) => ms * scale),
    },
  ];
}
