/**
 * The store on either engine, for tests that run the same checks on SQLite and PostgreSQL
 * (`describe.each(ENGINES)`). SQLite: a fresh in-memory database. PostgreSQL: a fresh database in the
 * cluster at TEST_POSTGRES_URL (a superuser's URL), dropped on close.
 */
import type { Kysely } from "kysely";
import pg from "pg";
import { openDatabase } from "../../src/store/db.js";
import type { Engine } from "../../src/store/engine.js";
import { openPostgres } from "../../src/store/postgres/open.js";
import type { Database } from "../../src/store/schema.js";

export const ENGINES: readonly Engine[] = ["sqlite", "postgres"];

export interface EngineStore {
  engine: Engine;
  db: Kysely<Database>;
  close(): Promise<void>;
}

let counter = 0;

export async function openStore(engine: Engine): Promise<EngineStore> {
  if (engine === "sqlite") {
    const opened = await openDatabase(":memory:");
    return { engine, db: opened.db, close: () => opened.close() };
  }
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error("TEST_POSTGRES_URL is not set: no PostgreSQL cluster to test against");
  const name = `store_${process.pid}_${Date.now()}_${counter++}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name} template template0`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const opened = await openPostgres(url.toString(), { max: 4, applicationName: "test" });
  return {
    engine,
    db: opened.db,
    close: async () => {
      await opened.close();
      const drop = new pg.Client({ connectionString: admin });
      await drop.connect();
      try {
        await drop.query(`drop database ${name} with (force)`);
      } finally {
        await drop.end();
      }
    },
  };
}
