import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;

const handles = new WeakMap<Kysely<Database>, BetterSqlite3.Database>();

/**
 * The SQLite connection under a Kysely instance, for the one place where Kysely's per-query compile
 * and prepare cost more than the insert itself: storing a poll's sales row by row with statements
 * prepared once (see ingest.ts). A PostgreSQL port would use multi-row inserts or COPY there instead.
 */
export function sqliteConnection(db: Kysely<Database>): BetterSqlite3.Database {
  const handle = handles.get(db);
  if (!handle) throw new Error("not a database opened by openDatabase()");
  return handle;
}

export interface OpenedDatabase {
  db: Db;
  /** Refresh planner statistics; cheap when nothing changed. Without them SQLite skips the sale_date index. */
  optimize(): void;
  close(): Promise<void>;
}

export async function openDatabase(path: string): Promise<OpenedDatabase> {
  const sqlite = new BetterSqlite3(path);
  // WAL lets reads run beside the ingest writer; NORMAL sync is crash-safe for the process, and a
  // power cut can only lose sales that the next poll fetches again (upstream returns the whole history).
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  // 4 MiB of page cache (default 2): with many merchants interleaving by date, index inserts land on
  // pages all over the sale_date index and a small cache turns each into a read; more costs resident
  // memory the service's budget (150 MB with 2,000 streams) does not have.
  sqlite.pragma("cache_size = -4096");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  handles.set(db, sqlite);
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  // Statistics from a sample of each index: enough for the planner to pick the sale_date index, and
  // ANALYZE then takes milliseconds instead of reading ten million sales at start-up.
  sqlite.pragma("analysis_limit = 1000");
  // 0x10002: analyse any table that has never been analysed, so a database opened for the first time
  // after a bulk load gets statistics before the first windowed query.
  sqlite.pragma("optimize = 0x10002");
  let closed = false;
  return {
    db,
    optimize: () => {
      if (!closed) sqlite.pragma("optimize");
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/**
 * A second connection to the database file that can only read: dashboard reads run on it beside the
 * writer, and with WAL they see the last committed state and never wait for a poll being stored.
 */
export function openReadConnection(path: string): { db: Db; close(): Promise<void> } {
  const sqlite = new BetterSqlite3(path, { fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  // A bug that tried to write here fails instead of competing with the writer.
  sqlite.pragma("query_only = ON");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}
