import { type SqlBool, sql } from "kysely";
import type {
  ExportedLine,
  ExportedProduct,
  ExportKind,
  MilestoneTrigger,
  TickerRow,
} from "../contract/index.js";
import { TICKER_COLUMNS } from "./dashboard.js";
import type { Db } from "./db.js";
import { lineSatsSql } from "./line-sats.js";
import { toExportedLine, toExportedProduct, toTickerRow, toTrigger } from "./shapes.js";
import { ALWAYS, ofMerchant, ofSource } from "./source-filter.js";

/**
 * The admin exports, one batch at a time: each call reads at most `limit` rows after a cursor (keyset
 * pagination), so an export of 10M sales holds one batch in memory and each call costs the same, the
 * first or the last. Sales and lines follow a sale's (sale_date, id): the sale_date indexes end in the
 * row id, so every filter (time, source, merchant) reads its batch straight off an index with no sort.
 */
export interface ExportFilter {
  merchantId?: string | undefined;
  source?: string | undefined;
  /** Inclusive, epoch ms. */
  fromMs?: number | undefined;
  /** Exclusive, epoch ms. */
  toMs?: number | undefined;
}

/** Where the previous batch ended, in the order of its kind's keyset. */
export type ExportCursor = readonly number[] | readonly [string, number];

export interface ExportBatch<R> {
  rows: R[];
  /** Null once the last row has been read. */
  next: ExportCursor | null;
}

export type ExportRow = TickerRow | ExportedLine | ExportedProduct | MilestoneTrigger;

export interface ExportBatchArgs {
  kind: ExportKind;
  filter: ExportFilter;
  after: ExportCursor | null;
  limit: number;
}

export function readExportBatch(db: Db, args: ExportBatchArgs): Promise<ExportBatch<ExportRow>> {
  switch (args.kind) {
    case "sales":
      return salesBatch(db, args);
    case "lines":
      return linesBatch(db, args);
    case "products":
      return productsBatch(db, args);
    case "triggers":
      return triggersBatch(db, args);
  }
}

const EARLIEST = Number.MIN_SAFE_INTEGER;

/**
 * The filter and the keyset of sales: dated at or after the cursor's date, and past its id within that
 * date. `cross join` keeps transactions the outer loop (SQLite never reorders one), so the batch is
 * read in index order and merchants are looked up by key.
 */
function salesFrom(db: Db, f: ExportFilter, after: { date: number; id: number } | null) {
  let q = db
    .selectFrom("transactions as t")
    .crossJoin("merchants as m")
    .whereRef("m.id", "=", "t.merchant_id")
    .where(f.merchantId === undefined ? ofSource(f.source, sql.ref("t.source")) : ofItsSource(f.source))
    .where(ofMerchant(f.merchantId, sql.ref("t.merchant_id")))
    .where("t.sale_date", ">=", after?.date ?? f.fromMs ?? EARLIEST);
  if (f.toMs !== undefined) q = q.where("t.sale_date", "<", f.toMs);
  return q;
}

/**
 * The source of one merchant's sales, without the (source, sale_date) index: all of a merchant's sales
 * carry its one source, and SQLite, given both, would walk the source's index past every other
 * merchant's sales instead of the merchant's own. `t.source || ''` hides the column from SQLite's
 * planner as its unary `+` does (same plan: the merchant's (merchant_id, sale_date) index), and unlike
 * `+`, PostgreSQL takes it for text.
 */
function ofItsSource(source: string | undefined) {
  return source === undefined ? ALWAYS : sql<SqlBool>`(t.source || '') = ${source}`;
}

async function salesBatch(
  db: Db,
  { filter, after, limit }: ExportBatchArgs,
): Promise<ExportBatch<TickerRow>> {
  const [date, id] = (after ?? []) as number[];
  let q = salesFrom(db, filter, after ? { date: date as number, id: id as number } : null);
  if (after) q = q.where(sql<boolean>`(t.sale_date > ${date} or t.id > ${id})`);
  const rows = await q
    .select(["t.id", ...TICKER_COLUMNS])
    .orderBy("t.sale_date")
    .orderBy("t.id")
    .limit(limit)
    .execute();
  const last = rows.at(-1);
  return {
    rows: rows.map(toTickerRow),
    next: rows.length < limit || !last ? null : [last.sale_date, last.id],
  };
}

