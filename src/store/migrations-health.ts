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

      // The stored sales per product over all time, kept in the ingest transaction beside the hourly
      // rollups (the same sums without the hour): comparing them with a source's product totals then
      // reads a row per product. Adding up product_sales_by_hour at read time took 2-3.5 s at 1,000
      // merchants with 30 products and 72 hours each, on the ingest thread.
      await sql`
        create table product_sales_totals (
          merchant_id text not null references merchants (id) on delete cascade,
          product_id integer not null,
          transactions integer not null,
          volume_sats integer not null,
          constraint product_sales_totals_pk primary key (merchant_id, product_id)
        ) without rowid`.execute(db);
      await sql`
        insert into product_sales_totals (merchant_id, product_id, transactions, volume_sats)
        select merchant_id, product_id, sum(transactions), sum(volume_sats)
        from product_sales_by_hour group by merchant_id, product_id`.execute(db);
    },
  },
};
