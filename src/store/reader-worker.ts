/** The reader worker's thread: one read-only connection answering named dashboard reads. */
import { parentPort, workerData } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { type ReadName, runRead } from "./reader.js";
import type { Database } from "./schema.js";

const port = parentPort;
if (!port) throw new Error("reader-worker.js runs as a worker thread only");

let db: Kysely<Database>;
try {
  const sqlite = new BetterSqlite3((workerData as { path: string }).path, { fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  // Reads only: a bug that tried to write here fails instead of competing with the ingest writer.
  sqlite.pragma("query_only = ON");
  db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  port.postMessage({ ready: true });
} catch (e) {
  port.postMessage({ error: (e as Error).message });
  process.exit(1);
}

port.on("message", (m: { id: number; name: ReadName; args: never }) => {
  runRead(db, m.name, m.args).then(
    (result) => port.postMessage({ id: m.id, result }),
    (e: unknown) => port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});
