import { describeStorageFailure } from "../write-health.js";

export interface ReachOptions {
  /** Told of each failed attempt and the wait before the next (the service logs it). */
  onWait: (reason: string, retryInMs: number) => void;
  /** Ends the waiting (the service is told to stop): the last failure is thrown. */
  signal?: AbortSignal;
  random?: () => number;
}

/** The first retry waits this long, each later one twice as long, up to MAX_WAIT_MS. */
const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 30_000;

/**
 * Runs `open` until it succeeds while PostgreSQL is unreachable or not accepting connections yet (a
 * storage failure: write-health.ts), waiting longer each time, with jitter so instances started together
 * do not knock in step. An instance started before its database (a compose file, a reboot) then waits
 * for it instead of exiting and being restarted in a loop. Any other failure (a wrong password, no such
 * database, a failed migration) is thrown at once: waiting would not fix it, and the operator must hear.
 */
export async function whenReachable<T>(open: () => Promise<T>, opts: ReachOptions): Promise<T> {
  const random = opts.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      const reason = describeStorageFailure(e);
      if (reason === undefined || opts.signal?.aborted) throw e;
      const ceiling = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(attempt, 16));
      const wait = Math.round(ceiling * (0.5 + random() / 2));
      opts.onWait(reason, wait);
      await sleep(wait, opts.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
