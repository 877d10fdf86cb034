import { Readable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { stringify } from "csv-stringify/sync";
import * as S from "../contract/index.js";
import type { ExportBatch, ExportCursor, ExportRow } from "../store/exports.js";

/** CSV columns: each kind's fields in its contract schema's order, the one definition of its rows. */
const COLUMNS: Record<S.ExportKind, string[]> = {
  sales: Object.keys(S.TickerRow.properties),
  lines: Object.keys(S.ExportedLine.properties),
  products: Object.keys(S.ExportedProduct.properties),
  triggers: Object.keys(S.MilestoneTrigger.properties),
};

export const CONTENT_TYPES: Record<S.ExportFormat, string> = {
  csv: "text/csv; charset=utf-8; header=present",
  ndjson: "application/x-ndjson; charset=utf-8",
};

/** Turns one batch of rows into the file's next piece; `first` is the file's start (CSV: the header). */
type Encode = (rows: ExportRow[], first: boolean) => string;

export function encoder(kind: S.ExportKind, format: S.ExportFormat): Encode {
  if (format === "ndjson") return (rows) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  const columns = COLUMNS[kind];
  return (rows, first) =>
    stringify(rows, {
      header: first,
      columns,
      // RFC 4180: CRLF between records, fields quoted when they hold a comma, quote or line break.
      record_delimiter: "windows",
      // A name such as =HYPERLINK(…) from a merchant's catalogue must not run as a spreadsheet formula.
      escape_formulas: true,
      cast: { boolean: (v) => (v ? "true" : "false") },
    });
}

/** `sales-173-pwf-20251110T150000Z.csv`: what it holds and when it was taken. */
export function exportFilename(
  kind: S.ExportKind,
  format: S.ExportFormat,
  filter: { merchantId?: string | undefined; source?: string | undefined },
  now: number,
): string {
  const stamp = new Date(now).toISOString().replace(/[-:]|\.\d+/g, "");
  const parts = [kind, filter.merchantId, filter.source, stamp].filter((p) => p !== undefined);
  return `${parts.join("-")}.${format}`;
}

/**
 * The file as a byte stream read batch by batch: a batch is encoded only when the client has taken
 * the previous one (the stream's buffer is under its mark), with a turn of the event loop between
 * batches so other requests and the live stream go on; an aborted download destroys the stream, which
 * ends the generator, and nothing more is read.
 */
export function exportStream(
  first: ExportBatch<ExportRow>,
  readAfter: (cursor: ExportCursor) => Promise<ExportBatch<ExportRow>>,
  encode: Encode,
): Readable {
  async function* pieces(): AsyncGenerator<string> {
    let batch = first;
    for (let start = true; ; start = false) {
      // The next batch is asked for before this one is encoded and sent: the ingest thread reads it
      // meanwhile (two batches in memory at most). Settled either way, so an abort leaves no
      // unhandled rejection behind.
      const next = batch.next === null ? null : readAfter(batch.next);
      next?.catch(() => undefined);
      const piece = encode(batch.rows, start);
      if (piece !== "") yield piece;
      if (next === null) return;
      await nextTurn();
      batch = await next;
    }
  }
  // Bytes, not objects: the mark then bounds what waits here, about one batch.
  return Readable.from(pieces(), { objectMode: false, highWaterMark: 64 * 1024 });
}
