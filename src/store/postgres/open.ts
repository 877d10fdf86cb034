import { Kysely, PostgresDialect } from "kysely";
import type pg from "pg";
import type { Database } from "../schema.js";
import { migratePostgres } from "./migrations.js";
import { createPool, type PoolOptions } from "./pool.js";

export interface OpenedPostgres {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens DATABASE_URL and migrates it (several instances at once: one migrates, the rest wait). One pool
 * serves reads and writes: PostgreSQL runs them side by side, as SQLite's two connections do. Rejects
 * with PostgreSQL's own reason (refused, no such database, bad password) when it cannot be opened.
 */
export async function openPostgres(
  url: string,
  opts: PoolOptions = { max: 10, applicationName: "live-pos-dashboard" },
): Promise<OpenedPostgres> {
  const pool = createPool(url, opts);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migratePostgres(db as Kysely<unknown>);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  let closed = false;
  return {
    db,
    pool,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
