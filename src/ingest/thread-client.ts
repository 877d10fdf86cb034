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
  const { ingest, ready } = spawnIngestThread(opts);
  await ready;
  return ingest;
}

/**
 * The same, without waiting: `ready` settles as startIngestThread would, and the calls work once it
 * has resolved. The service builds its HTTP app meanwhile, on the other core (README, Start-up).
 */
export function spawnIngestThread(opts: IngestThreadOptions): { ingest: IngestThread; ready: Promise<void> } {
  const thread = new ThreadHandle(opts);
  const ready = thread.spawn();
  const ingest: IngestThread = {
    store: {
      read: (name, args) => thread.call("read", { name, args }) as never,
      change: (name, args) => thread.call("change", { name, args }) as never,
    },
    startPolling: () => thread.startPolling(),
    refetch: (merchantId) => thread.call("refetch", merchantId),
    storeWebhookSale: (sale) => thread.call("webhookSale", sale),
    hint: (merchantId, hint) => thread.call("hint", { merchantId, hint }),
    stop: () => thread.stop(),
  };
  return { ingest, ready };
}

/** The current ingest thread, its replacement when it dies, and the calls waiting on it. */
class ThreadHandle {
  private readonly calls = new CallClient<IngestCalls>();
  private polling = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private current: Worker | undefined;
  private stopped: (() => void) | undefined;

  constructor(private readonly opts: IngestThreadOptions) {}

  /** Starts a thread; resolves when its database is open, rejects with why it could not be. */
  spawn(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = newWorker(this.opts);
      let ready = false;
      worker.on("message", (m: FromIngestThread) => {
        if (this.calls.take(m) || !("kind" in m)) return;
        if (m.kind === "ready") {
          ready = true;
          // A replacement thread starts with no failed write; one that fails again reports it.
          this.opts.onStorage?.(undefined);
          this.adopt(worker);
          resolve();
        } else if (m.kind === "failed") {
          reject(new Error(`cannot open the database ${this.opts.config.dbPath}: ${m.error}`));
        } else if (m.kind === "stopped") this.stopped?.();
        else forwardEvent(m, this.opts);
      });
      worker.on("error", (e) => {
        if (!ready) reject(e);
        else this.opts.log.error({ err: e }, "ingest thread crashed");
      });
      worker.on("exit", (code) => {
        if (this.current === worker) this.current = undefined;
        this.calls.failAll(new Error("the ingest thread stopped"));
        this.stopped?.();
        if (!ready) reject(new Error(`the ingest thread exited during start-up (code ${code})`));
        else if (!this.stopping) {
          this.opts.log.error(`ingest thread exited (code ${code}); starting a new one`);
          this.scheduleRestart();
        }
      });
    });
  }

  call<N extends keyof IngestCalls & string>(name: N, args: CallArgs<IngestCalls, N>) {
    if (this.stopping) return Promise.reject(new Error("the ingest thread is stopping"));
    if (!this.current) return Promise.reject(new Error("the ingest thread is restarting; try again"));
    return this.calls.call(this.post, name, args);
  }

  startPolling(): void {
    this.polling = true;
    this.post({ kind: "startPolling" });
  }

  /** Stops polling (polls in flight are cancelled), closes the database and ends the thread. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.current;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      this.stopped = resolve;
      worker.postMessage({ kind: "stop" } satisfies ToIngestThread);
    });
    // The thread has closed the database and its port; make sure it is gone before returning.
    await worker.terminate();
  }

  private readonly post = (m: ToIngestThread) => this.current?.postMessage(m);

  private adopt(worker: Worker): void {
    if (this.stopping) {
      // A replacement that came up while the service was stopping: nothing to keep it for.
      void worker.terminate();
      return;
    }
    this.current = worker;
    if (this.polling) this.post({ kind: "startPolling" });
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawn().catch((e: unknown) => {
        this.opts.log.error({ err: e }, "ingest thread could not be restarted; trying again");
        this.scheduleRestart();
      });
    }, this.opts.restartDelayMs ?? 1000);
  }
}

/** What the thread reports of its own accord, passed to whoever listens. */
function forwardEvent(m: FromIngestThread, events: IngestEvents): void {
  if (!("kind" in m)) return;
  if (m.kind === "outcome") {
    events.onOutcome?.(m.outcome);
    events.onUpstreamBytes?.(m.upstreamBytes);
  } else if (m.kind === "change") events.onChange?.();
  else if (m.kind === "summary") events.onSummary?.(m.summary);
  else if (m.kind === "storage") events.onStorage?.(m.failure);
  else if (m.kind === "webhookSale") events.onWebhookSale?.(m.result);
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
    // thread's 128 MB: bodies up to 8 MiB are held whole while they are parsed, several at once (a
    // longer history is parsed as it streams, upstream/response-body.ts).
    resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: heapLimitMb },
  });
}

/** Copies only what the thread uses: the admin token and the rest of the configuration stay here. */
function threadConfig(c: IngestThreadConfig): IngestThreadConfig {
  return {
    dbPath: c.dbPath,
    databaseUrl: c.databaseUrl,
    sourceBaseUrl: c.sourceBaseUrl,
    httpTimeoutMs: c.httpTimeoutMs,
    maxUpstreamBytes: c.maxUpstreamBytes,
    pollIntervalMs: c.pollIntervalMs,
    pollConcurrency: c.pollConcurrency,
    rateWindowMs: c.rateWindowMs,
    logLevel: c.logLevel,
    logFormat: c.logFormat,
    webhookTimeoutMs: c.webhookTimeoutMs,
    webhookRetryBaseMs: c.webhookRetryBaseMs,
    webhookRetryCapMs: c.webhookRetryCapMs,
    webhookMaxAttempts: c.webhookMaxAttempts,
    instanceId: c.instanceId,
  };
}
