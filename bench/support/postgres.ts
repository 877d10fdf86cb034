/**
 * The engine dimension of `npm run bench` (`--engine sqlite|postgres|both`): which engines the ingest and
 * reads sections measure, and the throwaway PostgreSQL cluster they measure on. The cluster is the tests'
 * own helper (src/demo/postgres/cluster.ts, one copy of that code), started once per bench run on
 * first use, with PostgreSQL's default durability put back: the tests turn fsync off since their data is
 * disposable, but a benchmark that skipped the WAL's fsyncs would flatter every commit a deployment pays.
 */

import {
  createTestDatabase,
  type PostgresCluster,
  startPostgresCluster,
} from "../../src/demo/postgres/cluster.js";
import { findPostgresBinDir } from "../../src/demo/postgres/os.js";
import type { Engine } from "../../src/store/engine.js";

export type { Engine };

export const ENGINE_FLAG_VALUES = ["sqlite", "postgres", "both"] as const;

/** Settings over the test helper's: durable as a deployment runs (PostgreSQL's defaults). */
const BENCH_SETTINGS: Record<string, string> = {
  fsync: "on",
  full_page_writes: "on",
  synchronous_commit: "on",
};

/** "sqlite" | "postgres" | "both" as the engines to run. */
export function parseEngines(value: string | undefined): Engine[] {
  if (value === "sqlite" || value === "postgres") return [value];
  if (value === "both") return ["sqlite", "postgres"];
  throw new Error(`--engine takes one of ${ENGINE_FLAG_VALUES.join(", ")}`);
}

/**
 * Without --engine: both where the PostgreSQL server binaries are installed (Debian's `postgresql`
 * package, as on CI), else SQLite alone, with the reason, so `npm run bench` runs on any machine.
 */
export function defaultEngines(log: (m: string) => void): Engine[] {
  try {
    findPostgresBinDir();
    return ["sqlite", "postgres"];
  } catch (e) {
    log(`engines: SQLite only (${e instanceof Error ? e.message : String(e)})`);
    return ["sqlite"];
  }
}

export interface BenchDatabase {
  /** postgres://… of a fresh, empty database (the service's migrations create its schema). */
  url: string;
  drop(): Promise<void>;
}

export interface BenchPostgres {
  /** A fresh, empty database in the run's cluster. */
  freshDatabase(): Promise<BenchDatabase>;
  /** What the cluster runs with, for the table's rows. */
  describe: string;
}

/** One cluster for the whole run (initdb costs seconds), started when a section first asks for it. */
export function lazyPostgres(log: (m: string) => void): {
  get(): Promise<BenchPostgres>;
  stop(): Promise<void>;
} {
  let cluster: Promise<PostgresCluster> | undefined;
  return {
    get: async () => {
      cluster ??= startPostgresCluster({ settings: BENCH_SETTINGS }).then((c) => {
        log(`PostgreSQL cluster (${findPostgresBinDir()}) on port ${c.port}, fsync on`);
        return c;
      });
      const c = await cluster;
      return {
        freshDatabase: () => createTestDatabase(c.url),
        describe: `PostgreSQL ${findPostgresBinDir().split("/").at(-2)}, throwaway cluster, fsync on`,
      };
    },
    stop: async () => {
      if (cluster) await (await cluster).stop();
    },
  };
}

/**
 * Why the sections that need PostgreSQL itself (several instances on one database: cluster-push,
 * failover) cannot run here, or undefined when they can: the server binaries decide, as for defaultEngines.
 */
export function postgresMissing(): string | undefined {
  try {
    findPostgresBinDir();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
