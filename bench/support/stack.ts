/**
 * One measured set-up: a private copy of a cached data set, the mock upstream child serving live
 * sales for the same 1,000 merchants (same keys), and the server polling it. Everything it starts
 * is stopped by close(), also when start-up fails half way.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Dataset, ensureDataset, fmtCount, MERCHANTS, SEED, workingCopy } from "./dataset.js";
import { type MockChild, startMockChild } from "./mock.js";
import { type ServerProcess, serverErrors, startServer } from "./server.js";

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
  mock: MockChild;
  server: ServerProcess;
  /** Stops the server (if any) and starts a fresh one on the same db (start-up timing). */
  restartServer(): Promise<ServerProcess>;
  /** Error/fatal lines the server logged so far. */
  errors(): string[];
  close(): Promise<void>;
}

export async function startStack(sales: number, log: (m: string) => void): Promise<Stack> {
  const dataset = await ensureDataset(sales, log);
  const dir = mkdtempSync(path.join(os.tmpdir(), "live-pos-bench-"));
  let mock: MockChild | undefined;
  let server: ServerProcess | undefined;
  const logFiles: string[] = [];
  const close = async () => {
    await server?.stop();
    await mock?.stop();
    // The db copy is gigabytes and goes; the server logs are kept as evidence for the report.
    mkdirSync(LOG_DIR, { recursive: true });
    for (const f of logFiles) {
      const kept = path.join(
        LOG_DIR,
        `${new Date().toISOString().replace(/[:.]/g, "-")}-${fmtCount(sales)}-${path.basename(f)}`,
      );
      if (existsSync(f)) copyFileSync(f, kept);
    }
    if (logFiles.length > 0) log(`server logs kept in ${LOG_DIR}`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const dbPath = workingCopy(dataset, dir);
    mock = await startMockChild({
      seed: SEED,
      merchants: MERCHANTS,
      intervalMs: LIVE_TICK_MS,
      speed: LIVE_SPEED,
    });
    const upstream = mock.url;
    const start = async () => {
      const s = await startServer({ dbPath, sourceBaseUrl: upstream, dir });
      logFiles.push(s.logFile);
      return s;
    };
    server = await start();
    log(
      `server on ${fmtCount(sales)} sales up in ${server.startupMs.toFixed(0)} ms (pid ${server.pid}, log ${server.logFile})`,
    );
    const stack: Stack = {
      dataset,
      dir,
      dbPath,
      mock,
      server,
      restartServer: async () => {
        await server?.stop();
        server = undefined;
        server = await start();
        stack.server = server;
        return server;
      },
      errors: () => logFiles.flatMap((f) => serverErrors(f)),
      close,
    };
    return stack;
  } catch (e) {
    await close();
    throw e;
  }
}
