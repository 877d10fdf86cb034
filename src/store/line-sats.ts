import { type RawBuilder, sql } from "kysely";

/** Above this a double has no fraction (2^52), and SQLite's round() returns it as it is. */
const NO_FRACTION_ABOVE = 4503599627370496;

/**
 * A sale line's sats, `round(quantity * unit_sats)` as SQLite computes it and lineSats (buckets.ts)
 * mirrors it for the rollups, in one text both engines answer alike. PostgreSQL's round() of a double
 * rounds half to even (2.5 gives 2, SQLite 3), and so does its cast to bigint, so the rounding is
 * spelled out: add a half and truncate, as SQLite's C code does (quantities are positive and unit
 * sats never negative, so the product is too). trunc() is SQLite's math function, built into
 * better-sqlite3. Measured on SQLite: ~100 ns a line more than round() (225 vs 125 ms per 1M lines),
 * paid only on a window's leading minute of raw lines and on exported lines; the plans are unchanged.
 */
export function lineSatsSql(quantity: string, unitSats: string): RawBuilder<number> {
  const x = sql`(${sql.ref(quantity)} * ${sql.ref(unitSats)})`;
  return sql<number>`(case when ${x} > ${sql.lit(NO_FRACTION_ABOVE)} then ${x} else trunc(${x} + 0.5) end)`;
}
