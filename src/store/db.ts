import BetterSqlite3 from "better-sqlite3";
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  SqliteDialect,
  SqliteDriver,
} from "kysely";
import type { Announcer, News } from "./announce.js";
import { migrateToLatest } from "./migrations.js";
import { explainOpenFailure } from "./open-failure.js";
import type { PollWrites } from "./poll-seam.js";
import { preparePollStatements } from "./poll-statements.js";
import { PollTimeBuffer } from "./poll-time-buffer.js";
import type { Database } from "./schema.js";
import { SqlitePollWrites } from "./sqlite-poll-writes.js";
import { WriteHealth } from "./write-health.js";

/** Any connection, the writer or a read-only one: what reads take. */
export type Db = Kysely<Database>;

/** The ingest hot path's statements, bound to the transaction (or the writer itself) they run in. */
export type PollWritesOn = (on: Kysely<Database>) => PollWrites;

/**
 * The one writer, with what polls keep on it between calls: the engine's PollWrites (for SQLite,
 * statements prepared on the connection underneath, where Kysely's per-query compile and prepare cost
 * more than the insert itself) and the poll times of unchanged polls not written yet. Whatever writes
 * takes this, never a read connection, so the compiler rules out a write that would bypass the kept
 * poll times.
 */
export class WriterDb extends Kysely<Database> {
  readonly pollTimes = new PollTimeBuffer();
  /** Whether writes are failing for the storage's sake (a full disk); every write reports here. */
  readonly writeHealth = new WriteHealth();

  /**
   * `pollWrites(trx)` gives the poll path's writes inside the transaction `trx` (or on the writer
   * outside any, `pollWrites(db)`): an engine with a connection pool must run them on trx's connection.
   */
  constructor(
    dialect: Dialect,
    readonly pollWrites: PollWritesOn,
    private readonly announcer?: Announcer,
  ) {
    super({ dialect });
  }

  /**
   * Tells the other instances what `on` (a transaction, or the writer after a change) wrote: sent on
   * commit only (announce.ts). Nothing on SQLite, whose writer is the only one.
   */
  announce(on: Kysely<Database>, news: News): Promise<void> {
    return this.announcer ? this.announcer(on, news) : Promise.resolve();
  }
}

/** SQLite's PollWrites, prepared on first use: the tables they name exist only once the migrations have run. */
function sqlitePollWrites(sqlite: BetterSqlite3.Database): PollWritesOn {
  let writes: SqlitePollWrites | undefined;
  // One connection is every transaction's: the instance ignores which one it is asked for.
  return () => {
    writes ??= new SqlitePollWrites(preparePollStatements(sqlite));
    return writes;
  };
}

/**
 * On some failures (a full disk, an I/O error) SQLite rolls the transaction back itself. Kysely then
 * sends a ROLLBACK all the same, which fails with "cannot rollback - no transaction is active", and
 * that error replaced the one that mattered (SQLITE_FULL) in every log line and merchant's last_error.
 */
class WriterDialect extends SqliteDialect {
  constructor(private readonly sqlite: BetterSqlite3.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    const sqlite = this.sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: sqlite });
  }
}

export interface OpenedDatabase {
  db: WriterDb;
  /** Refresh planner statistics; cheap when nothing changed. Without them SQLite skips the sale_date index. */
  optimize(): void;
  close(): Promise<void>;
}

/** Each connection's page cache, 4 MiB (see openDatabase and openReadConnection). */
const PAGE_CACHE = "cache_size = -4096";

export async function openDatabase(path: string): Promise<OpenedDatabase> {
  let sqlite: BetterSqlite3.Database | undefined;
  try {
    sqlite = new BetterSqlite3(path);
    configureWriter(sqlite);
  } catch (e) {
    sqlite?.close();
    throw explainOpenFailure(path, e);
  }
  const db = new WriterDb(new WriterDialect(sqlite), sqlitePollWrites(sqlite));
  try {
    // Migrations are written against no particular schema (each sees the tables of its time).
    await migrateToLatest(db as Db as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw explainOpenFailure(path, e);
  }
  // Statistics from a sample of each index: enough for the planner to pick the sale_date index, and
  // ANALYZE then takes milliseconds instead of reading ten million sales at start-up.
  sqlite.pragma("analysis_limit = 1000");
  // 0x10002: analyse any table that has never been analysed, so a database opened for the first time
  // after a bulk load gets statistics before the first windowed query.
  sqlite.pragma("optimize = 0x10002");
  let closed = false;
  const opened = sqlite;
  return {
    db,
    optimize: () => {
      if (!closed) opened.pragma("optimize");
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

function configureWriter(sqlite: BetterSqlite3.Database): void {
  // WAL lets reads run beside the ingest writer; NORMAL sync is crash-safe for the process, and a
  // power cut can only lose sales that the next poll fetches again (upstream returns the whole history).
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  // 4 MiB of page cache (SQLite's own default is 2; better-sqlite3 builds it with 16): with many
  // merchants interleaving by date, index inserts land on pages all over the sale_date index and a
  // small cache turns each into a read; more costs resident memory the service's budget (150 MB with
  // 2,000 streams) does not have.
  sqlite.pragma(PAGE_CACHE);
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
  // The writer's 4 MiB, not better-sqlite3's 16 MiB default: the page cache and a windowed leaderboard's sort
  // (whose in-memory run is as large as the cache) grew under read load at 10M sales, and the server's
  // RSS after 8 s of each heavy read was 166 MB with 16 MiB, 131 MB with 4 MiB (bench/memory-by-read.ts, 2026-12-02).
  // The 1h product leaderboard, computed in the background behind the read cache, then takes 0.8-1.1 s
  // instead of 0.7-0.8 s at 10M sales.
  sqlite.pragma(PAGE_CACHE);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}
