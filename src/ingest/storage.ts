/**
 * The database ingest owns, by configuration: PostgreSQL at DATABASE_URL when set (shared with the
 * other instances), else the SQLite file at DB_PATH. Either way a writer, on which every write runs,
 * and a connection for reads that never waits for a poll being stored.
 */
import type { FastifyBaseLogger } from "fastify";
import { describeDatabaseUrl } from "../config/database-url.js";
import { type Db, type OpenedDatabase, openDatabase, openReadConnection } from "../store/db.js";
import type { IngestThreadConfig } from "./thread-protocol.js";

export interface IngestStorage {
  writer: OpenedDatabase;
  readDb: Db;
  close(): Promise<void>;
}

/** Connections beside the polls in flight: reads, operators' changes, the delivery worker. */
const SPARE_CONNECTIONS = 6;

export async function openStorage(
  config: IngestThreadConfig,
  log: FastifyBaseLogger,
): Promise<IngestStorage> {
  if (config.databaseUrl !== undefined) return openPostgresStorage(config.databaseUrl, config, log);
  const writer = await openDatabase(config.dbPath);
  let reader: ReturnType<typeof openReadConnection> | undefined;
  try {
    // A second connection cannot see a `:memory:` database; there the writer answers reads too.
    if (config.dbPath !== ":memory:") reader = openReadConnection(config.dbPath);
  } catch (e) {
    await writer.close();
    throw e;
  }
  return {
    writer,
    readDb: reader?.db ?? writer.db,
    close: async () => {
      await reader?.close();
      await writer.close();
    },
  };
}

/** PostgreSQL's modules load only for an instance that uses it: SQLite's start-up never pays for them. */
async function openPostgresStorage(
  url: string,
  config: IngestThreadConfig,
  log: FastifyBaseLogger,
): Promise<IngestStorage> {
  const [{ openPostgres }, { whenReachable }] = await Promise.all([
    import("../store/postgres/open.js"),
    import("../store/postgres/reach.js"),
  ]);
  const where = describeDatabaseUrl(url);
  const writer = await whenReachable(
    () =>
      openPostgres(url, {
        max: config.pollConcurrency + SPARE_CONNECTIONS,
        applicationName: "live-pos-dashboard",
        ...(config.instanceId === undefined ? {} : { instanceId: config.instanceId }),
      }),
    {
      onWait: (reason, ms) =>
        log.warn(
          `PostgreSQL at ${where} cannot be reached (${reason}); trying again in ${(ms / 1000).toFixed(1)} s`,
        ),
    },
  );
  log.info(`storing on PostgreSQL at ${where}`);
  return { writer, readDb: writer.db, close: () => writer.close() };
}
