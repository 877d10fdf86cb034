import { type Kysely, type Migration, sql } from "kysely";

/** The migrations after 0004, kept apart only for length; ordered and frozen like the rest (migrations.ts). */
export const sourceMigrations: Record<string, Migration> = {
  "0005_sources_and_scenes": {
    async up(db: Kysely<unknown>) {
      // Where a merchant's sales come from: "pwf" (PayWithFlash polling), "wifi" (the LNbits webhook),
      // later more. Plain text with a default, no check constraint: a new source is a new value, and
      // existing rows are not rewritten (SQLite adds a column with a constant default in place).
      // A merchant has one source for life; each sale carries its merchant's, so a filtered ticker reads
      // one index and filtered totals and rollups pick the source's merchants (O(merchants)).
      await sql`alter table merchants add column source text not null default 'pwf'`.execute(db);
      await sql`alter table transactions add column source text not null default 'pwf'`.execute(db);
      // The upstream's own id of a sale when it is not a number (a webhook's payment hash).
      await sql`alter table transactions add column external_id text`.execute(db);
      await sql`create index transactions_source_date on transactions (source, sale_date)`.execute(db);
      // A redelivered webhook names its payment again: at most one sale per merchant and external id.
      await sql`
        create unique index transactions_merchant_external on transactions (merchant_id, external_id)
        where external_id is not null`.execute(db);

      // The venue screens' playlist. `position` is the API's `order` (a keyword in SQL).
      await sql`
        create table scenes (
          id text primary key,
          name text not null,
          duration_ms integer not null,
          enabled integer not null,
          position integer not null,
          content text not null default '',
          created_at integer not null,
          updated_at integer not null
        )`.execute(db);
      // Seeded once, for a new database and for one that predates scenes: our web app's four scenes and
      // the original frontend's two extra ones. WiFi and merch start disabled: until a webhook delivers
      // sales or the operator writes the merch text they would put an empty scene in front of the room.
      const at = Date.now();
      const seeds: [string, string, number, number][] = [
        ["overview", "Overview", 1, 1],
        ["merchants", "Merchants", 2, 1],
        ["products", "Products", 3, 1],
        ["trends", "Trends", 4, 1],
        ["wifi", "WiFi", 5, 0],
        ["merch", "Merch", 6, 0],
      ];
      for (const [id, name, position, enabled] of seeds) {
        await sql`
          insert into scenes (id, name, duration_ms, enabled, position, content, created_at, updated_at)
          values (${id}, ${name}, 20000, ${enabled}, ${position}, '', ${at}, ${at})`.execute(db);
      }
    },
  },
  "0006_source_settings": {
    async up(db: Kysely<unknown>) {
      // How to reach a BTCPay or LNbits merchant (contract/sources.ts), as JSON: null for PayWithFlash
      // (its public key is its whole setting) and WiFi. Holds secrets: never selected for an answer
      // or a log line, only masked (store/source-settings.ts).
      await sql`alter table merchants add column source_settings text`.execute(db);
      // What the source's client needs to ask for less on its next poll (a cursor, a window's start),
      // written in the poll's own transaction; null means "read the whole history".
      await sql`alter table merchants add column sync_state text`.execute(db);
    },
  },
};
