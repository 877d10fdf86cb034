/**
 * One measured set-up: a private copy of a cached data set (in a fresh PostgreSQL database when one
 * is asked for), the mock upstream child serving live sales for the same 1,000 merchants (same keys),
 * and the server polling it. Everything it starts
 * is stopped by close(), also when start-up fails half way.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Dataset, ensureDataset, fmtCount, MERCHANTS, SEED, workingCopy } from "./dataset.js";
import { type MockChild, startMockChild } from "./mock.js";
import { loadIntoPostgres, type PostgresLoad } from "./pg-dataset.js";
import type { BenchPostgres } from "./postgres.js";
import { type LogScan, type ServerProcess, scanLog, startServer } from "./server.js";

/**
 * Upstream generation: the 20 profiles average ~0.9 sales/min, so 1,000 merchants × speed 2 give
 * ~30 sales/s, a few dozen a second as a busy fleet would, in 500 ms ticks.
 */
const LIVE_SPEED = 2;
const LIVE_TICK_MS = 500;
const LOG_DIR = path.join(os.tmpdir(), "live-pos-bench-logs");

export interface Stack {
  dataset: Dataset;
  dir: string;
  dbPath: string;
  /** Set when the server runs on PostgreSQL: what copying the data set into its database cost. */
  postgresLoad?: PostgresLoad;
  mock: MockChild;
  server: ServerProcess;
  /**
   * Stops the server (if any) and starts a fresh one on the same db (start-up timing); `between`
   * runs once it is stopped, before the new one is spawned.
   */
  restartServer(between?: () => Promise<void>): Promise<ServerProcess>;
  /** Waits (bounded) until every merchant has been polled once; returns how long that took in ms. */
  firstCycle(timeoutMs: number): Promise<number>;
  /** Warnings and errors the server logged so far (all its runs). */
  errors(): Promise<LogScan>;
  close(): Promise<void>;
}

/**
 * `maxDateAgeMs`: how old the data set's newest sale may be before its dates are moved to now;
 * `postgres`: the server runs on a fresh database there, the data set copied into it.
 */
export async function startStack(
  sales: number,
  log: (m: string) => void,
  maxDateAgeMs: number,
  postgres?: BenchPostgres,
): Promise<Stack> {
  const dataset = await ensureDataset(sales, log, maxDateAgeMs);
  const dir = mkdtempSync(path.join(os.tmpdir(), "live-pos-bench-"));
  const running: { mock?: MockChild; server?: ServerProcess | undefined; drop?: () => Promise<void> } = {};
  const logFiles: string[] = [];
  const close = async () => {
    await running.server?.stop();
    await running.mock?.stop();
    await running.drop?.();
    await keepServerProblems(logFiles, sales, log);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const dbPath = workingCopy(dataset, dir);
    const env: Record<string, string> = {};
    let postgresLoad: PostgresLoad | undefined;
    if (postgres) {
      const database = await postgres.freshDatabase();
      running.drop = database.drop;
      postgresLoad = await loadIntoPostgres(dataset.path, database.url);
      log(`data set ${fmtCount(sales)} copied into PostgreSQL in ${(postgresLoad.ms / 1000).toFixed(1)} s`);
      env.DATABASE_URL = database.url;
    }
    const mock = await startMockChild({
      seed: SEED,
      merchants: MERCHANTS,
      intervalMs: LIVE_TICK_MS,
      speed: LIVE_SPEED,
    });
    running.mock = mock;
    const start = async () => {
      const s = await startServer({ dbPath, sourceBaseUrl: mock.url, dir, env });
      logFiles.push(s.logFile);
      return s;
    };
    const server = await start();
    running.server = server;
    log(
      `server on ${fmtCount(sales)} sales up in ${server.startupMs.toFixed(0)} ms (pid ${server.pid}, log ${server.logFile})`,
    );
    const stack: Stack = {
      dataset,
      dir,
      dbPath,
      ...(postgresLoad ? { postgresLoad } : {}),
      mock,
      server,
      restartServer: async (between) => {
        await running.server?.stop();
        running.server = undefined;
        await between?.();
        running.server = await start();
        stack.server = running.server;
        return running.server;
      },
      firstCycle: (timeoutMs) => waitForFirstPollCycle(stack, timeoutMs),
      errors: () => scanServerLogs(logFiles),
      close,
    };
    return stack;
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The db copy and the request logs are gigabytes and go; each log's warnings and errors are kept in
 * LOG_DIR as evidence.
 */
async function keepServerProblems(
  logFiles: string[],
  sales: number,
  log: (m: string) => void,
): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  for (const f of logFiles.filter((file) => existsSync(file))) {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const kept = path.join(LOG_DIR, `${stamp}-${fmtCount(sales)}-${path.basename(f)}`);
    const scan = await scanLog(f, 1000);
    const head = `${scan.problemCount} warn/error lines; the first ${scan.problems.length}:`;
    writeFileSync(kept, `${head}\n${scan.problems.join("\n")}\n`);
    log(`server warnings/errors: ${scan.problemCount} (kept in ${kept})`);
  }
}

/** Polls the admin merchant list (of the stack's current server) until every merchant has been polled once. */
async function waitForFirstPollCycle(stack: Stack, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const s = stack.server;
    const res = await fetch(`${s.url}/v1/admin/merchants`, {
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    // A merchant never polled has no last_polled_at field at all.
    const list = (await res.json()) as { last_polled_at?: string }[];
    if (res.status === 200 && list.every((m) => typeof m.last_polled_at === "string")) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return performance.now() - started;
}

/** Warnings and errors over all the server's runs' logs. */
async function scanServerLogs(logFiles: string[]): Promise<LogScan> {
  const all: LogScan = { problemCount: 0, problems: [] };
  for (const f of logFiles) {
    const one = await scanLog(f);
    all.problemCount += one.problemCount;
    all.problems.push(...one.problems);
  }
  return all;
}
