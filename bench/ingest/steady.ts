/**
 * Steady state: 1,000 merchants (fewer in quick runs) with 1,000 sales each, polled by a real Poller at the default
 * concurrency. The cold cycle fills an empty database; re-polls then either find nothing new or five
 * new sales per merchant, which is what the service does all day, every POLL_INTERVAL.
 */

import type { Engine } from "../support/postgres.js";
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
import { type BenchStore, type EngineRun, openBenchStore, pairOrder } from "./stores.js";

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
 * re-poll/cold ratios stay comparable; the interval row is then scaled up to FLEET and says so. With
 * PostgreSQL, a store on each engine polls the same mock, cycle after cycle in alternating pairs.
 */
export async function steadyState(
  merchants: number,
  repetitions: number,
  log: Log,
  on: EngineRun,
): Promise<BenchRow[]> {
  const tmp = tempDir("steady");
  const mock: MockHandle = await startMockChild({ merchants, seed: SEED });
  const measured: Engine[] = on.engines.includes("postgres") ? ["sqlite", "postgres"] : ["sqlite"];
  const stores: BenchStore[] = [];
  try {
    const ids = mock.merchants.map((m) => m.id);
    await mock.call({ cmd: "addHistory", ids, count: SALES_EACH, spanMs: 30 * DAY_MS });
    const bytes = await mock.call({ cmd: "warm", ids, concurrency: WARM_CONCURRENCY });
    log(
      `ingest steady: ${merchants} merchants × ${SALES_EACH} sales, ${(bytes / 2 ** 20).toFixed(0)} MiB of bodies`,
    );
    const polls = new Map<Engine, BenchPoller>();
    for (const engine of measured) {
      const bench = await openBenchStore(engine, tmp.file(`steady-${engine}.db`), on.postgres);
      stores.push(bench);
      await registerMerchants(bench.store, mock.merchants);
      await createBenchMilestones(bench.store, merchants * SALES_EACH);
      polls.set(engine, benchPoller(bench.store, mock.url, DEFAULT_POLL_CONCURRENCY));
    }
    const cold: Record<Engine, number> = { sqlite: Number.NaN, postgres: Number.NaN };
    for (const [engine, poll] of polls) {
      cold[engine] = await cycle(poll, merchants, merchants * SALES_EACH);
      log(`ingest steady cold cycle ${engine}: ${cold[engine].toFixed(0)} ms`);
    }
    const times = await repollCycles(polls, mock, merchants, repetitions, log);
    const rows: BenchRow[] = [];
    if (on.engines.includes("sqlite"))
      rows.push(...steadyRows(merchants, repetitions, cold.sqlite, times.sqlite));
    if (on.engines.includes("postgres")) rows.push(...postgresSteadyRows(merchants, cold, times));
    return rows;
  } finally {
    for (const s of stores) await s.close();
    await mock.stop();
    tmp.remove();
  }
}

/** Re-polls of the filled stores, interleaved so machine noise hits both kinds of re-poll (and engines) alike. */
async function repollCycles(
  polls: Map<Engine, BenchPoller>,
  mock: MockHandle,
  merchants: number,
  repetitions: number,
  log: Log,
): Promise<Record<Engine, RepollTimes>> {
  const ids = mock.merchants.map((m) => m.id);
  const times: Record<Engine, RepollTimes> = {
    sqlite: { nothingNew: [], fiveNew: [] },
    postgres: { nothingNew: [], fiveNew: [] },
  };
  const engines = [...polls.keys()];
  for (let i = 0; i < repetitions; i++) {
    for (const e of pairOrder(engines, i))
      times[e].nothingNew.push(await cycle(polls.get(e) as BenchPoller, merchants, 0));
    await mock.call({ cmd: "addSale", ids, count: NEW_SALES_EACH });
    await mock.call({ cmd: "warm", ids, concurrency: WARM_CONCURRENCY });
    for (const e of pairOrder(engines, i))
      times[e].fiveNew.push(await cycle(polls.get(e) as BenchPoller, merchants, merchants * NEW_SALES_EACH));
    for (const e of engines)
      log(
        `ingest steady re-poll ${i + 1} ${e}: nothing new ${(times[e].nothingNew.at(-1) as number).toFixed(0)} ms, ` +
          `${NEW_SALES_EACH} new each ${(times[e].fiveNew.at(-1) as number).toFixed(0)} ms`,
      );
  }
  return times;
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

/**
 * PostgreSQL's cycles against SQLite's in the same pairs (ratio = median of the pairs' PostgreSQL/SQLite
 * times: above 1 is slower), and its slowest re-poll against the poll interval as SQLite's is judged.
 */
function postgresSteadyRows(
  merchants: number,
  cold: Record<Engine, number>,
  times: Record<Engine, RepollTimes>,
): BenchRow[] {
  const what = `${merchants} merchants × ${SALES_EACH} sales, concurrency ${DEFAULT_POLL_CONCURRENCY}`;
  const vsSqlite = (label: string, pg: number[], lite: number[]): BenchRow => {
    const pairs = pg.map((ms, i) => ms / (lite[i] as number));
    return row(
      `PostgreSQL ${label} (median of ${pg.length}; ratio = median of the pairs' PostgreSQL/SQLite time: ${pairs.map((r) => r.toFixed(2)).join(", ")})`,
      pg,
      { baseline: median(lite), baselineLabel: "SQLite, same cycles, in pairs", ratio: median(pairs) },
    );
  };
  const pg = times.postgres;
  const scale = FLEET / merchants;
  const slowest = Math.max(...pg.nothingNew, ...pg.fiveNew) * scale;
  const scaled = scale === 1 ? "" : `, measured on ${merchants} and scaled ×${scale}`;
  return [
    vsSqlite(
      `cold cycle, ${what}, ${((merchants * SALES_EACH) / (cold.postgres / 1000)).toFixed(0)} sales/s`,
      [cold.postgres],
      [cold.sqlite],
    ),
    vsSqlite("re-poll cycle, nothing new", pg.nothingNew, times.sqlite.nothingNew),
    vsSqlite(`re-poll cycle, ${NEW_SALES_EACH} new sales per merchant`, pg.fiveNew, times.sqlite.fiveNew),
    {
      section: "ingest",
      metric: `PostgreSQL: slowest steady-state re-poll cycle of ${FLEET} merchants (of ${pg.nothingNew.length + pg.fiveNew.length}${scaled}) vs poll interval`,
      value: slowest,
      unit: "ms",
      baseline: DEFAULT_POLL_INTERVAL_MS,
      baselineLabel: "default POLL_INTERVAL",
      ratio: slowest / DEFAULT_POLL_INTERVAL_MS,
      target: "< poll interval",
      pass: slowest < DEFAULT_POLL_INTERVAL_MS,
      runs: [...pg.nothingNew, ...pg.fiveNew].map((ms) => ms * scale),
    },
  ];
}
