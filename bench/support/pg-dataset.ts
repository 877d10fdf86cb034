/**
 * A cached bench data set (a SQLite file, dataset.ts) copied into a fresh PostgreSQL database, so the
 * reads on PostgreSQL see exactly the rows, rollups and dates the reads on SQLite see. The service's
 * own migrations create the schema (openPostgres); every table both schemas have is copied row for
 * row, column by column, as unnested arrays of 10,000 rows (foreign keys not re-checked); then VACUUM ANALYZE, as autovacuum would
 * have left a long-running database (planner statistics, the visibility map for index-only scans).
 */
import BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { openPostgres } from "../../src/store/postgres/open.js";

/** Rows per insert: a few MB of parameters, far fewer round trips than rows. */
const ROWS_PER_INSERT = 10_000;
/** Referenced tables first, so every foreign key finds its row. */
const PARENTS_FIRST = ["merchants", "transactions", "milestones", "webhooks"];
/** The migrations' own bookkeeping: each engine keeps its own. */
const SKIP = new Set(["kysely_migration", "kysely_migration_lock"]);

export interface PostgresLoad {
  ms: number;
  /** Rows copied per table. */
  rows: Record<string, number>;
}

export async function loadIntoPostgres(sqliteFile: string, url: string): Promise<PostgresLoad> {
  const t0 = performance.now();
  const opened = await openPostgres(url, { max: 1, applicationName: "bench-load" });
  const raw = new BetterSqlite3(sqliteFile, { readonly: true });
  const rows: Record<string, number> = {};
  try {
    const client = await opened.pool.connect();
    try {
      const pgColumns = await postgresColumns(client);
      await client.query("begin");
      // The rows are consistent by construction (SQLite checked its foreign keys when they were
      // written): skipping the per-row foreign-key triggers (superuser only) makes the copy several
      // times faster, and the reads measured afterwards are the same.
      await client.query("set local session_replication_role = replica");
      for (const table of copyOrder(raw, pgColumns))
        rows[table] = await copyTable(raw, client, table, pgColumns);
      await resetIdentities(client);
      await client.query("commit");
      await client.query("vacuum analyze");
    } finally {
      client.release();
    }
  } finally {
    raw.close();
    await opened.close();
  }
  return { ms: performance.now() - t0, rows };
}

/** Column name → PostgreSQL type, per table of the public schema. */
async function postgresColumns(client: pg.PoolClient): Promise<Map<string, Map<string, string>>> {
  const { rows } = await client.query<{ table_name: string; column_name: string; type: string }>(
    `select table_name, column_name, format_type(atttypid, atttypmod) as type
     from information_schema.columns c
     join pg_attribute a on a.attrelid = ('public.' || quote_ident(c.table_name))::regclass
       and a.attname = c.column_name
     where c.table_schema = 'public'`,
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const cols = out.get(r.table_name) ?? new Map<string, string>();
    cols.set(r.column_name, r.type);
    out.set(r.table_name, cols);
  }
  return out;
}

/**
 * SQLite's non-empty tables in foreign-key order; one PostgreSQL lacks would mean rows the reads on
 * PostgreSQL never see, so it fails the load rather than measure a smaller data set.
 */
function copyOrder(raw: BetterSqlite3.Database, pgColumns: Map<string, Map<string, string>>): string[] {
  const tables = (
    raw
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .pluck()
      .all() as string[]
  ).filter((t) => !SKIP.has(t) && raw.prepare(`select exists (select 1 from "${t}")`).pluck().get() === 1);
  const missing = tables.filter((t) => !pgColumns.has(t));
  if (missing.length > 0) throw new Error(`PostgreSQL's schema has no table ${missing.join(", ")}`);
  const rank = (t: string) => (PARENTS_FIRST.includes(t) ? PARENTS_FIRST.indexOf(t) : PARENTS_FIRST.length);
  return tables.sort((a, b) => rank(a) - rank(b));
}

/** One table's rows, replacing what the migrations seeded there (the scenes, the event's settings). */
async function copyTable(
  raw: BetterSqlite3.Database,
  client: pg.PoolClient,
  table: string,
  pgColumns: Map<string, Map<string, string>>,
): Promise<number> {
  const types = pgColumns.get(table) as Map<string, string>;
  const columns = (
    raw.prepare(`select name from pragma_table_info('${table}')`).pluck().all() as string[]
  ).filter((c) => types.has(c));
  const list = columns.map((c) => `"${c}"`).join(", ");
  const unnest = columns.map((c, i) => `$${i + 1}::${types.get(c)}[]`).join(", ");
  const insert = `insert into "${table}" (${list}) select * from unnest(${unnest})`;
  await client.query(`delete from "${table}"`);
  let batch: unknown[][] = columns.map(() => []);
  let count = 0;
  const flush = async () => {
    if ((batch[0] as unknown[]).length > 0) await client.query(insert, batch);
    batch = columns.map(() => []);
  };
  for (const row of raw.prepare(`select ${list} from "${table}"`).raw().iterate() as Iterable<unknown[]>) {
    for (let i = 0; i < row.length; i++) (batch[i] as unknown[]).push(row[i]);
    if (++count % ROWS_PER_INSERT === 0) await flush();
  }
  await flush();
  return count;
}

/** Identity columns count on from the copied ids, as SQLite's autoincrement would. */
async function resetIdentities(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    "select table_name, column_name from information_schema.columns where table_schema = 'public' and is_identity = 'YES'",
  );
  for (const { table_name: t, column_name: c } of rows) {
    await client.query(
      `select setval(pg_get_serial_sequence('"${t}"', '${c}'), coalesce((select max("${c}") from "${t}"), 0) + 1, false)`,
    );
  }
}
