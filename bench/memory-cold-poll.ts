/**
 * memory, cold poll of a long history: the real server (dist/main.js, started as `npm start` starts
 * it) on an empty database with one merchant whose upstream answers a million-sale history, from its
 * start until that first poll has committed. The figure is the process's VmHWM, the kernel's own
 * high-water mark of its resident set, so no sampling interval can miss the peak.
 */

import { openDatabase } from "../src/store/db.js";
import { createBenchMilestones, DAY_MS, registerMerchants, SEED, tempDir } from "./ingest/common.js";
import { type MockHandle, startMockChild } from "./ingest/mock-handle.js";
import { fmtCount } from "./support/dataset.js";
import { type BenchRow, serverLogRow } from "./support/report.js";
import { type ServerProcess, scanLog, startServer } from "./support/server.js";
import { RSS_TARGET_MB } from "./targets.js";

const section = "memory";
/** Generous: this row measures memory; a slow shared machine must not turn it into a timeout. */
const HTTP_TIMEOUT = "120s";
const COMMIT_WAIT_MS = 600_000;

export async function coldPollRss(sales: number, log: (m: string) => void): Promise<BenchRow[]> {
  const tmp = tempDir("cold-rss");
  const mock = await startMockChild({ merchants: 1, seed: SEED });
  let server: ServerProcess | undefined;
  try {
    const merchant = mock.merchants[0] as MockHandle["merchants"][number];
    await mock.call({ cmd: "addHistory", ids: [merchant.id], count: sales, spanMs: 365 * DAY_MS });
    const bytes = await mock.call({ cmd: "warm", ids: [merchant.id], concurrency: 1 });
    const dbPath = tmp.file("cold-rss.db");
    const store = await openDatabase(dbPath);
    try {
      await registerMerchants(store, [merchant]);
      await createBenchMilestones(store, sales);
    } finally {
      await store.close();
    }
    server = await startServer({
      dbPath,
      sourceBaseUrl: mock.url,
      dir: tmp.dir,
      pollInterval: "30s",
      env: { HTTP_TIMEOUT },
    });
    const ms = await waitForFirstPoll(server);
    const peak = server.peakRssMb();
    const size = `${fmtCount(sales)}-sale history (${(bytes / 2 ** 20).toFixed(0)} MiB body)`;
    log(
      `cold poll of a ${size}: committed ${ms.toFixed(0)} ms after start-up, server VmHWM ${peak.toFixed(0)} MB`,
    );
    await server.stop();
    const problems = await scanLog(server.logFile);
    return [
      serverLogRow(section, `cold poll of a ${size}`, problems.problemCount),
      {
        section,
        metric: `server RSS peak (VmHWM) from start on an empty database until its first poll of one merchant's ${size} has committed`,
        value: peak,
        unit: "MB",
        target: `< ${RSS_TARGET_MB} MB`,
        pass: peak < RSS_TARGET_MB,
      },
    ];
  } finally {
    await server?.stop();
    await mock.stop();
    tmp.remove();
  }
}

/** Milliseconds until the admin list shows the merchant polled; a failed poll fails the row. */
async function waitForFirstPoll(server: ServerProcess): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < COMMIT_WAIT_MS) {
    const res = await fetch(`${server.url}/v1/admin/merchants`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    const [m] = (await res.json()) as { last_polled_at?: string; last_error?: string }[];
    if (m?.last_error !== undefined) throw new Error(`cold poll failed: ${m.last_error}`);
    if (m?.last_polled_at !== undefined) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cold poll not committed after ${COMMIT_WAIT_MS / 1000} s`);
}
