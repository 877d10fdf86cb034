/**
 * The store on either engine, for tests that run the same checks on SQLite and PostgreSQL
 * (`describe.each(ENGINES)`). SQLite: a fresh in-memory database. PostgreSQL: a fresh database in the
 * run's cluster (test-database.ts), dropped on close.
 */
import { openDatabase, type WriterDb } from "../../src/store/db.js";
import type { Engine } from "../../src/store/engine.js";
import { openPostgres } from "../../src/store/postgres/open.js";
import { freshTestDatabase } from "./test-database.js";

export const ENGINES: readonly Engine[] = ["sqlite", "postgres"];

export interface EngineStore {
  engine: Engine;
  /** The writer, as ingest holds it: reads, changes and the poll path's writes (pollWrites). */
  db: WriterDb;
  close(): Promise<void>;
}

export async function openStore(engine: Engine): Promise<EngineStore> {
  if (engine === "sqlite") {
    const opened = await openDatabase(":memory:");
    return { engine, db: opened.db, close: () => opened.close() };
  }
  const database = await freshTestDatabase("postgres");
  const opened = await openPostgres(database.config.databaseUrl as string, {
    max: 4,
    applicationName: "test",
  });
  return {
    engine,
    db: opened.db,
    close: async () => {
      await opened.close();
      await database.drop();
    },
  };
}
