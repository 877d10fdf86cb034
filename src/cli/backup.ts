/**
 * `npm run backup -- FILE`: a consistent copy of the service's database (DB_PATH, read as the service
 * reads it: config/config.ts) into FILE, taken while the service runs and ingests (store/backup.ts).
 * Besides main.ts and add-merchant, the only place that reads the environment: DB_PATH, and
 * DATABASE_URL to refuse when the service runs on PostgreSQL (whose own pg_dump is the tool there).
 */
import { databasePath } from "../config/config.js";
import { backupDatabase } from "../store/backup.js";

async function run(): Promise<number> {
  const args = process.argv.slice(2);
  const file = args[0];
  if (args.length !== 1 || file === undefined || file.startsWith("-")) {
    console.error("usage: npm run backup -- FILE   (copies DB_PATH, default dashboard.db, into FILE)");
    return 2;
  }
  if (process.env.DATABASE_URL?.trim()) {
    console.error(
      'DATABASE_URL is set: the service runs on PostgreSQL, whose backups pg_dump takes (pg_dump -Fc -f FILE "$DATABASE_URL"); this command copies the SQLite file only',
    );
    return 2;
  }
  const source = databasePath(process.env);
  try {
    const { pages, ms } = await backupDatabase(source, file);
    console.log(`backed up ${source} to ${file} (${pages} pages in ${(ms / 1000).toFixed(1)} s)`);
    return 0;
  } catch (e) {
    console.error(`backup failed: ${(e as Error).message}`);
    return 1;
  }
}

process.exitCode = await run();
