/**
 * The ingest section of `npm run bench`: a cold poll of one big merchant against bare better-sqlite3,
 * and the steady-state poll cycle of 1,000 merchants against the poll interval; with PostgreSQL (--engine),
 * the same on PostgreSQL in alternating pairs with SQLite. Everything goes
 * through the service's public ingest functions, so the figures follow whatever the store does.
 */
import { coldIngest } from "./ingest/cold.js";
import { steadyState } from "./ingest/steady.js";
import type { Section } from "./section.js";
import type { BenchRow } from "./support/report.js";

export const ingestSection: Section = async ({ quick, log, engines, postgres }) => {
  const on = { engines, postgres };
  const rows: BenchRow[] = [];
  rows.push(...(await coldIngest(100_000, quick ? 3 : 5, log, on)));
  if (!quick) rows.push(...(await coldIngest(1_000_000, 3, log, on)));
  // Quick: the full fleet's cold cycle alone outlasts the quick budget, so fewer merchants (same
  // per-merchant history); steady.ts keeps the ratios comparable and labels the rows.
  rows.push(...(await steadyState(quick ? 200 : 1000, quick ? 3 : 5, log, on)));
  return rows;
};
