/**
 * The same rows on either engine for the store-level read suites (test/engines-*-reads.test.ts),
 * written with plain Kysely inserts, so the reads are checked alone, whatever the ingest path does on
 * that engine. The rollups are what the poll transaction would have kept for these sales, so every
 * answer can be worked out by hand. Chosen for the differences between the engines: sums above 2^31
 * (and a merchant total above 2^32), NULL fiat and currency, two sales at the same instant (ties broken
 * by id), a sale dated before 1970, a line whose sats end in exactly .5 (SQLite's round goes up,
 * PostgreSQL's round of a double goes to even), two aliases alike, a disabled merchant with no sale.
 */
import type { Insertable, Kysely } from "kysely";
import type { Database, MerchantsTable } from "../../src/store/schema.js";

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
/** 15:30:30 UTC: windows then start mid-minute and mid-hour. */
export const NOW = Date.parse("2025-11-10T15:30:30Z");
/** 1969-07-20T20:17:40Z: before the epoch, negative milliseconds. */
export const BEFORE_1970 = Date.parse("1969-07-20T20:17:40Z");
export const DOORS = NOW - 4 * HOUR;

const merchant = (
  id: string,
  alias: string,
  more: Partial<Insertable<MerchantsTable>>,
): Insertable<MerchantsTable> => ({
  id,
  public_key: `key-${id}`,
  alias,
  enabled: 1,
  last_polled_at: null,
  last_error: null,
  body_digest: null,
  source_settings: null,
  sync_state: null,
  last_failure: null,
  last_failed_at: null,
  // Every column, defaults too: a multi-row insert writes NULL (SQLite) for a key another row lacks.
  source: "pwf",
  consecutive_failures: 0,
  total_transactions: 0,
  total_volume_sats: 0,
  total_failures: 0,
  skipped_rows: 0,
  skipped_rows_total: 0,
  created_at: NOW - HOUR,
  updated_at: NOW - HOUR,
  ...more,
});

const sale = (
  merchant_id: string,
  sale_id: number,
  sale_date: number,
  amount_sats: number,
  fiat: [number, string] | null,
  more: { source?: string; external_id?: string } = {},
) => ({
  merchant_id,
  sale_id,
  sale_origin: "pos",
  sale_date,
  amount_sats,
  fiat_amount: fiat?.[0] ?? null,
  currency: fiat?.[1] ?? null,
  created_at: NOW,
  source: more.source ?? "pwf",
  external_id: more.external_id ?? null,
});

const line = (
  merchant_id: string,
  sale_id: number,
  line_no: number,
  product_id: number,
  name: string,
  quantity: number,
  unit_sats: number,
) => ({ merchant_id, sale_id, line_no, product_id, name, quantity, unit_sats });

const product = (
  merchant_id: string,
  product_id: number,
  name: string,
  tx: number,
  units: number,
  sats: number,
  flags: { active?: number; deleted?: number; currency?: string; price?: string } = {},
) => ({
  merchant_id,
  product_id,
  name,
  currency: flags.currency ?? null,
  price: flags.price ?? null,
  total_transactions: tx,
  total_units_sold: units,
  total_revenue_sats: sats,
  active: flags.active ?? 1,
  deleted: flags.deleted ?? 0,
  updated_at: NOW - MINUTE,
});

const at = (iso: string) => Date.parse(iso);

export async function seedReads(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto("merchants")
    .values([
      // Polled 10 s ago; its running totals are above 2^32.
      merchant("alpha", "Alpha", {
        last_polled_at: NOW - 10_000,
        total_transactions: 3,
        total_volume_sats: 5_000_000_000,
        consecutive_failures: 0,
        total_failures: 2,
        last_failure: "HTTP 502",
        last_failed_at: NOW - 2 * HOUR,
        skipped_rows: 1,
        skipped_rows_total: 4,
      }),
      // Failing and silent since it was added an hour ago: not reporting.
      merchant("beta", "Beta", {
        last_error: "timeout",
        consecutive_failures: 3,
        total_failures: 3,
        last_failure: "timeout",
        last_failed_at: NOW - MINUTE,
        total_transactions: 1,
        total_volume_sats: 1234,
      }),
      merchant("wifi1", "WiFi Bar", { source: "wifi", total_transactions: 2, total_volume_sats: 5000 }),
      // Same alias as alpha (ties broken by id), disabled, never polled, no sale.
      merchant("aoff", "Alpha", { enabled: 0 }),
    ])
    .execute();
  await db
    .insertInto("transactions")
    .values([
      // Two sales at the same instant: id 1 then id 2.
      sale("alpha", 1, NOW - 20_000, 2_500_000_000, [12.5, "usd"]),
      sale("alpha", 2, NOW - 20_000, 2_000_000_000, null),
      sale("alpha", 3, BEFORE_1970, 500_000_000, [3.25, "eur"]),
      sale("beta", 7, NOW - 3 * HOUR, 1234, [1.1, "usd"]),
      sale("wifi1", 1, NOW - 30 * MINUTE, 2000, [0.8, "usd"], { source: "wifi", external_id: "hash-abc" }),
      sale("wifi1", 2, NOW - 90_000, 3000, null, { source: "wifi", external_id: "hash-def" }),
    ])
    .execute();
  await db
    .insertInto("sale_lines")
    .values([
      line("alpha", 1, 1, 1, "Coffee", 0.5, 5), // 2.5 sats: 3 on both engines
      line("alpha", 1, 2, 2, "Tea", 1, 2_499_999_997),
      line("alpha", 2, 1, 1, "Coffee", 1, 2_000_000_000),
      line("alpha", 3, 1, 2, "Tea", 1, 500_000_000),
      line("beta", 7, 1, 9, "Cake", 3, 411),
      line("beta", 7, 2, 9, "Cake", 0.5, 3), // 1.5 sats: 2 (PostgreSQL's even rounding agrees here)
    ])
    .execute();
  await db
    .insertInto("products")
    .values([
      // The source's totals; Coffee's differ from what the stored sales add up to.
      product("alpha", 1, "Coffee", 5, 7, 2_000_000_010, { currency: "usd", price: "3.50" }),
      product("alpha", 2, "Tea", 2, 2, 2_999_999_997),
      product("alpha", 3, "Gone", 4, 4, 400, { deleted: 1 }),
      product("beta", 9, "Cake", 1, 3, 1235),
      product("beta", 10, "Pie", 1, 3, 1235),
      product("beta", 11, "Unsold", 0, 0, 0),
    ])
    .execute();
  await seedRollups(db);
  await db
    .insertInto("fiat_totals")
    .values([
      { merchant_id: "alpha", currency: "usd", amount: 12.5 },
      { merchant_id: "alpha", currency: "eur", amount: 3.25 },
      { merchant_id: "beta", currency: "usd", amount: 1.1 },
      { merchant_id: "wifi1", currency: "usd", amount: 0.8 },
    ])
    .execute();
  await seedTriggers(db);
  await db.updateTable("event_settings").set({ doors_opened_at: DOORS }).where("id", "=", 1).execute();
}

