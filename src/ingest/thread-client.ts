import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { FastifyBaseLogger } from "fastify";
import { type CallArgs, CallClient } from "./rpc.js";
import type { Ingest, IngestEvents } from "./runtime.js";
import type { FromIngestThread, IngestCalls, IngestThreadConfig, ToIngestThread } from "./thread-protocol.js";

const THREAD_HEAP_LIMIT_MB = 4096;

export interface IngestThreadOptions extends IngestEvents {
  config: IngestThreadConfig;
  log: FastifyBaseLogger;
  /** Wait before replacing a thread that died (tests shorten it). */
  restartDelayMs?: number;
  /** The thread's heap limit in MB (4 GB when absent; tests lower it to see a thread die and come back). */
  heapLimitMb?: number;
}

/** Ingest on its own thread: the same calls as in-thread ingest, each one message away. */
export type IngestThread = Ingest;

/**
 * Starts the ingest thread (ingest/thread.ts) and talks to it. Resolves once the database is open and
 * migrated; rejects with the reason when it cannot be. A thread that dies later (a bug, memory) is
 * logged and replaced: calls in flight at that moment fail, sales are safe (each poll is one
 * transaction and a re-poll stores nothing twice), and polling resumes if it was running.
 */
export async function startIngestThread(opts: IngestThreadOptions): Promise<IngestThread> {
  const { log } = opts;
  const calls = new CallClient<IngestCalls>();
  let polling = false;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let current: Worker | undefined;
  let stopped: (() => void) | undefined;

  const spawn = (): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      const worker = newWorker(opts);
      let ready = false;
      worker.on("message", (m: FromIngestThread) => {
        if (calls.take(m) || !("kind" in m)) return;
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
          case "outcome":
            opts.onOutcome?.(m.outcome);
            return;
          case "change":
            opts.onChange?.();
            return;
          case "summary":
            opts.onSummary?.(m.summary);
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
        calls.failAll(new Error("the ingest thread stopped"));
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

  const call = <N extends keyof IngestCalls & string>(name: N, args: CallArgs<IngestCalls, N>) => {
    if (stopping) return Promise.reject(new Error("the ingest thread is stopping"));
    if (!current) return Promise.reject(new Error("the ingest thread is restarting; try again"));
    return calls.call(post, name, args);
  };

  await spawn();

  return {
    store: {
      read: (name, args) => call("read", { name, args }) as never,
      change: (name, args) => call("change", { name, args }) as never,
    },
    startPolling() {
      polling = true;
      post({ kind: "startPolling" });
    },
    refetch: (merchantId) => call("refetch", merchantId),
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

function newWorker(opts: IngestThreadOptions): Worker {
  const heapLimitMb = opts.heapLimitMb ?? THREAD_HEAP_LIMIT_MB;
  // A --max-old-space-size on the command line (the HTTP thread's 128 MB, server-flags.ts) would
  // override resourceLimits for every thread. Isolates read it when they are created, so setting it
  // here changes this thread's limit and leaves the running HTTP thread's as it was.
  setFlagsFromString(`--max-old-space-size=${heapLimitMb}`);
  return new Worker(new URL("./thread.js", import.meta.url), {
    workerData: threadConfig(opts.config),
    // Polls allocate briefly (a body, its parse) and keep little: a small young generation keeps the
    // thread's share of resident memory small. The old generation gets its own limit, not the HTTP
    // thread's 128 MB: a first poll of a million-sale history (~340 MB of JSON) is held whole while
    // it is parsed.
    resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: heapLimitMb },
  });
}

/** Copies only what the thread uses: the admin token and the rest of the configuration stay here. */
function threadConfig(c: IngestThreadConfig): IngestThreadConfig {
  return {
    dbPath: c.dbPath,
    sourceBaseUrl: c.sourceBaseUrl,
    httpTimeoutMs: c.httpTimeoutMs,
    pollIntervalMs: c.pollIntervalMs,
    pollConcurrency: c.pollConcurrency,
    rateWindowMs: c.rateWindowMs,
    logLevel: c.logLevel,
    logFormat: c.logFormat,
  };
}
