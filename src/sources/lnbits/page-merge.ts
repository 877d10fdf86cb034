/**
 * Payments read over several pages, parsed page by page into one parse. Offsets count from the newest
 * row, so payments arriving between two pages push rows down and the next page repeats some: a row
 * already read is dropped here, silently (it is no malformed row), unless the repeat is the same
 * invoice now paid, which replaces its pending copy.
 */
import { SkippedRows } from "../../upstream/payload.js";
import { isObj, type Obj, type SourceParse, type SourceSale } from "../source-sale.js";
import { parseLnbitsPayments } from "./payments.js";

export class PageMerge {
  private readonly sales: SourceSale[] = [];
  private readonly saleKeys = new Set<string>();
  private notCounted = 0;
  private readonly skipped = new SkippedRows();
  /** Row identity → whether the copy read was a success. */
  private readonly seen = new Map<string, boolean>();
  private readonly hashes = new Set<string>();

  /** Adds a page; returns how many of its payments were new (a row that is no object never counts). */
  add(rows: unknown[]): number {
    const fresh: unknown[] = [];
    let newPayments = 0;
    for (const row of rows) {
      if (!isObj(row)) {
        fresh.push(row);
        continue;
      }
      const id = identity(row);
      const before = this.seen.get(id);
      const success = isSuccess(row);
      if (before === true || (before === false && !success)) continue;
      this.seen.set(id, success);
      if (typeof row.payment_hash === "string") this.hashes.add(row.payment_hash.toLowerCase());
      fresh.push(row);
      newPayments++;
    }
    if (fresh.length > 0) this.parse(fresh);
    return newPayments;
  }

  /** Whether a row with this payment hash was read. */
  has(hash: string): boolean {
    return this.hashes.has(hash);
  }

  private parse(rows: unknown[]): void {
    const p = parseLnbitsPayments(rows);
    this.notCounted += p.notCounted;
    for (const s of p.skipped) this.skipped.push(s);
    // Beyond the rows the parse keeps, its count still counts.
    this.skipped.count += p.skippedCount - p.skipped.length;
    for (const sale of p.sales) {
      if (this.saleKeys.has(sale.externalId)) {
        this.skipped.push({ kind: "sale", id: sale.externalId, reason: "listed twice in one answer" });
        continue;
      }
      this.saleKeys.add(sale.externalId);
      this.sales.push(sale);
    }
  }

  result(): SourceParse {
    return {
      sales: this.sales,
      withdrawn: [],
      notCounted: this.notCounted,
      skipped: this.skipped.rows,
      skippedCount: this.skipped.count,
    };
  }
}

/**
 * One payment row: its hash, its checking id and its direction (an internal payment's outgoing and
 * incoming halves share a hash).
 */
function identity(row: Obj): string {
  const amount = typeof row.amount === "number" ? Math.sign(row.amount) : "?";
  return `${String(row.payment_hash)}|${String(row.checking_id)}|${amount}`.toLowerCase();
}

function isSuccess(row: Obj): boolean {
  if (typeof row.status === "string") return row.status === "success";
  return row.pending === false;
}
