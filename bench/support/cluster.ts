/**
 * Several instances of the service (the real build, each its own process, as support/server.ts starts
 * one) on one fresh database of the run's PostgreSQL cluster, polling one mock upstream child, as the
 * multi-instance demo runs them (src/demo/multi-cli.ts): the cluster-push and failover sections. The
 * mock's merchants are registered through the first instance's admin API, as an operator would. A
 * small pool of the bench's own reads what the instances wrote (leases, sales) to judge them.
 */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { type MockChild, type MockChildOptions, startMockChild } from "./mock.js";
import type { BenchPostgres } from "./postgres.js";
import { type LogScan, type ServerProcess, scanLog, startServer } from "./server.js";

export interface ClusterOptions {
  postgres: BenchPostgres;
  instances: number;
  mock: MockChildOptions;
  /** More environment for every instance (POLL_INTERVAL, HTTP_TIMEOUT, ...). */
  env: Record<string, string>;
  log: (m: string) => void;
}

export interface BenchCluster {
  instances: ServerProcess[];
  mock: MockChild;
  /** The bench's own connections to the instances' database. */
  db: pg.Pool;
  /** Warnings and errors the instances logged so far, all together. */
  errors(): Promise<LogScan>;
  close(): Promise<void>;
}

/** Registrations in flight at once: enough to be quick, few enough not to look like a load test. */
const REGISTER_CONCURRENCY = 8;

export async function startCluster(opts: ClusterOptions): Promise<BenchCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "live-pos-bench-cluster-"));
  const running: { mock?: MockChild; instances: ServerProcess[]; db?: pg.Pool; drop?: () => Promise<void> } =
    { instances: [] };
  const close = async () => {
    await Promise.all(running.instances.map((s) => s.stop()));
    await running.mock?.stop();
    await running.db?.end();
    await running.drop?.();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const database = await opts.postgres.freshDatabase();
    running.drop = database.drop;
    running.db = new pg.Pool({ connectionString: database.url, max: 2 });
    const mock = await startMockChild(opts.mock);
    running.mock = mock;
    // Side by side, as a deployment starts them: the migrations take a lock, the others wait for it.
    const starting = Array.from({ length: opts.instances }, (_, i) =>
      startServer({
        // Unused on PostgreSQL; a path of its own all the same.
        dbPath: path.join(dir, `unused-${i}.db`),
        sourceBaseUrl: mock.url,
        dir,
        env: { DATABASE_URL: database.url, ...opts.env },
      }).then((s) => {
        running.instances.push(s);
        return s;
      }),
    );
    const instances = await Promise.all(starting);
    opts.log(
      `${instances.length} instances on PostgreSQL up (pids ${instances.map((s) => s.pid).join(", ")}), mock upstream pid ${mock.pid}`,
    );
    await registerMerchants(instances[0] as ServerProcess, mock);
    return {
      instances,
      mock,
      db: running.db,
      errors: async () => {
        const all: LogScan = { problemCount: 0, problems: [] };
        for (const s of instances) {
          const one = await scanLog(s.logFile);
          all.problemCount += one.problemCount;
          all.problems.push(...one.problems);
        }
        return all;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function registerMerchants(server: ServerProcess, mock: MockChild): Promise<void> {
  const queue = [...mock.merchants];
  const worker = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const res = await fetch(`${server.url}/v1/admin/merchants`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ id: m.id, public_key: m.publicKey, alias: m.id }),
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`registering ${m.id}: HTTP ${res.status} ${body}`);
    }
  };
  await Promise.all(Array.from({ length: REGISTER_CONCURRENCY }, worker));
}

/** Waits (bounded) until every merchant's lease row says it was polled once; returns how long it took. */
export async function firstPolls(cluster: BenchCluster, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const want = cluster.mock.merchants.length;
  while (performance.now() - started < timeoutMs) {
    const { rows } = await cluster.db.query<{ n: string }>(
      "select count(*) as n from poll_leases where next_poll_at > 0",
    );
    if (Number(rows[0]?.n) >= want) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - started;
}

/** The instance a lease owner names (instance ids carry the process id, cluster/instance-id.ts). */
export function ownerPid(owner: string): number | undefined {
  const m = /-(\d+)-[0-9a-f]+$/.exec(owner);
  return m ? Number(m[1]) : undefined;
}

/** Quantile q of xs (nearest rank), NaN when empty. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/** One successful poll as the instance logged it (ingest/poll-log.ts): when it ended, what it stored. */
export interface PollCompletion {
  merchantId: string;
  /** Epoch ms of the log line, written just after the poll's transaction committed. */
  at: number;
  newTx: number;
}

/** The "poll complete" lines of these merchants in one instance's log. */
export async function pollCompletions(logFile: string, merchants: Set<string>): Promise<PollCompletion[]> {
  const out: PollCompletion[] = [];
  const lines = createInterface({ input: createReadStream(logFile, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.includes("poll complete")) continue;
    const entry = JSON.parse(line) as { time: number | string; merchant_id?: string; new_tx?: number };
    if (entry.merchant_id === undefined || !merchants.has(entry.merchant_id)) continue;
    const at = typeof entry.time === "number" ? entry.time : Date.parse(entry.time);
    out.push({ merchantId: entry.merchant_id, at, newTx: entry.new_tx ?? 0 });
  }
  return out;
}

/** Who stored a measured sale (the instance's index), and when it logged that poll (epoch ms). */
export interface Committer {
  instance: number;
  loggedAt: number;
}

/**
 * Per sale (its merchant and the Date.now() just before it was added upstream), the instance whose
 * logged polls of that merchant stored something within `windowMs` after: the one that stored it.
 * Undefined when the logs cannot tell: both instances stored something of that merchant then (a live
 * sale of the same merchant, say), or neither did.
 */
export async function committersFromLogs(
  logFiles: string[],
  sales: { merchantId: string; addedAt: number }[],
  windowMs: number,
): Promise<(Committer | undefined)[]> {
  const merchants = new Set(sales.map((m) => m.merchantId));
  const polls = await Promise.all(logFiles.map((f) => pollCompletions(f, merchants)));
  return sales.map((m) => {
    const storing = polls.map((list) =>
      list.find(
        (p) =>
          p.merchantId === m.merchantId && p.newTx > 0 && p.at >= m.addedAt && p.at <= m.addedAt + windowMs,
      ),
    );
    const found = storing.filter((p) => p !== undefined);
    const first = found[0];
    return found.length === 1 && first ? { instance: storing.indexOf(first), loggedAt: first.at } : undefined;
  });
}
