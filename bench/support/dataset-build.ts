/**
 * Generates a bench data set into a fresh file: 1,000 merchants, the mock's catalogues and N sales
 * made by the mock's own Market (fixed seed), written with multi-row INSERTs into a database created
 * by the service's openDatabase (so its migrations and schema are the real ones), then its derived
 * figures from the service's rebuildDerived.
 */
import { rmSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { Market } from "../../src/mock/generator.js";
import type { Merchant } from "../../src/mock/model.js";
import { SaleStore } from "../../src/mock/sale-store.js";
import { openDatabase } from "../../src/store/db.js";
import { rebuildDerived } from "../../src/store/rollups.js";
import { batchInserter } from "./batch-insert.js";

export const MERCHANTS = 1000;
export const SEED = 20_251_110;
/**
 * Every sale falls in the hour before generation: an event an hour after doors open, so the 1h and
 * 24h windows hold all of the set and 5m about a twelfth, which is what the windowed reads must be
 * measured on (spread over 30 days, a 1h window held 1/720 of it).
 */
export const SPAN_MS = 3_600_000;

/** What a built file holds. */
export interface BuiltDataset {
  sales: number;
  saleLines: number;
  merchants: number;
  products: number;
  /** The Market's "now" at generation: the newest sale was at most this, the oldest SPAN_MS before it. */
  generatedAt: number;
}

export function fmtCount(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n.toLocaleString("en-US");
}

/** Sales per merchant in proportion to its profile's rate, summing exactly to `total`. */
function shares(market: Market, total: number): number[] {
  const rates = market.merchants.map((m) => m.profile.salesPerMinute);
  const sum = rates.reduce((a, b) => a + b, 0);
  const counts = rates.map((r) => Math.floor((total * r) / sum));
  let rest = total - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i] = (counts[i] as number) + 1;
  return counts;
}

type Inserter = ReturnType<typeof batchInserter>;

/** One multi-row inserter per table the data set fills. */
interface Inserters {
  merchants: Inserter;
  txs: Inserter;
  lines: Inserter;
  products: Inserter;
  fiat: Inserter;
}

/** What one merchant's rows added to the file. */
interface Written {
  sales: number;
  saleLines: number;
  products: number;
}

export async function buildDataset(
  file: string,
  total: number,
  log: (m: string) => void,
): Promise<BuiltDataset> {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
  // The service's own code creates and migrates the file, so the schema is exactly what it runs on.
  await (await openDatabase(file)).close();

  const generatedAt = Date.now();
  const market = new Market({ seed: SEED, merchants: MERCHANTS, now: () => generatedAt });
  const { raw, indexes } = openForBulkLoad(file);
  const written = writeMarket(raw, market, total, generatedAt, log);
  log("  building indexes");
  for (const ix of indexes) raw.exec(ix.sql);
  raw.pragma("journal_mode = WAL");
  raw.close();
  await rebuildFigures(file, log);
  return {
    sales: total,
    saleLines: written.saleLines,
    merchants: MERCHANTS,
    products: written.products,
    generatedAt,
  };
}

/** The migrated file opened for a one-off bulk load, its sale indexes dropped (returned to recreate). */
function openForBulkLoad(file: string): {
  raw: BetterSqlite3.Database;
  indexes: { name: string; sql: string }[];
} {
  const raw = new BetterSqlite3(file);
  raw.pragma("journal_mode = OFF");
  raw.pragma("synchronous = OFF");
  raw.pragma("cache_size = -1048576");
  raw.pragma("temp_store = MEMORY");
  // better-sqlite3 turns foreign keys on by default; the rows are consistent by construction.
  raw.pragma("foreign_keys = OFF");
  // Secondary indexes are cheaper built once, sorted, than maintained row by row; the same SQL the
  // migrations wrote recreates them afterwards (so new ones from later migrations are covered too).
  const indexes = raw
    .prepare(
      "select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ('transactions', 'sale_lines')",
    )
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) raw.exec(`drop index ${ix.name}`);
  return { raw, indexes };
}

