/**
 * A fresh store for one ingest measurement on either engine: a SQLite file in the run's temp dir, or a
 * new database in the bench's PostgreSQL cluster, opened as the service opens it (src/ingest/storage.ts:
 * a pool of the poll concurrency plus its spare connections) and removed again by close().
 */
import type { OpenedDatabase } from "../../src/store/db.js";
import { openDatabase } from "../../src/store/db.js";
import { openPostgres } from "../../src/store/postgres/open.js";
import type { BenchPostgres, Engine } from "../support/postgres.js";
import { DEFAULT_POLL_CONCURRENCY, removeDb } from "./common.js";

/** src/ingest/storage.ts's SPARE_CONNECTIONS: reads, changes and deliveries beside the polls. */
const SPARE_CONNECTIONS = 6;

export const ENGINE_NAME: Record<Engine, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

/** What the ingest section was asked to measure on: its engines and the run's cluster. */
export interface EngineRun {
  engines: readonly Engine[];
  postgres: () => Promise<BenchPostgres>;
}

export interface BenchStore {
  engine: Engine;
  store: OpenedDatabase;
  /** Closes the store and deletes its file or drops its database. */
  close(): Promise<void>;
}

/** `file` is where a SQLite store goes; a PostgreSQL store takes a fresh database of `postgres`. */
export async function openBenchStore(
  engine: Engine,
  file: string,
  postgres: () => Promise<BenchPostgres>,
): Promise<BenchStore> {
  if (engine === "sqlite") {
    const store = await openDatabase(file);
    return {
      engine,
      store,
      close: async () => {
        await store.close();
        removeDb(file);
      },
    };
  }
  const database = await (await postgres()).freshDatabase();
  try {
    const store = await openPostgres(database.url, {
      max: DEFAULT_POLL_CONCURRENCY + SPARE_CONNECTIONS,
      applicationName: "bench",
    });
    return {
      engine,
      store,
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  } catch (e) {
    await database.drop();
    throw e;
  }
}

/** The engines in the order a pair runs them: alternated pair by pair, so neither always goes first. */
export function pairOrder(engines: readonly Engine[], pair: number): Engine[] {
  return pair % 2 === 0 ? [...engines] : [...engines].reverse();
}
