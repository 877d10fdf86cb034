import { Worker } from "node:worker_threads";
import { getMerchantLeaderboard, getProductLeaderboard, getSummary, getTicker } from "./dashboard.js";
import type { Db } from "./db.js";
import { listTriggers } from "./milestones.js";
import { getTimeseries } from "./timeseries.js";

/** Every read a dashboard makes, by name, so it can run on the reader worker's own connection. */
export const READS = {
  summary: getSummary,
  ticker: (db: Db, args: { limit: number }) => getTicker(db, args.limit),
  merchantLeaderboard: getMerchantLeaderboard,
  productLeaderboard: getProductLeaderboard,
  triggers: listTriggers,
  timeseries: getTimeseries,
};
export type ReadName = keyof typeof READS;
export type ReadArgs<N extends ReadName> = Parameters<(typeof READS)[N]>[1];
export type ReadResult<N extends ReadName> = Awaited<ReturnType<(typeof READS)[N]>>;

export interface Reader {
  read<N extends ReadName>(name: N, args: ReadArgs<N>): Promise<ReadResult<N>>;
  close(): Promise<void>;
}

export function runRead<N extends ReadName>(db: Db, name: N, args: ReadArgs<N>): Promise<ReadResult<N>> {
  const query = READS[name] as (db: Db, args: ReadArgs<N>) => Promise<ReadResult<N>>;
  return query(db, args);
}

/** Reads on the caller's connection and thread: for `:memory:` databases (tests), which one connection holds. */
export function inlineReader(db: Db): Reader {
  return { read: (name, args) => runRead(db, name, args), close: async () => {} };
}

interface Pending {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

/**
 * Reads on a worker thread with its own read-only connection to the database file. SQLite's C code runs
 * synchronously, so a read that takes 20 ms on the main thread would hold every other request for 20 ms;
 * on the worker it holds nothing, and WAL lets it read the last committed state while ingest writes.
 * A worker that dies is replaced on the next read; reads in flight at that moment fail.
 */
export async function startReaderWorker(path: string): Promise<Reader> {
  let worker: Worker | undefined;
  let ready: Promise<Worker> | undefined;
  let closed = false;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const spawn = (): Promise<Worker> => {
    const w = new Worker(new URL("./reader-worker.js", import.meta.url), {
      workerData: { path },
      // The worker allocates little per read (rows of at most a few hundred): a small young generation
      // keeps its share of the service's resident memory small.
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 },
    });
    worker = w;
    const started = new Promise<Worker>((resolve, reject) => {
      w.once("message", (m: { ready?: boolean; error?: string }) =>
        m.ready ? resolve(w) : reject(new Error(`reader worker could not open the database: ${m.error}`)),
      );
      w.once("error", reject);
    });
    w.on("message", (m: { id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.error === undefined) p.resolve(m.result as never);
      else p.reject(new Error(m.error));
    });
    w.on("error", (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    w.on("exit", () => {
      if (worker === w) {
        worker = undefined;
        ready = undefined;
      }
      failAll(new Error("reader worker stopped"));
    });
    return started;
  };
  ready = spawn();
  await ready;

  return {
    async read<N extends ReadName>(name: N, args: ReadArgs<N>): Promise<ReadResult<N>> {
      if (closed) throw new Error("reader is closed");
      ready ??= spawn();
      const w = await ready;
      const id = ++nextId;
      return new Promise<ReadResult<N>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: never) => void, reject });
        w.postMessage({ id, name, args });
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
      failAll(new Error("reader is closed"));
    },
  };
}
