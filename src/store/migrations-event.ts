import { type Kysely, type Migration, sql } from "kysely";

/** Issue 16's event settings; ordered and frozen like the rest (migrations.ts). */
export const eventMigrations: Record<string, Migration> = {
  "0007_event_settings": {
    async up(db: Kysely<unknown>) {
      // One row (id 1), so a read never has to ask whether settings exist. The defaults are what the
      // screens showed before there were settings (contract/event.ts). time_zone null: each screen its
      // own device's zone; doors_opened_at null: figures are all-time. The logo lives here too, as bytes
      // (at most LOGO_MAX_BYTES): it is served by us, and a backup of the file keeps it.
      await sql`
        create table event_settings (
          id integer primary key check (id = 1),
          name text not null,
          accent_color text not null,
          time_zone text,
          display_currency text not null,
          doors_opened_at integer,
          celebration_seconds integer not null,
          sound integer not null,
          public_url text,
          theme text not null,
          logo blob,
          logo_type text,
          logo_sha256 text,
          logo_updated_at integer,
          updated_at integer not null
        )`.execute(db);
      await sql`
        insert into event_settings
          (id, name, accent_color, display_currency, celebration_seconds, sound, theme, updated_at)
        values (1, 'Live POS Dashboard', '#f7931a', 'sats', 9, 0, 'dark', ${Date.now()})`.execute(db);
    },
  },
};
