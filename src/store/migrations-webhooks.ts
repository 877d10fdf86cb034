import { type Kysely, type Migration, sql } from "kysely";

/** Issue 17's outgoing webhooks; ordered and frozen like the rest (migrations.ts). */
export const webhookMigrations: Record<string, Migration> = {
  "0008_outgoing_webhooks": {
    async up(db: Kysely<unknown>) {
      // Receivers an operator registered. The secret signs every body (HMAC-SHA256); it is never answered.
      await sql`
        create table webhooks (
          id integer primary key autoincrement,
          url text not null,
          secret text not null,
          on_milestone integer not null,
          on_sale integer not null,
          created_at integer not null,
          updated_at integer not null
        )`.execute(db);
      // The outbox: written in the transaction that stores the sales or fires the milestone, so a crash
      // keeps both or neither. delivery_id is sent on every attempt (X-Delivery-Id) for receivers to dedupe:
      // unique by construction (outbox.ts), not indexed, since a random key would scatter every insert.
      // body is the exact JSON sent and signed. status: pending, delivered, failed.
      await sql`
        create table webhook_deliveries (
          id integer primary key autoincrement,
          delivery_id text not null,
          webhook_id integer not null references webhooks (id) on delete cascade,
          event text not null,
          body text not null,
          status text not null,
          attempts integer not null default 0,
          next_attempt_at integer not null,
          last_error text,
          last_status_code integer,
          last_attempt_at integer,
          created_at integer not null,
          finished_at integer
        )`.execute(db);
      // Each webhook's oldest pending delivery is the next one sent (order per webhook).
      await sql`
        create index webhook_deliveries_pending on webhook_deliveries (webhook_id, id)
        where status = 'pending'`.execute(db);
      // The delivery log (newest first), pruning, and the cascade of a deleted webhook.
      await sql`create index webhook_deliveries_log on webhook_deliveries (webhook_id, id)`.execute(db);
    },
  },
};
