import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "./db.js";

/**
 * Reads filtered by a sale's source (pwf, wifi, …); undefined means every source. A merchant has one
 * source for life and each of its sales carries it, so the per-merchant figures (running totals, fiat
 * totals, hourly and minute rollups) of a source are those of its merchants: a filtered read adds up
 * O(merchants) rows as the unfiltered one does, and raw sales are read through (source, sale_date).
 */
export type Source = string | undefined;

/**
 * The condition that holds for every row, as both engines read it: PostgreSQL's WHERE and CASE WHEN
 * take only booleans (SQLite's bare `1` is an integer there). SQLite drops the constant term, so its
 * plans stay those of no condition at all.
 */
export const ALWAYS = sql<SqlBool>`1 = 1`;

/**
 * Rows of a per-merchant table (merchant_id) that belong to the source's merchants; always true for
 * every source. Merchants have no index on source: the subquery reads the merchants table once,
 * which every read of these tables already costs.
 */
export function ofSourceMerchants(source: Source, column = sql.ref("merchant_id")): RawBuilder<SqlBool> {
  return source === undefined
    ? ALWAYS
    : sql<SqlBool>`${column} in (select id from merchants where source = ${source})`;
}

/** Sales (a `transactions` row, its `source` column) of the source; always true for every source. */
export function ofSource(source: Source, column = sql.ref("source")): RawBuilder<SqlBool> {
  return source === undefined ? ALWAYS : sql<SqlBool>`${column} = ${source}`;
}

/**
 * Rows of one merchant (a booth screen's), through each table's (merchant_id, …) index; always true
 * for every merchant.
 */
export function ofMerchant(
  merchantId: string | undefined,
  column = sql.ref("merchant_id"),
): RawBuilder<SqlBool> {
  return merchantId === undefined ? ALWAYS : sql<SqlBool>`${column} = ${merchantId}`;
}

/** Whether a merchant of that id exists: a filter naming one that does not is a 404, not zeros. */
export async function merchantExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom("merchants").select("id").where("id", "=", id).executeTakeFirst();
  return row !== undefined;
}

/** Which sales a read counts: one source's and/or one merchant's (undefined: every one). */
export interface Only {
  source?: Source;
  merchantId?: string | undefined;
}
