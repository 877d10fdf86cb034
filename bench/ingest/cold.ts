/**
 * Cold ingest of one big merchant through the real poll path (HTTP fetch from the mock child, parse,
 * validate, applyPoll with products, totals and milestones), against the bare better-sqlite3 baseline,
 * and on PostgreSQL against SQLite's.
 */

import { type ParsedPoll, parsePosPayload } from "../../src/upstream/payload.js";
import type { Engine } from "../support/postgres.js";
import type { BenchRow } from "../support/report.js";
import { median } from "../support/report.js";
import { baselineRows, runBaseline } from "./baseline.js";
import {
  benchPoller,
  createBenchMilestones,
  DAY_MS,
  DEFAULT_POLL_CONCURRENCY,
  registerMerchants,
  removeDb,
  rowsPerSecond,
  SEED,
  tempDir,
} from "./common.js";
import { type MockHandle, startMockChild } from "./mock-handle.js";
import { type BenchStore, type EngineRun, openBenchStore, pairOrder } from "./stores.js";

type Log = (message: string) => void;
type Merchant = MockHandle["merchants"][number];

/** One timed cold poll into a fresh store; milliseconds from the poll's start to its commit. */
async function coldPoll(
  bench: BenchStore,
  mock: MockHandle,
  merchant: Merchant,
  sales: number,
): Promise<number> {
  const { store } = bench;
  try {
    await registerMerchants(store, [merchant]);
    await createBenchMilestones(store, sales);
    const poll = benchPoller(store, mock.url, DEFAULT_POLL_CONCURRENCY);
    const t0 = performance.now();
    await poll.poller.pollAll();
    // onOutcome runs right after applyPoll's transaction committed; the PRAGMA optimize of the cycle
    // end comes after it and is not part of "body to committed rows".
    const ms = poll.lastOkAt() - t0;
    const [outcome] = poll.take();
    if (outcome?.kind !== "ok" || outcome.result.storedCount !== sales)
      throw new Error(`cold poll stored ${outcome?.kind === "ok" ? outcome.result.storedCount : 0} sales`);
    if (outcome.result.triggers.length === 0) throw new Error("cold poll fired no milestone");
    return ms;
  } finally {
    await bench.close();
  }
}

/**
 * The body parsed by the service's own parser, for the baseline's rows. Fetched here rather than through
 * the client, whose result shape is free to change (e.g. "unchanged" answers on re-polls).
 */
async function fetchParsed(baseUrl: string, m: Merchant): Promise<ParsedPoll> {
  const res = await fetch(
    `${baseUrl}/user-pos/${encodeURIComponent(m.id)}?user_public_key=${encodeURIComponent(m.publicKey)}`,
  );
  if (res.status !== 200) throw new Error(`mock answered ${res.status}`);
  return parsePosPayload(JSON.parse(await res.text()));
}

function label(sales: number): string {
  return sales >= 1_000_000 ? `${sales / 1_000_000}M` : `${sales / 1000}k`;
}

/**
 * Cold polls on the engines asked for: PostgreSQL's always in pairs with SQLite's (alternating which
 * goes first), whose median pair ratio is its row's ratio; SQLite's rows against the bare baseline.
 */
