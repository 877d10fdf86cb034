import { describeStorageFailure } from "../store/write-health.js";

export interface ReadCacheOptions {
  /**
   * How old a cached answer may be and still be sent at once. 0 turns caching off: every request reads
   * the database (tests that check a read right after a write use that).
   */
  maxStaleMs: number;
  /**
   * While a refresh is under way, the answer it replaces is still sent up to this age (default
   * `maxStaleMs`): a refresh that takes longer than `maxStaleMs - refreshAfterMs` (the 1h product
   * leaderboard at 10M sales in the hour: about 1 s on a busy machine) would otherwise leave a gap in
   * which every request waits for it (p99 513 ms in the full benchmark of 2026-12-02).
   */
  maxStaleWhileRefreshingMs?: number;
  /** An answer older than this, or computed before the last change, is refreshed in the background. */
  refreshAfterMs: number;
  /**
   * An answer younger than this is not refreshed even after a change. Under constant ingest a change
   * lands every few dozen ms; without a floor each query would be recomputed after every one of them,
   * and a windowed leaderboard costs milliseconds of the database thread each time.
   */
  minRefreshMs?: number;
  /** Distinct queries kept; the least recently refreshed goes first. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value?: unknown;
  /**
   * When `value` became available. Counted from the end, not the start, of its computation: a query
   * slower than `maxStaleMs` (a 1h product leaderboard at 10M sales in the hour took 1.5 s in the full
   * benchmark of 2026-12-02) would otherwise never be fresh when it lands, and every request would wait
   * for the next one. The data is then at most its computation's duration older than its age.
   */
  at: number;
  version: number;
  pending?: Promise<unknown> | undefined;
  /** The version `pending` started at. */
  pendingVersion?: number;
  /** The pending computation was started while `value` was fresh, by a request that did not wait for it. */
  inBackground?: boolean;
}

/**
 * Dashboard reads are asked by every screen every few seconds and change only when a poll stores
 * something. Answers are kept per query and sent at once while younger than `maxStaleMs`; a change
 * (`invalidate`) or age starts one background refresh, so under constant ingest each query is
 * computed at most once per `minRefreshMs`, not once per request or per poll, and no request waits for
 * the database.
 * Concurrent misses for one query share a single computation.
 */
export class ReadCache {
  private version = 0;
  /** The version of the last operator's change: answers computed before it are never sent again. */
  private mustSee = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  /** Answers sent from the cache, and those that waited for a computation (the metrics read both). */
  hits = 0;
  misses = 0;
  /** Answers sent from before a storage failure because no fresh one could be read. */
  servedStale = 0;

  constructor(private readonly opts: ReadCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Something a dashboard shows has changed: cached answers refresh on their next request. */
  invalidate(): void {
    this.version++;
  }

  /**
   * An operator's change has been made: no answer computed before it is sent after it, so whoever made
   * it never sees it undone. The next request for each query waits for a fresh answer.
   */
  invalidateNow(): void {
    this.version++;
    this.mustSee = this.version;
  }

  /**
   * The answer for `key`: a fresh one is returned as it is, not wrapped in a promise, so a cached read
   * is answered in the same turn of the event loop (most requests are exactly that).
   */
  get<T>(key: string, compute: () => Promise<T>): T | Promise<T> {
    if (this.opts.maxStaleMs <= 0) {
      this.misses++;
      return compute();
    }
    const entry = this.entries.get(key);
    const t = this.now();
    const age = entry ? t - entry.at : Number.POSITIVE_INFINITY;
    const sendable =
      age < this.opts.maxStaleMs ||
      (entry?.inBackground === true && age < (this.opts.maxStaleWhileRefreshingMs ?? this.opts.maxStaleMs));
    if (entry && "value" in entry && sendable && entry.version >= this.mustSee) {
      const outdated =
        age >= this.opts.refreshAfterMs ||
        (entry.version !== this.version && age >= (this.opts.minRefreshMs ?? 0));
      // A failed background refresh leaves the previous answer in place until it is too old.
      if (outdated && !entry.pending) {
        entry.inBackground = true;
        this.refresh(key, entry, compute).catch(() => {});
      }
      this.hits++;
      return entry.value as T;
    }
    this.misses++;
    const fresh =
      entry?.pending && (entry.pendingVersion ?? 0) >= this.mustSee
        ? (entry.pending as Promise<T>)
        : this.refresh(key, entry ?? this.add(key, t), compute);
    return entry && "value" in entry ? fresh.catch((e: unknown) => this.lastKnown(entry, e) as T) : fresh;
  }

  /**
   * While the database cannot be read (PostgreSQL down, write-health.ts's storage failures), the last
   * answer is sent however old: screens keep their figures, and tell they are stale by its times and
   * by /v1/health. Any other failure (a bug) is not hidden behind an old answer.
   */
  private lastKnown(entry: Entry, e: unknown): unknown {
    // Nor is an answer from before an operator's change: that would show the change undone.
    if (describeStorageFailure(e) === undefined || entry.version < this.mustSee) throw e;
    this.servedStale++;
    return entry.value;
  }

  private add(key: string, at: number): Entry {
    const entry: Entry = { at, version: -1 };
    this.entries.set(key, entry);
    const max = this.opts.maxEntries ?? 1000;
    if (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry;
  }

  private refresh<T>(key: string, entry: Entry, compute: () => Promise<T>): Promise<T> {
    const version = this.version;
    const pending = compute().then(
      (value) => {
        // A computation overtaken by a later one (started after an operator's change) keeps out of its way.
        if (version < entry.version) return value;
        entry.value = value;
        entry.at = this.now();
        entry.version = version;
        if (entry.pending === pending) {
          entry.pending = undefined;
          entry.inBackground = false;
        }
        // Re-inserting keeps the map ordered by last refresh, which is what eviction drops first.
        this.entries.delete(key);
        this.entries.set(key, entry);
        return value;
      },
      (e: unknown) => {
        if (entry.pending === pending) {
          entry.pending = undefined;
          entry.inBackground = false;
        }
        throw e;
      },
    );
    entry.pending = pending;
    entry.pendingVersion = version;
    return pending;
  }
}
