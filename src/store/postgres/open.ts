import { type Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import { type OpenedDatabase, WriterDb } from "../db.js";
import type { Database } from "../schema.js";
import { migratePostgres } from "./migrations.js";
import { PostgresPollWrites } from "./poll-writes.js";
import { createPool, type PoolOptions } from "./pool.js";

export interface OpenedPostgres extends OpenedDatabase {
  pool: pg.Pool;
}

const DEFAULT_POOL: PoolOptions = { max: 10, applicationName: "live-pos-dashboard" };

/**
 * Opens DATABASE_URL and migrates it (several instances at once: one migrates, the rest wait). One pool
 * serves the writer and the reads: PostgreSQL runs them side by side, as SQLite's two connections do,
 * and each poll's statements run on its transaction's connection (PostgresPollWrites). Rejects with
 * PostgreSQL's own reason (refused, no such database, bad password) when it cannot be opened.
 */
export async function openPostgres(url: string, opts: PoolOptions = DEFAULT_POOL): Promise<OpenedPostgres> {
  const pool = createPool(url, opts);
  const db = new WriterDb(new PostgresDialect({ pool }), (on) => new PostgresPollWrites(on));
  try {
    await migratePostgres(db as Kysely<Database> as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  let closed = false;
  return {
    db,
    pool,
    // Autovacuum keeps PostgreSQL's planner statistics; SQLite's writer refreshes its own each cycle.
    optimize: () => {},
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
