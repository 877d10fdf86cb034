import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { FastifyBaseLogger } from "fastify";
import type { StoreAccess } from "../store/access.js";
import type { PollOutcome } from "./poller.js";
import type { FromIngestThread, IngestThreadConfig, ToIngestThread } from "./thread-protocol.js";

const THREAD_HEAP_LIMIT_MB = 4096;

export interface IngestThreadOptions {
  config: IngestThreadConfig;
  log: FastifyBaseLogger;
  /** Told about every finished poll, on the calling thread. */
  onOutcome: (outcome: PollOutcome) => void;
  /** Wait before replacing a thread that died (tests shorten it). */
  restartDelayMs?: number;
  /** The thread's heap limit in MB (4 GB when absent; tests lower it to see a thread die and come back). */
  heapLimitMb?: number;
}

export interface IngestThread {
  /** Reads and operators' changes, answered by the thread that owns the database. */
  store: StoreAccess;
  startPolling(): void;
  /** Polls one merchant now; resolves false (and polls nothing) when there is no such merchant. */
  refetch(merchantId: string): Promise<boolean>;
  /** Stops polling (polls in flight get the poller's grace), closes the database and ends the thread. */
  stop(): Promise<void>;
}

interface Pending {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

/**
 * Starts the ingest thread (ingest/thread.ts) and talks to it. Resolves once the database is open and
 * migrated; rejects with the reason when it cannot be. A thread that dies later (a bug, memory) is
 * logged and replaced: calls in flight at that moment fail, sales are safe (each poll is one
 * transaction and a re-poll stores nothing twice), and polling resumes if it was running.
 */
export async function startIngestThread(opts: IngestThreadOptions): Promise<IngestThread> {
  const { log } = opts;
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let polling = false;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let current: Worker | undefined;
  let stopped: (() => void) | undefined;

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const spawn = (): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      const heapLimitMb = opts.heapLimitMb ?? THREAD_HEAP_LIMIT_MB;
      // A --max-old-space-size on the command line (the HTTP thread's 128 MB, server-flags.ts) would
      // override resourceLimits for every thread. Isolates read it when they are created, so setting it
      // here changes this thread's limit and leaves the running HTTP thread's as it was.
      setFlagsFromString(`--max-old-space-size=${heapLimitMb}`);
      const worker = new Worker(new URL("./thread.js", import.meta.url), {
        workerData: threadConfig(opts.config),
        // Polls allocate briefly (a body, its parse) and keep little: a small young generation keeps the
        // thread's share of resident memory small. The old generation gets its own limit, not the HTTP
        // thread's 128 MB: a first poll of a million-sale history (~340 MB of JSON) is held whole while
        // it is parsed.
        resourceLimits: {
          maxYoungGenerationSizeMb: 4,
          maxOldGenerationSizeMb: heapLimitMb,
        },
      });
      let ready = false;
      worker.on("message", (m: FromIngestThread) => {
        switch (m.kind) {
          case "ready":
            ready = true;
            if (stopping) {
              // A replacement that came up while the service was stopping: nothing to keep it for.
              void worker.terminate();
              resolve(worker);
              return;
            }
            current = worker;
            if (polling) post({ kind: "startPolling" });
            resolve(worker);
            return;
          case "failed":
            reject(new Error(`cannot open the database ${opts.config.dbPath}: ${m.error}`));
            return;
          case "result":
          case "error": {
            const p = pending.get(m.id);
            pending.delete(m.id);
            if (!p) return;
            if (m.kind === "result") p.resolve(m.result as never);
            else p.reject(new Error(m.error));
            return;
          }
          case "outcome":
            opts.onOutcome(m.outcome);
            return;
          case "stopped":
            stopped?.();
            return;
        }
      });
      worker.on("error", (e) => {
        if (!ready) reject(e);
        else log.error({ err: e }, "ingest thread crashed");
      });
      worker.on("exit", (code) => {
        if (current === worker) current = undefined;
        failAll(new Error("the ingest thread stopped"));
        stopped?.();
        if (!ready) {
          reject(new Error(`the ingest thread exited during start-up (code ${code})`));
          return;
        }
        if (stopping) return;
        log.error(`ingest thread exited (code ${code}); starting a new one`);
        scheduleRestart();
      });
    });

  const scheduleRestart = () => {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      spawn().catch((e: unknown) => {
        log.error({ err: e }, "ingest thread could not be restarted; trying again");
        scheduleRestart();
      });
    }, opts.restartDelayMs ?? 1000);
  };

  const post = (m: ToIngestThread) => current?.postMessage(m);

  const call = <T>(message: (id: number) => ToIngestThread): Promise<T> => {
    if (stopping) return Promise.reject(new Error("the ingest thread is stopping"));
    if (!current) return Promise.reject(new Error("the ingest thread is restarting; try again"));
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: never) => void, reject });
      post(message(id));
    });
  };

  await spawn();

  return {
    store: {
      read: (name, args) => call((id) => ({ kind: "read", id, name, args })),
      change: (name, args) => call((id) => ({ kind: "change", id, name, args })),
    },
    startPolling() {
      polling = true;
      post({ kind: "startPolling" });
    },
    refetch: (merchantId) => call((id) => ({ kind: "refetch", id, merchantId })),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(restartTimer);
      const worker = current;
      if (!worker) return;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        worker.postMessage({ kind: "stop" } satisfies ToIngestThread);
      });
      // The thread has closed the database and its port; make sure it is gone before returning.
      await worker.terminate();
    },
  };
}

/** Copies only what the thread uses: the admin token and the rest of the configuration stay here. */
function threadConfig(c: IngestThreadConfig): IngestThreadConfig {
  return {
    dbPath: c.dbPath,
    sourceBaseUrl: c.sourceBaseUrl,
    httpTimeoutMs: c.httpTimeoutMs,
    pollIntervalMs: c.pollIntervalMs,
    pollConcurrency: c.pollConcurrency,
    logLevel: c.logLevel,
    logFormat: c.logFormat,
  };
}
