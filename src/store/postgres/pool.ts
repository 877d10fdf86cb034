import pg from "pg";

/** PostgreSQL's type ids whose text the pool turns into numbers (pg's own list, `pg.types.builtins`). */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * bigint and numeric arrive as strings by default, since they can exceed 2^53. Ours never do (sats
 * and epoch milliseconds), and the API answers numbers, as SQLite's driver gives them: a count, a sum
 * of sats (numeric in PostgreSQL) or a stored id becomes a number. Parsed per pool, not through pg's
 * global table, so nothing else in the process changes.
 */
const numbers = new pg.TypeOverrides();
numbers.setTypeParser(INT8, Number);
numbers.setTypeParser(NUMERIC, Number);

export interface PoolOptions {
  /** Connections this pool may open; each instance has its own pool. */
  max: number;
  /** Name shown in pg_stat_activity, so an operator can tell the instances' connections apart. */
  applicationName: string;
}

/**
 * A pool on DATABASE_URL. Every connection works in UTC (stored times are epoch milliseconds, but
 * nothing may depend on the server's zone) and gives up on a connection attempt after a few seconds
 * instead of waiting for the operating system's TCP timeout while PostgreSQL is unreachable.
 */
export function createPool(url: string, opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    types: numbers,
    max: opts.max,
    application_name: opts.applicationName,
    options: "-c TimeZone=UTC",
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle connection that breaks (PostgreSQL restarted) emits here; unhandled, it would end the
  // process. The pool drops it and the next query opens a new one.
  pool.on("error", () => {});
  // A connection checked out of the pool (inside a transaction, between two statements) has no such
  // listener: PostgreSQL killed or restarted then made it emit an unhandled "error" and end the process
  // (test/postgres-restart.test.ts). Its next query fails instead, which the caller handles.
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
