/**
 * The cold-ingest baseline: bare better-sqlite3 prepared INSERT OR IGNORE of the same sales and lines,
 * from rows already in memory, in one transaction, into the same schema with the same pragmas. It is
 * the floor of what any ingest path through SQLite can cost, so the poll path is reported against it.
 */
import BetterSqlite3 from "better-sqlite3";
import { openDatabase } from "../../src/store/db.js";
import type { ParsedPoll } from "../../src/upstream/payload.js";
import { registerMerchants } from "./common.js";
import type { MockReady } from "./protocol.js";

type SaleRow = [string, number, string, number, number, number | null, string | null, number];
type LineRow = [string, number, number, number, string, number, number];

export interface BaselineRows {
  sales: SaleRow[];
  lines: LineRow[];
}

/** Flattens a parsed poll into positional rows once, outside the timing. */
export function baselineRows(merchantId: string, poll: ParsedPoll, now: number): BaselineRows {
  const sales: SaleRow[] = [];
  const lines: LineRow[] = [];
  for (const s of poll.sales) {
    sales.push([merchantId, s.saleId, s.origin, s.date, s.amountSats, s.fiatAmount, s.currency, now]);
    s.lines.forEach((l, i) => {
      lines.push([merchantId, s.saleId, i, l.productId, l.name, l.quantity, l.unitSats]);
    });
  }
  return { sales, lines };
}

/** One timed baseline run into a fresh database at `file`; returns the milliseconds of the transaction. */
export async function runBaseline(
  file: string,
  merchant: MockReady["merchants"][number],
  rows: BaselineRows,
): Promise<number> {
  // The migrations create the tables, so the schema (indexes, foreign keys) is exactly the service's.
  const store = await openDatabase(file);
  try {
    await registerMerchants(store, [merchant]);
  } finally {
    await store.close();
  }
  const raw = new BetterSqlite3(file);
  try {
    // The pragmas openDatabase sets; foreign keys too, since the service checks them on every line.
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = NORMAL");
    raw.pragma("foreign_keys = ON");
    const sale = raw.prepare(
      "INSERT OR IGNORE INTO transactions (merchant_id, sale_id, sale_origin, sale_date, amount_sats, fiat_amount, currency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const line = raw.prepare(
      "INSERT OR IGNORE INTO sale_lines (merchant_id, sale_id, line_no, product_id, name, quantity, unit_sats) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const insertAll = raw.transaction(() => {
      for (const r of rows.sales) sale.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
      for (const r of rows.lines) line.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    });
    const t0 = performance.now();
    insertAll();
    const ms = performance.now() - t0;
    const stored = raw.prepare("SELECT count(*) AS n FROM transactions").get() as { n: number };
    if (stored.n !== rows.sales.length)
      throw new Error(`baseline stored ${stored.n} sales, expected ${rows.sales.length}`);
    return ms;
  } finally {
    raw.close();
  }
}
