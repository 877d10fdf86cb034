/**
 * Whether the writer's writes are failing for a reason of the storage itself (a full disk, an I/O
 * error, a read-only or damaged file), as opposed to a bug: operators see it in /v1/health, in the log
 * and in merchants' last_error. Reads go on meanwhile (the read connection needs no free space).
 */

/** The storage's trouble: SQLite's or PostgreSQL's words and code, since when, and the latest failure. */
export interface WriteFailure {
  /** e.g. "database or disk is full (SQLITE_FULL)". */
  error: string;
  since: number;
  at: number;
}

/** SQLite's primary codes that say the storage failed, not the statement (better-sqlite3's `code`). */
const STORAGE_CODES =
  /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|NOMEM|PERM|NOLFS|PROTOCOL)/;

/**
 * PostgreSQL's SQLSTATEs that say the database, not the statement, failed: connection exceptions (08),
 * insufficient resources (53: disk full, out of memory, too many connections), operator intervention
 * (57P01-57P05: shut down, restarting, cannot connect now), system errors (58: I/O), corrupt data
 * (XX001, XX002) and a read-only (standby) server (25006).
 */
const POSTGRES_CODES = /^(08...|53...|57P0[1-5]|58...|XX00[12]|25006)$/;
/** The socket's errors on the way to PostgreSQL (node's `code`): it is down or unreachable. */
const SOCKET_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)$/;
/** pg's own words, with no code, when a connection ends or cannot be had in time. */
const POOL_WORDS =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The storage's failure in operators' words, or undefined for any other error. */
export function describeStorageFailure(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (STORAGE_CODES.test(code) || POSTGRES_CODES.test(code) || SOCKET_CODES.test(code))
  )
    return `${e.message} (${code})`;
  if (code === undefined && POOL_WORDS.test(e.message)) return `${e.message} (PostgreSQL unreachable)`;
  return undefined;
}

/**
 * A write that adds sales needs new pages; one that updates rows in place (a poll's state, the
 * record of a failure, an operator's change) mostly does not. On a nearly full disk the second kind
 * succeeds while the first fails, so only a write that added sales clears a failure to add them:
 * otherwise the failure's own record, written right after it, would report the storage healthy.
 */
export class WriteHealth {
  #adding: WriteFailure | undefined;
  #other: WriteFailure | undefined;
  /** Told whenever a failure is noted or cleared. */
  onChange: ((failure: WriteFailure | undefined) => void) | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** The latest failure not cleared yet, since the first of them; undefined while writes succeed. */
  get failure(): WriteFailure | undefined {
    const [a, b] = [this.#adding, this.#other];
    if (!a || !b) return a ?? b;
    return { ...(a.at >= b.at ? a : b), since: Math.min(a.since, b.since) };
  }

  /** A write failed (only the storage's failures count); `addedSales`: it was adding sales. */
  failed(e: unknown, addedSales: boolean): void {
    const error = describeStorageFailure(e);
    if (error === undefined) return;
    const at = this.now();
    const since = (addedSales ? this.#adding : this.#other)?.since ?? at;
    if (addedSales) this.#adding = { error, since, at };
    else this.#other = { error, since, at };
    this.onChange?.(this.failure);
  }

  succeeded(addedSales: boolean): void {
    if (!this.#other && !(addedSales && this.#adding)) return;
    this.#other = undefined;
    if (addedSales) this.#adding = undefined;
    this.onChange?.(this.failure);
  }

  /**
   * Runs one write and notes how it went; `addedSales` is asked afterwards (the write knows by then
   * whether it had new sales to add), on success with its result.
   */
  async track<T>(write: () => Promise<T>, addedSales: (result?: T) => boolean = () => false): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (e) {
      this.failed(e, addedSales());
      throw e;
    }
    this.succeeded(addedSales(result));
    return result;
  }
}
