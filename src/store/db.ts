import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
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
