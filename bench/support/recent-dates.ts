/**
 * Moves a cached data set's sale dates so that its newest sale is now. The set's sales fill one hour
 * (dataset.ts), so whenever it was generated the windowed reads see an event an hour after doors
 * open. Moving the dates costs seconds where generating the set again costs a minute or more at 10M
 * sales; the figures derived from dates (hourly rollups and whatever else rebuildDerived keeps) come
 * from the service's own rebuild, so they stay exactly what ingest would have kept.
 */
import { copyFileSync, renameSync, rmSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase } from "../../src/store/db.js";
import { rebuildDerived } from "../../src/store/rollups.js";

export interface DateMove {
  /** How far the dates were moved forward. */
  shiftMs: number;
  /** What the move cost, per step, in ms: copying the file, moving the dates with their indexes, rebuildDerived. */
  costMs: { copy: number; shift: number; rebuild: number; total: number };
}

/** Columns holding instants of the sale: both move, so a sale keeps its "stored a few seconds later". */
const DATE_COLUMNS = ["sale_date", "created_at"];

/** The newest sale's date in the file (the sale_date index makes it one lookup). */
export function newestSale(file: string): number {
  const raw = new BetterSqlite3(file, { readonly: true });
  try {
    return (raw.prepare("select max(sale_date) as at from transactions").get() as { at: number }).at;
  } finally {
    raw.close();
  }
}

/**
 * Works on a copy renamed over the file once complete, so an interrupted run leaves the cached file
 * as it was; the age is read from the file itself, so no later run can move it twice.
 */
export async function moveDatesToNow(file: string): Promise<DateMove> {
  const moving = `${file}.moving`;
  for (const suffix of ["", "-wal", "-shm"]) rmSync(moving + suffix, { force: true });
  const t0 = performance.now();
  copyFileSync(file, moving);
  const t1 = performance.now();
  const shiftMs = Date.now() - newestSale(moving);
  moveDates(moving, shiftMs);
  const t2 = performance.now();
  const store = await openDatabase(moving);
  try {
    await rebuildDerived(store.db);
  } finally {
    await store.close();
  }
  // Fold the WAL into the file so that a copy of the .db alone is complete.
  const tidy = new BetterSqlite3(moving);
  tidy.pragma("wal_checkpoint(TRUNCATE)");
  tidy.close();
  // The emptied WAL and its index belong to the files they sit beside, not to the renamed copy.
  for (const suffix of ["-wal", "-shm"]) {
    rmSync(moving + suffix, { force: true });
    rmSync(file + suffix, { force: true });
  }
  renameSync(moving, file);
  const t3 = performance.now();
  return { shiftMs, costMs: { copy: t1 - t0, shift: t2 - t1, rebuild: t3 - t2, total: t3 - t0 } };
}

/**
 * Adds `shiftMs` to every sale's dates. The indexes over them are dropped and rebuilt from sorted
 * input, far cheaper than moving 10M entries in place; their planner statistics are put back as
 * they were, since moving every date by the same amount changes no distribution.
 */
function moveDates(file: string, shiftMs: number): void {
  const raw = new BetterSqlite3(file);
  try {
    // A file nobody else has open yet, renamed into place only when complete: no journal, no syncs.
    raw.pragma("journal_mode = OFF");
    raw.pragma("synchronous = OFF");
    raw.pragma("cache_size = -1048576");
    raw.pragma("foreign_keys = OFF");
    const indexes = (
      raw
        .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'transactions'")
        .all() as { name: string; sql: string | null }[]
    ).filter(
      (ix) =>
        ix.sql !== null &&
        (raw.pragma(`index_info(${ix.name})`) as { name: string }[]).some((c) =>
          DATE_COLUMNS.includes(c.name),
        ),
    );
    const stats = raw
      .prepare(`select tbl, idx, stat from sqlite_stat1 where idx in (${indexes.map(() => "?").join(",")})`)
      .all(...indexes.map((ix) => ix.name)) as { tbl: string; idx: string; stat: string }[];
    raw.exec("begin");
    for (const ix of indexes) raw.exec(`drop index ${ix.name}`);
    raw
      .prepare(`update transactions set ${DATE_COLUMNS.map((c) => `${c} = ${c} + @shift`).join(", ")}`)
      .run({ shift: shiftMs });
    for (const ix of indexes) raw.exec(ix.sql as string);
    // Dropping an index dropped its statistics too.
    const putBack = raw.prepare("insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)");
    for (const s of stats) putBack.run(s.tbl, s.idx, s.stat);
    raw.exec("commit");
    raw.pragma("journal_mode = WAL");
  } finally {
    raw.close();
  }
}
