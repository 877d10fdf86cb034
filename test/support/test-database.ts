/**
 * The database a test's service runs on, by the engine of the test run: the vitest project "postgres"
 * (vitest.config.ts) sets TEST_ENGINE=postgres and runs the same API, contract and full-system tests
 * on PostgreSQL that the default project runs on SQLite. One suite, two engines.
 *
 * On PostgreSQL each service gets a database of its own, as each gets a fresh `:memory:` SQLite: a
 * copy of a template migrated once per test file, which takes a few milliseconds instead of
 * migrating every time.
 */
import { inject } from "vitest";
import type { Config } from "../../src/config/config.js";
import { createTestDatabase } from "../../src/demo/postgres/cluster.js";
import type { Engine } from "../../src/store/engine.js";
import { openPostgres } from "../../src/store/postgres/open.js";

/** The engine this test run stores on. */
export function testEngine(): Engine {
  return process.env.TEST_ENGINE === "postgres" ? "postgres" : "sqlite";
}

export interface TestDatabase {
  /** What to add to the test's configuration: nothing on SQLite (its own dbPath stands), DATABASE_URL on PostgreSQL. */
  config: Partial<Config>;
  drop(): Promise<void>;
}

/** The PostgreSQL cluster's superuser URL, handed to the test files by the run's global setup. */
export function postgresAdminUrl(): string {
  return inject("postgresClusterUrl");
}

let template: Promise<string> | undefined;

/** PostgreSQL's stand-in for each SQLite file a test named: a test that restarts on it finds its rows. */
const byFile = new Map<string, Promise<TestDatabase>>();

/**
 * A fresh database for one service on this run's engine. A test that names a SQLite file (`dbPath`) to
 * restart a service on it gets, on PostgreSQL, the same database each time it names that file.
 */
export async function freshTestDatabase(
  engine: Engine = testEngine(),
  dbPath?: string,
): Promise<TestDatabase> {
  if (engine === "sqlite") return { config: {}, drop: async () => {} };
  if (dbPath !== undefined && dbPath !== ":memory:") {
    let kept = byFile.get(dbPath);
    if (kept === undefined) {
      kept = newPostgresDatabase();
      byFile.set(dbPath, kept);
    }
    // Kept for the next service on the same file; the run's cluster is thrown away at its end.
    return { config: (await kept).config, drop: async () => {} };
  }
  return newPostgresDatabase();
}

/**
 * Databases made ahead for services built from `testConfig()` directly (a synchronous call): the
 * PostgreSQL project's setup file (postgres-setup.ts) makes them before each test file.
 */
const prepared: TestDatabase[] = [];
const preparedByFile = new Map<string, string>();

export async function preparePostgresDatabases(count: number): Promise<void> {
  while (prepared.length < count) prepared.push(await newPostgresDatabase());
}

/** On PostgreSQL, the DATABASE_URL for one more service built from testConfig(); the same for the same file. */
export function takePreparedDatabase(dbPath: string | undefined): string {
  const known = dbPath === undefined || dbPath === ":memory:" ? undefined : preparedByFile.get(dbPath);
  if (known !== undefined) return known;
  const next = prepared.shift();
  if (next === undefined)
    throw new Error(
      "no PostgreSQL database left for testConfig(): raise the count in test/support/postgres-setup.ts",
    );
  const url = next.config.databaseUrl as string;
  if (dbPath !== undefined && dbPath !== ":memory:") preparedByFile.set(dbPath, url);
  return url;
}

async function newPostgresDatabase(): Promise<TestDatabase> {
  const admin = postgresAdminUrl();
  template ??= migratedTemplate(admin);
  const copy = await createTestDatabase(admin, await template);
  return { config: { databaseUrl: copy.url }, drop: copy.drop };
}

/**
 * A fresh, empty (unmigrated) database and its URL, for tests that open several pools on one database,
 * as instances sharing it do, and migrate it themselves.
 */
export function emptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createTestDatabase(postgresAdminUrl());
}

/** A database migrated once for this test file (worker), copied for each service. */
async function migratedTemplate(admin: string): Promise<string> {
  const empty = await createTestDatabase(admin);
  const opened = await openPostgres(empty.url, { max: 1, applicationName: "test-template" });
  await opened.close();
  return empty.name;
}