async function linesBatch(
  db: Db,
  { filter, after, limit }: ExportBatchArgs,
): Promise<ExportBatch<ExportedLine>> {
  const [date, id, lineNo] = (after ?? []) as number[];
  let q = salesFrom(db, filter, after ? { date: date as number, id: id as number } : null)
    .crossJoin("sale_lines as l")
    .whereRef("l.merchant_id", "=", "t.merchant_id")
    .whereRef("l.sale_id", "=", "t.sale_id");
  if (after)
    q = q.where(
      sql<boolean>`(t.sale_date > ${date} or t.id > ${id} or (t.id = ${id} and l.line_no > ${lineNo}))`,
    );
  const rows = await q
    .select([
      "t.id",
      "t.sale_date",
      "t.source",
      "t.external_id",
      "l.merchant_id",
      "l.sale_id",
      "l.line_no",
      "l.product_id",
      "l.name",
      "l.quantity",
      "l.unit_sats",
      lineSatsSql("l.quantity", "l.unit_sats").as("line_sats"),
    ])
    .orderBy("t.sale_date")
    .orderBy("t.id")
    .orderBy("l.line_no")
    .limit(limit)
    .execute();
  const last = rows.at(-1);
  return {
    rows: rows.map(toExportedLine),
    next: rows.length < limit || !last ? null : [last.sale_date, last.id, last.line_no],
  };
}

/** Products by their key (merchant, product id); not dated, so only merchant and source filter them. */
async function productsBatch(
  db: Db,
  { filter, after, limit }: ExportBatchArgs,
): Promise<ExportBatch<ExportedProduct>> {
  let q = db
    .selectFrom("products as p")
    .crossJoin("merchants as m")
    .whereRef("m.id", "=", "p.merchant_id")
    .where(ofSource(filter.source, sql.ref("m.source")))
    .where(ofMerchant(filter.merchantId, sql.ref("p.merchant_id")));
  if (after) {
    const [merchantId, productId] = after as [string, number];
    q = q
      .where("p.merchant_id", ">=", merchantId)
      .where(sql<boolean>`(p.merchant_id > ${merchantId} or p.product_id > ${productId})`);
  }
  const rows = await q
    .select([
      "p.merchant_id",
      "p.product_id",
      "p.name",
      "p.currency",
      "p.price",
      "p.total_transactions",
      "p.total_units_sold",
      "p.total_revenue_sats",
      "p.active",
      "p.deleted",
      "p.updated_at",
      "m.source",
    ])
    .orderBy("p.merchant_id")
    .orderBy("p.product_id")
    .limit(limit)
    .execute();
  const last = rows.at(-1);
  return {
    rows: rows.map(toExportedProduct),
    next: rows.length < limit || !last ? null : [last.merchant_id, last.product_id],
  };
}

/** Triggers by (triggered_at, id), through their time index; they belong to no merchant or source. */
async function triggersBatch(
  db: Db,
  { filter, after, limit }: ExportBatchArgs,
): Promise<ExportBatch<MilestoneTrigger>> {
  const [at, id] = (after ?? []) as number[];
  let q = db
    .selectFrom("milestone_triggers")
    .selectAll()
    .where("triggered_at", ">=", after ? (at as number) : (filter.fromMs ?? EARLIEST));
  if (filter.toMs !== undefined) q = q.where("triggered_at", "<", filter.toMs);
  if (after) q = q.where(sql<boolean>`(triggered_at > ${at} or id > ${id})`);
  const rows = await q.orderBy("triggered_at").orderBy("id").limit(limit).execute();
  const last = rows.at(-1);
  return {
    rows: rows.map(toTrigger),
    next: rows.length < limit || !last ? null : [last.triggered_at, last.id],
  };
}
