import type BetterSqlite3 from "better-sqlite3";

const ROWS_PER_INSERT = 100;

/** A multi-row INSERT bound from a flat array: one native call per 100 rows instead of per row. */
export function batchInserter(raw: BetterSqlite3.Database, table: string, columns: string[]) {
  const tuple = `(${columns.map(() => "?").join(",")})`;
  const head = `insert into ${table} (${columns.join(",")}) values `;
  const many = raw.prepare(head + Array(ROWS_PER_INSERT).fill(tuple).join(","));
  const one = raw.prepare(head + tuple);
  let buf: unknown[] = [];
  return {
    add(...values: unknown[]) {
      for (const v of values) buf.push(v);
      if (buf.length === ROWS_PER_INSERT * columns.length) {
        many.run(buf);
        buf = [];
      }
    },
    flush() {
      for (let i = 0; i < buf.length; i += columns.length) one.run(buf.slice(i, i + columns.length));
      buf = [];
    },
  };
}
