/** What the ingest benchmarks share: temp databases, the poller as the ingest thread wires it, a few milestones. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { Poller, type PollOutcome } from "../../src/ingest/poller.js";
import type { OpenedDatabase } from "../../src/store/db.js";
import { upsertMerchant } from "../../src/store/merchants.js";
import { createMilestone } from "../../src/store/milestones.js";
import { createUpstreamClient } from "../../src/upstream/client.js";
import type { MockReady } from "./protocol.js";

/** Config defaults (src/config/config.ts): POLL_INTERVAL 30s, POLL_CONCURRENCY 5, HTTP_TIMEOUT 10s. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
export const DEFAULT_POLL_CONCURRENCY = 5;
/** Far above the 10 s default: a million-sale body must not time out on a slow shared machine. */
const BENCH_HTTP_TIMEOUT_MS = 600_000;
export const SEED = 20240601;
export const DAY_MS = 86_400_000;

/** A scratch directory in os.tmpdir() that `remove` deletes with everything in it. */
export function tempDir(label: string): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-ingest-${label}-`));
  return {
    dir,
    file: (name) => path.join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Removes a database file with its WAL and shared-memory files. */
export function removeDb(file: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
}

export async function registerMerchants(
  store: OpenedDatabase,
  merchants: MockReady["merchants"],
): Promise<void> {
  for (const m of merchants) {
    await upsertMerchant(store.db, { id: m.id, public_key: m.publicKey, alias: m.name }, Date.now());
  }
}

/**
 * Milestones so that evaluation is part of the measured path: some fire during the cold poll, one is
 * never reached and stays armed (the common case on every later poll).
 */
export async function createBenchMilestones(store: OpenedDatabase, sales: number): Promise<void> {
  const now = Date.now();
  const specs = [
    { name: "first thousand", type: "transactions", threshold: 1000 },
    { name: "half way", type: "transactions", threshold: Math.floor(sales / 2) },
    { name: "first million sats", type: "volume", threshold: 1_000_000 },
    { name: "never", type: "transactions", threshold: 1_000_000_000_000 },
  ];
  for (const s of specs) await createMilestone(store.db, s, now);
}

export interface BenchPoller {
  poller: Poller;
  /** Outcomes since the last `take`; the benchmark fails loudly on any failed poll. */
  take(): PollOutcome[];
  /** performance.now() of the latest ok outcome: its transaction has committed by then. */
  lastOkAt(): number;
}

/** A real Poller wired as src/ingest/thread.ts wires it (client, concurrency, PRAGMA optimize at cycle end; cycles here are run with pollAll, which polls everyone at once). */
export function benchPoller(store: OpenedDatabase, baseUrl: string, concurrency: number): BenchPoller {
  let outcomes: PollOutcome[] = [];
  let lastOk = 0;
  const poller = new Poller({
    db: store.db,
    fetchMerchant: createUpstreamClient({ baseUrl, timeoutMs: BENCH_HTTP_TIMEOUT_MS }),
    intervalMs: DEFAULT_POLL_INTERVAL_MS,
    concurrency,
    log: pino({ level: "silent" }),
    onOutcome: (o) => {
      if (o.kind === "ok") lastOk = performance.now();
      outcomes.push(o);
    },
    onCycleEnd: store.optimize,
  });
  return {
    poller,
    take() {
      const out = outcomes;
      outcomes = [];
      const failed = out.find((o) => o.kind === "failed");
      if (failed?.kind === "failed") throw new Error(`poll of ${failed.merchantId} failed: ${failed.error}`);
      return out;
    },
    lastOkAt: () => lastOk,
  };
}

export function rowsPerSecond(rows: number, ms: number): number {
  return rows / (ms / 1000);
}