function bulkInserters(raw: BetterSqlite3.Database): Inserters {
  return {
    merchants: batchInserter(raw, "merchants", [
      "id",
      "public_key",
      "alias",
      "enabled",
      "consecutive_failures",
      "total_transactions",
      "total_volume_sats",
      "created_at",
      "updated_at",
    ]),
    txs: batchInserter(raw, "transactions", [
      "merchant_id",
      "sale_id",
      "sale_origin",
      "sale_date",
      "amount_sats",
      "fiat_amount",
      "currency",
      "created_at",
    ]),
    lines: batchInserter(raw, "sale_lines", [
      "merchant_id",
      "sale_id",
      "line_no",
      "product_id",
      "name",
      "quantity",
      "unit_sats",
    ]),
    products: batchInserter(raw, "products", [
      "merchant_id",
      "product_id",
      "name",
      "currency",
      "price",
      "total_transactions",
      "total_units_sold",
      "total_revenue_sats",
      "active",
      "deleted",
      "updated_at",
    ]),
    fiat: batchInserter(raw, "fiat_totals", ["merchant_id", "currency", "amount"]),
  };
}

/** Every merchant's history generated and written, committed every 50 merchants, progress every 10 s. */
function writeMarket(
  raw: BetterSqlite3.Database,
  market: Market,
  total: number,
  generatedAt: number,
  log: (m: string) => void,
): Omit<Written, "sales"> {
  const counts = shares(market, total);
  const ins = bulkInserters(raw);
  const all = Object.values(ins);
  let saleLines = 0;
  let products = 0;
  let done = 0;
  let nextLog = Date.now() + 10_000;
  raw.exec("begin");
  market.merchants.forEach((m, i) => {
    market.addHistory(m.id, counts[i] as number, SPAN_MS);
    const one = writeMerchant(ins, m, generatedAt);
    saleLines += one.saleLines;
    products += one.products;
    done += one.sales;
    forget(m);
    if (i % 50 === 49) {
      for (const b of all) b.flush();
      raw.exec("commit; begin");
    }
    if (Date.now() > nextLog) {
      nextLog += 10_000;
      log(`  ${fmtCount(done)} of ${fmtCount(total)} sales written`);
    }
  });
  for (const b of all) b.flush();
  raw.exec("commit");
  return { saleLines, products };
}

/** One merchant's sales with their lines, its row, its catalogue and its fiat total. */
function writeMerchant(ins: Inserters, m: Merchant, generatedAt: number): Written {
  const s = m.sales;
  let cents = 0;
  let saleLines = 0;
  for (let k = 0; k < s.length; k++) {
    const id = s.ids[k] as number;
    const date = s.dates[k] as number;
    cents += s.cents[k] as number;
    // created_at: stored a few seconds after the sale, as a poll would.
    ins.txs.add(m.id, id, "pos", date, s.sats[k], (s.cents[k] as number) / 100, "usd", date + 5000);
    const start = s.lineStart[k] as number;
    const n = s.lineCount[k] as number;
    for (let j = 0; j < n; j++) {
      const p = m.catalogue.products[s.lineProduct[start + j] as number];
      ins.lines.add(m.id, id, j, p?.id, p?.name, s.lineQuantity[start + j], s.lineUnitSats[start + j]);
    }
    saleLines += n;
  }
  ins.merchants.add(m.id, m.publicKey, m.name, 1, 0, 0, 0, m.createdAt, generatedAt);
  for (const p of m.catalogue.products) {
    ins.products.add(
      m.id,
      p.id,
      p.name,
      "usd",
      (p.priceCents / 100).toFixed(2),
      p.totalTransactions,
      p.totalUnitsSold,
      p.totalRevenueSats,
      p.active ? 1 : 0,
      0,
      generatedAt,
    );
  }
  ins.fiat.add(m.id, "usd", cents / 100);
  return { sales: s.length, saleLines, products: m.catalogue.products.length };
}

/**
 * Precomputed figures (running totals, rollups) come from the service's own rebuild, so they are
 * exactly what ingest would have kept; then full statistics, as a long-running server would have.
 */
async function rebuildFigures(file: string, log: (m: string) => void): Promise<void> {
  const store = await openDatabase(file);
  try {
    log("  rebuildDerived");
    await rebuildDerived(store.db);
    await sql`analyze`.execute(store.db);
    await sql`pragma optimize`.execute(store.db);
  } finally {
    await store.close();
  }
  // Fold the WAL into the file so a copy of the .db alone is complete.
  const tidy = new BetterSqlite3(file);
  tidy.pragma("wal_checkpoint(TRUNCATE)");
  tidy.close();
}

/**
 * Drops a merchant's generated sales once written: the Market keeps every sale it ever made, and
 * 10M of them would be gigabytes. Products and their cumulative figures stay on the catalogue.
 */
function forget(m: Merchant): void {
  (m as { sales: SaleStore }).sales = new SaleStore();
}
