/**
 * A consistent copy of the live database while the service runs and ingests: SQLite's online backup
 * API (better-sqlite3's db.backup()) from a connection of its own. All pages are copied in one step,
 * that is in one read transaction: in WAL mode it sees the database as of its start and never blocks
 * the ingest thread's writes, and no write made meanwhile can restart it (a step-by-step backup starts
 * over after every write by another connection, so under steady ingest it might never end).
 */
import { existsSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";

export interface BackupResult {
  /** Pages copied (of the database's page size). */
  pages: number;
  ms: number;
}

export async function backupDatabase(sourcePath: string, destination: string): Promise<BackupResult> {
  if (!existsSync(sourcePath)) throw new Error(`no database at ${sourcePath} (DB_PATH)`);
  if (existsSync(destination)) throw new Error(`${destination} exists; give a new file name`);
  const started = performance.now();
  const source = new BetterSqlite3(sourcePath, { fileMustExist: true });
  try {
    // Waits for the writer's lock rather than failing at once while a poll is committing.
    source.pragma("busy_timeout = 10000");
    const done = await source.backup(destination, {
      // Returning the whole database's page count makes the next step copy every page at once.
      progress: ({ totalPages }) => Math.max(totalPages, 1),
    });
    return { pages: done.totalPages, ms: performance.now() - started };
  } finally {
    source.close();
  }
}
