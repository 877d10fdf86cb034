import { type Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import { type OpenedDatabase, WriterDb } from "../db.js";
import type { Database } from "../schema.js";
import { postgresAnnouncer } from "./announce.js";
import { migratePostgres } from "./migrations.js";
import { PostgresPollWrites } from "./poll-writes.js";
import { createPool, type PoolOptions } from "./pool.js";

export interface OpenedPostgres extends OpenedDatabase {
  pool: pg.Pool;
}

const DEFAULT_POOL: PoolOptions = { max: 10, applicationName: "live-pos-dashboard" };

export interface PostgresOptions extends PoolOptions {
  /** This instance's id: its writes are announced to the other instances under it (announce.ts). */
  instanceId?: string;
}

/**
 * Opens DATABASE_URL and migrates it (several instances at once: one migrates, the rest wait). One pool
 * serves the writer and the reads: PostgreSQL runs them side by side, as SQLite's two connections do,
 * and each poll's statements run on its transaction's connection (PostgresPollWrites). Rejects with
 * PostgreSQL's own reason (refused, no such database, bad password) when it cannot be opened.
 * Without an instance id (tools, tests that only seed rows) nothing is announced.
 */
export async function openPostgres(
  url: string,
  opts: PostgresOptions = DEFAULT_POOL,
): Promise<OpenedPostgres> {
  const pool = createPool(url, opts);
  const announcer = opts.instanceId === undefined ? undefined : postgresAnnouncer(opts.instanceId);
  const db = new WriterDb(new PostgresDialect({ pool }), (on) => new PostgresPollWrites(on), announcer);
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