export async function coldIngest(sales: number, runs: number, log: Log, on: EngineRun): Promise<BenchRow[]> {
  const tmp = tempDir(`cold-${label(sales)}`);
  const mock = await startMockChild({ merchants: 1, seed: SEED });
  try {
    const merchant = mock.merchants[0] as Merchant;
    await mock.call({ cmd: "addHistory", ids: [merchant.id], count: sales, spanMs: 365 * DAY_MS });
    const bytes = await mock.call({ cmd: "warm", ids: [merchant.id], concurrency: 1 });
    log(`ingest cold ${label(sales)}: mock body ${(bytes / 2 ** 20).toFixed(0)} MiB, ${runs} runs`);
    const measured: Engine[] = on.engines.includes("postgres") ? ["sqlite", "postgres"] : ["sqlite"];
    const pollMs: Record<Engine, number[]> = { sqlite: [], postgres: [] };
    for (let i = 0; i < runs; i++) {
      for (const engine of pairOrder(measured, i)) {
        const store = await openBenchStore(engine, tmp.file(`poll-${i}.db`), on.postgres);
        pollMs[engine].push(await coldPoll(store, mock, merchant, sales));
        log(
          `ingest cold ${label(sales)} ${engine} poll run ${i + 1}: ${(pollMs[engine].at(-1) as number).toFixed(0)} ms`,
        );
      }
    }
    const rows: BenchRow[] = [];
    if (on.engines.includes("sqlite"))
      rows.push(...(await sqliteRows(sales, runs, pollMs.sqlite, tmp, mock, log)));
    if (on.engines.includes("postgres")) rows.push(postgresRow(sales, pollMs));
    return rows;
  } finally {
    await mock.stop();
    tmp.remove();
  }
}

/** SQLite's cold poll against bare better-sqlite3 inserting the same rows, run after the polls. */
async function sqliteRows(
  sales: number,
  runs: number,
  pollMs: number[],
  tmp: ReturnType<typeof tempDir>,
  mock: MockHandle,
  log: Log,
): Promise<BenchRow[]> {
  const merchant = mock.merchants[0] as Merchant;
  // Rows for the baseline come from the same body, parsed by the service's own parser, untimed.
  const rows = baselineRows(merchant.id, await fetchParsed(mock.url, merchant), Date.now());
  const baseMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const file = tmp.file(`baseline-${i}.db`);
    baseMs.push(await runBaseline(file, merchant, rows));
    removeDb(file);
    log(`ingest cold ${label(sales)} baseline run ${i + 1}: ${(baseMs.at(-1) as number).toFixed(0)} ms`);
  }
  log(`ingest cold ${label(sales)}: ${rows.sales.length} sales, ${rows.lines.length} lines per run`);
  const pollRate = pollMs.map((ms) => rowsPerSecond(sales, ms));
  const baseRate = baseMs.map((ms) => rowsPerSecond(sales, ms));
  const value = median(pollRate);
  const baseline = median(baseRate);
  return [
    {
      section: "ingest",
      metric: `cold poll ${label(sales)} sales, HTTP body to committed rows (sales/s, median of ${runs})`,
      value,
      unit: "sales/s",
      baseline,
      baselineLabel: "bare better-sqlite3 INSERT OR IGNORE of sales + lines",
      ratio: value / baseline,
      target: "≥ 50 % of baseline",
      pass: value / baseline >= 0.5,
      runs: pollRate,
    },
    {
      section: "ingest",
      metric: `baseline: bare better-sqlite3 insert of the same ${label(sales)} sales + lines (sales/s, median of ${runs})`,
      value: baseline,
      unit: "sales/s",
      runs: baseRate,
    },
  ];
}

/** PostgreSQL's cold poll against SQLite's of the same body; the ratio is the median of the pairs' own. */
function postgresRow(sales: number, pollMs: Record<Engine, number[]>): BenchRow {
  const pg = pollMs.postgres.map((ms) => rowsPerSecond(sales, ms));
  const lite = pollMs.sqlite.map((ms) => rowsPerSecond(sales, ms));
  const pairs = pg.map((r, i) => r / (lite[i] as number));
  return {
    section: "ingest",
    metric: `cold poll ${label(sales)} sales on PostgreSQL, HTTP body to committed rows (sales/s, median of ${pg.length}; ratio = median of the alternating pairs' PostgreSQL/SQLite: ${pairs.map((r) => `${(r * 100).toFixed(0)} %`).join(", ")})`,
    value: median(pg),
    unit: "sales/s",
    baseline: median(lite),
    baselineLabel: "SQLite cold poll of the same body, in the same pairs",
    ratio: median(pairs),
    runs: pg,
  };
}
