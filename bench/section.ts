import type { BenchPostgres, Engine } from "./support/postgres.js";
import type { BenchRow } from "./support/report.js";

export interface SectionOptions {
  /** Smoke run: smaller data, fewer repetitions, the whole benchmark under two minutes. */
  quick: boolean;
  /** Progress lines go to stderr so stdout stays the table. */
  log: (message: string) => void;
  /** The engines the sections with an engine dimension (ingest, reads) measure; the others run on SQLite. */
  engines: Engine[];
  /** The run's PostgreSQL cluster, started on first call (only when engines hold postgres). */
  postgres: () => Promise<BenchPostgres>;
}

export type Section = (opts: SectionOptions) => Promise<BenchRow[]>;
