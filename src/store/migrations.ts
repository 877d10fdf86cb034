import { type Kysely, type Migration, type MigrationProvider, Migrator, type SqlBool, sql } from "kysely";
import { eventMigrations } from "./migrations-event.js";
import { healthMigrations } from "./migrations-health.js";
import { sourceMigrations } from "./migrations-sources.js";
import { webhookMigrations } from "./migrations-webhooks.js";

/**
 * Ordered and frozen: a migration that has shipped is never edited, only followed by a new one,
 * because databases in the field have already applied it.
 */
const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("merchants")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("public_key", "text", (c) => c.notNull())
        .addColumn("alias", "text", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("last_polled_at", "integer")
        .addColumn("last_error", "text")
        .addColumn("consecutive_failures", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("total_transactions", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("total_volume_sats", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "integer", (c) => c.notNull())
        .addColumn("updated_at", "integer", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("transactions")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
        .addColumn("sale_id", "integer", (c) => c.notNull())
        .addColumn("sale_origin", "text", (c) => c.notNull())
        .addColumn("sale_date", "integer", (c) => c.notNull())
        .addColumn("amount_sats", "integer", (c) => c.notNull())
        .addColumn("fiat_amount", "real")
        .addColumn("currency", "text")
        .addColumn("created_at", "integer", (c) => c.notNull())
        .addUniqueConstraint("transactions_merchant_sale", ["merchant_id", "sale_id"])
        .execute();
      // Ticker, rates and windowed leaderboards all range over sale_date.
      await db.schema.createIndex("transactions_sale_date").on("transactions").column("sale_date").execute();
      await db.schema
        .createIndex("transactions_merchant_date")
        .on("transactions")
        .columns(["merchant_id", "sale_date"])
        .execute();

      await db.schema
        .createTable("sale_lines")
        .addColumn("merchant_id", "text", (c) => c.notNull())
        .addColumn("sale_id", "integer", (c) => c.notNull())
        .addColumn("line_no", "integer", (c) => c.notNull())
        .addColumn("product_id", "integer", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("quantity", "real", (c) => c.notNull())
        .addColumn("unit_sats", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("sale_lines_pk", ["merchant_id", "sale_id", "line_no"])
        .addForeignKeyConstraint(
          "sale_lines_sale",
          ["merchant_id", "sale_id"],
          "transactions",
          ["merchant_id", "sale_id"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("products")
        .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
        .addColumn("product_id", "integer", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("currency", "text")
        .addColumn("price", "text")
        .addColumn("total_transactions", "integer", (c) => c.notNull())
        .addColumn("total_units_sold", "integer", (c) => c.notNull())
        .addColumn("total_revenue_sats", "integer", (c) => c.notNull())
        .addColumn("active", "integer", (c) => c.notNull())
        .addColumn("deleted", "integer", (c) => c.notNull())
        .addColumn("updated_at", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("products_pk", ["merchant_id", "product_id"])
        .execute();

      await db.schema
        .createTable("fiat_totals")
        .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("amount", "real", (c) => c.notNull())
        .addPrimaryKeyConstraint("fiat_totals_pk", ["merchant_id", "currency"])
        .execute();

      await db.schema
        .createTable("milestones")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("threshold", "integer", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("triggered_at", "integer")
        .addColumn("created_at", "integer", (c) => c.notNull())
        .addColumn("updated_at", "integer", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("milestone_triggers")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("milestone_id", "integer", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("threshold", "integer", (c) => c.notNull())
        .addColumn("triggered_at", "integer", (c) => c.notNull())
        .addColumn("total_transactions", "integer", (c) => c.notNull())
        .addColumn("total_volume_sats", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("milestone_triggers_time")
        .on("milestone_triggers")
        .column("triggered_at")
        .execute();
    },
  },
  "0002_read_rollups": {
    async up(db: Kysely<unknown>) {
      // Sales per merchant per UTC hour, kept in the ingest transaction: a 24 h leaderboard adds up at
      // most 24 rows per merchant plus the raw sales of the leading partial hour, however long the history.
      await db.schema
        .createTable("sales_by_hour")
        .addColumn("hour", "integer", (c) => c.notNull())
        .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
        .addColumn("transactions", "integer", (c) => c.notNull())
        .addColumn("volume_sats", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("sales_by_hour_pk", ["hour", "merchant_id"])
        .modifyEnd(sql`without rowid`)
        .execute();
      await db.schema
        .createIndex("sales_by_hour_merchant")
        .on("sales_by_hour")
        .columns(["merchant_id", "hour"])
        .execute();
      await sql`
        insert into sales_by_hour (hour, merchant_id, transactions, volume_sats)
        select sale_date - ((sale_date % 3600000) + 3600000) % 3600000, merchant_id, count(*), sum(amount_sats)
        from transactions group by 1, 2`.execute(db);

      // The all-time product leaderboard reads the top rows of one of these instead of sorting every product.
      for (const [name, first, second] of [
        ["products_rank_transactions", "total_transactions", "total_revenue_sats"],
        ["products_rank_volume", "total_revenue_sats", "total_transactions"],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on("products")
          .columns([`${first} desc`, `${second} desc`, "merchant_id", "product_id"])
          .where(sql<SqlBool>`active = 1 and deleted = 0 and total_transactions > 0`)
          .execute();
      }

      // Digest of the last upstream body stored for the merchant: an identical body is not parsed again.
      await db.schema.alterTable("merchants").addColumn("body_digest", "text").execute();
    },
  },
  "0003_product_rollups": {
    async up(db: Kysely<unknown>) {
      // Per product per UTC hour, kept in the ingest transaction like sales_by_hour: a windowed product
      // leaderboard adds up hourly rows instead of joining every sale line of the window.
      // transactions = sales containing the product (a sale is in one hour, so hours add up exactly);
      // volume_sats = its lines' round(quantity × unit sats), rounded per line as the raw count does.
      await db.schema
        .createTable("product_sales_by_hour")
        .addColumn("hour", "integer", (c) => c.notNull())
        .addColumn("merchant_id", "text", (c) => c.notNull().references("merchants.id").onDelete("cascade"))
        .addColumn("product_id", "integer", (c) => c.notNull())
        .addColumn("transactions", "integer", (c) => c.notNull())
        .addColumn("volume_sats", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("product_sales_by_hour_pk", ["hour", "merchant_id", "product_id"])
        .modifyEnd(sql`without rowid`)
        .execute();
      // Deleting a merchant cascades here; without it each delete would scan the whole rollup.
      await db.schema
        .createIndex("product_sales_by_hour_merchant")
        .on("product_sales_by_hour")
        .columns(["merchant_id", "hour"])
        .execute();
      await sql`
        insert into product_sales_by_hour (hour, merchant_id, product_id, transactions, volume_sats)
        select t.sale_date - ((t.sale_date % 3600000) + 3600000) % 3600000, l.merchant_id, l.product_id,
          count(distinct l.sale_id), sum(round(l.quantity * l.unit_sats))
        from sale_lines l join transactions t on t.merchant_id = l.merchant_id and t.sale_id = l.sale_id
        group by 1, 2, 3`.execute(db);
    },
  },
  "0004_minute_rollups": {
    async up(db: Kysely<unknown>) {
      // Per minute, for the sales of the last two hours only (older minutes are dropped as polls go on):
      // an event's 5m and 1h windows would otherwise add up to an hour of raw sales before the first
      // whole hour. complete_from is where the minute rows start to hold every stored sale.
      await sql`
        create table sales_by_minute (
          minute integer not null,
          merchant_id text not null references merchants (id) on delete cascade,
          transactions integer not null,
          volume_sats integer not null,
          constraint sales_by_minute_pk primary key (minute, merchant_id)
        ) without rowid`.execute(db);
      await sql`
        create table product_sales_by_minute (
          minute integer not null,
          merchant_id text not null references merchants (id) on delete cascade,
          product_id integer not null,
          transactions integer not null,
          volume_sats integer not null,
          constraint product_sales_by_minute_pk primary key (minute, merchant_id, product_id)
        ) without rowid`.execute(db);
      // Deleting a merchant cascades here; without these each delete would scan the whole table.
      await sql`create index sales_by_minute_merchant on sales_by_minute (merchant_id, minute)`.execute(db);
      await sql`
        create index product_sales_by_minute_merchant on product_sales_by_minute (merchant_id, minute)`.execute(
        db,
      );
      await sql`create table minute_rollup_coverage (complete_from integer not null)`.execute(db);
      await sql`
        insert into minute_rollup_coverage (complete_from)
        select coalesce((max(sale_date) - 7200000 + 59999) / 60000 * 60000, 0) from transactions`.execute(db);
      await sql`
        insert into sales_by_minute (minute, merchant_id, transactions, volume_sats)
        select sale_date - ((sale_date % 60000) + 60000) % 60000, merchant_id, count(*), sum(amount_sats)
        from transactions where sale_date >= (select complete_from from minute_rollup_coverage) group by 1, 2`.execute(
        db,
      );
      await sql`
        insert into product_sales_by_minute (minute, merchant_id, product_id, transactions, volume_sats)
        select t.sale_date - ((t.sale_date % 60000) + 60000) % 60000, l.merchant_id, l.product_id,
          count(distinct l.sale_id), sum(round(l.quantity * l.unit_sats))
        from sale_lines l join transactions t on t.merchant_id = l.merchant_id and t.sale_id = l.sale_id
        where t.sale_date >= (select complete_from from minute_rollup_coverage)
        group by 1, 2, 3`.execute(db);
    },
  },
  // 0005 and on: issue 14's sources and scenes, issue 15's source settings.
  ...sourceMigrations,
  // 0007: issue 16's event settings.
  ...eventMigrations,
  // 0008: issue 17's outgoing webhooks.
  ...webhookMigrations,
  // 0009: issue 17's data health.
  ...healthMigrations,
};

export function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  return runMigrations(db, migrations);
}

/** Applies what `list` has that the database has not (either engine's list: postgres/migrations.ts). */
export async function runMigrations(db: Kysely<unknown>, list: Record<string, Migration>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => list };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
  }
}
