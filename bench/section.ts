import type { BenchRow } from "./support/report.js";

export interface SectionOptions {
  /** Smoke run: smaller data, fewer repetitions, the whole benchmark under two minutes. */
  quick: boolean;
  /** Progress lines go to stderr so stdout stays the table. */
  log: (message: string) => void;
}

export type Section = (opts: SectionOptions) => Promise<BenchRow[]>;