/** Hour rows for every sale, minute rows for those of the last two hours (what the poll keeps). */
async function seedRollups(db: Kysely<Database>): Promise<void> {
  const pre = Math.floor(BEFORE_1970 / HOUR) * HOUR;
  await db
    .insertInto("sales_by_hour")
    .values([
      { hour: at("2025-11-10T15:00:00Z"), merchant_id: "alpha", transactions: 2, volume_sats: 4_500_000_000 },
      { hour: pre, merchant_id: "alpha", transactions: 1, volume_sats: 500_000_000 },
      { hour: at("2025-11-10T12:00:00Z"), merchant_id: "beta", transactions: 1, volume_sats: 1234 },
      { hour: at("2025-11-10T15:00:00Z"), merchant_id: "wifi1", transactions: 2, volume_sats: 5000 },
    ])
    .execute();
  await db
    .insertInto("sales_by_minute")
    .values([
      {
        minute: at("2025-11-10T15:30:00Z"),
        merchant_id: "alpha",
        transactions: 2,
        volume_sats: 4_500_000_000,
      },
      { minute: at("2025-11-10T15:00:00Z"), merchant_id: "wifi1", transactions: 1, volume_sats: 2000 },
      { minute: at("2025-11-10T15:29:00Z"), merchant_id: "wifi1", transactions: 1, volume_sats: 3000 },
    ])
    .execute();
  const p = (
    hourOrMinute: number,
    merchant_id: string,
    product_id: number,
    transactions: number,
    volume_sats: number,
  ) => ({ merchant_id, product_id, transactions, volume_sats, at: hourOrMinute });
  const hours = [
    p(at("2025-11-10T15:00:00Z"), "alpha", 1, 2, 2_000_000_003),
    p(at("2025-11-10T15:00:00Z"), "alpha", 2, 1, 2_499_999_997),
    p(pre, "alpha", 2, 1, 500_000_000),
    p(at("2025-11-10T12:00:00Z"), "beta", 9, 1, 1235),
  ];
  await db
    .insertInto("product_sales_by_hour")
    .values(hours.map(({ at: hour, ...r }) => ({ hour, ...r })))
    .execute();
  const minutes = hours.slice(0, 2).map(({ at: _, ...r }) => ({ minute: at("2025-11-10T15:30:00Z"), ...r }));
  await db.insertInto("product_sales_by_minute").values(minutes).execute();
  await db
    .insertInto("product_sales_totals")
    .values([
      { merchant_id: "alpha", product_id: 1, transactions: 2, volume_sats: 2_000_000_003 },
      { merchant_id: "alpha", product_id: 2, transactions: 2, volume_sats: 2_999_999_997 },
      { merchant_id: "beta", product_id: 9, transactions: 1, volume_sats: 1235 },
    ])
    .execute();
  await db
    .updateTable("minute_rollup_coverage")
    .set({ complete_from: NOW - 2 * HOUR })
    .execute();
}

async function seedTriggers(db: Kysely<Database>): Promise<void> {
  const trigger = (milestone_id: number, name: string, triggered_at: number, total_volume_sats: number) => ({
    milestone_id,
    name,
    type: "volume",
    threshold: 1_000_000_000 * milestone_id,
    triggered_at,
    total_transactions: 2,
    total_volume_sats,
  });
  await db
    .insertInto("milestone_triggers")
    .values([
      trigger(1, "First billion", NOW - 20_000, 4_500_000_000),
      // Fired in the same commit as the first: same instant, later id.
      trigger(2, "Two billion", NOW - 20_000, 4_500_000_000),
      trigger(3, "Before the doors", DOORS - HOUR, 3_000_000_000),
    ])
    .execute();
}
