import { type Kysely, type Migration, sql } from "kysely";

/** Issue 17's data health; ordered and frozen like the rest (migrations.ts). */
export const healthMigrations: Record<string, Migration> = {
  "0009_data_health": {
    async up(db: Kysely<unknown>) {
      // What /v1/admin/data-health shows beside last_error and consecutive_failures, which a successful
      // poll clears: every failure counted for good, the latest one's words and time (kept after a
      // recovery), and the malformed rows the latest poll that read an answer skipped, and all polls
      // together. Written by the statements that already run (the failure's update, the poll's own
      // update of its merchant row), so ingest does no extra write. Constant defaults: added in place.
      await sql`alter table merchants add column total_failures integer not null default 0`.execute(db);
      await sql`alter table merchants add column last_failure text`.execute(db);
      await sql`alter table merchants add column last_failed_at integer`.execute(db);
      await sql`alter table merchants add column skipped_rows integer not null default 0`.execute(db);
      await sql`alter table merchants add column skipped_rows_total integer not null default 0`.execute(db);
    },
  },
};
