import type BetterSqlite3 from "better-sqlite3";

const PRODUCT_FIELDS = [
  "name",
  "currency",
  "price",
  "total_transactions",
  "total_units_sold",
  "total_revenue_sats",
  "active",
  "deleted",
] as const;

export type PollStatements = ReturnType<typeof preparePollStatements>;

/** The source of every sale a poll stores: the poller reads PayWithFlash, and polls no other merchant. */
export const POLLED_SOURCE = "pwf";

/** Every source the poller reads, each through its own client (sources/registry.ts). */
export const POLLED_SOURCES = ["pwf", "btcpay", "lnbits"] as const;
export type PolledSourceName = (typeof POLLED_SOURCES)[number];

/**
 * Every poll runs these, hundreds of times a second with many merchants: prepared once on the writer
 * connection instead of built and prepared by Kysely each time, which cost more than running them.
 * A PostgreSQL port would use multi-row inserts or COPY here instead.
 */
export function preparePollStatements(conn: BetterSqlite3.Database) {
  return {
    merchant: conn.prepare("select alias, body_digest, last_error from merchants where id = ?"),
    stamp: conn.prepare(
      "update merchants set last_polled_at = ? where id = ? and (last_polled_at is null or last_polled_at < ?)",
    ),
    maxSaleId: conn.prepare("select max(sale_id) from transactions where merchant_id = ?").pluck(),
    storedBlock: conn.prepare(
      `select count(*) as n, coalesce(sum(sale_id), 0) as sum from transactions
       where merchant_id = ? and sale_id between ? and ?`,
    ),
    storedSale: conn.prepare("select 1 from transactions where merchant_id = ? and sale_id = ?").pluck(),
    sale: conn.prepare(
      `insert into transactions (merchant_id, sale_id, sale_origin, sale_date, amount_sats, fiat_amount, currency, created_at, source)
       values (?, ?, ?, ?, ?, ?, ?, ?, '${POLLED_SOURCE}') on conflict (merchant_id, sale_id) do nothing`,
    ),
    line: conn.prepare(
      `insert into sale_lines (merchant_id, sale_id, line_no, product_id, name, quantity, unit_sats)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (merchant_id, sale_id, line_no) do nothing`,
    ),
    addTotals: conn.prepare(
      `update merchants set total_transactions = total_transactions + ?, total_volume_sats = total_volume_sats + ?
       where id = ?`,
    ),
    recordPoll: conn.prepare(
      `update merchants set total_transactions = total_transactions + ?, total_volume_sats = total_volume_sats + ?,
         last_polled_at = ?, last_error = null, consecutive_failures = 0, body_digest = coalesce(?, body_digest),
         skipped_rows = coalesce(?, skipped_rows), skipped_rows_total = skipped_rows_total + coalesce(?, 0)
       where id = ?`,
    ),
    addToHour: conn.prepare(
      `insert into sales_by_hour (hour, merchant_id, transactions, volume_sats) values (?, ?, ?, ?)
       on conflict (hour, merchant_id) do update set
         transactions = transactions + excluded.transactions, volume_sats = volume_sats + excluded.volume_sats`,
    ),
    addToProductHour: conn.prepare(
      `insert into product_sales_by_hour (hour, merchant_id, product_id, transactions, volume_sats)
       values (?, ?, ?, ?, ?)
       on conflict (hour, merchant_id, product_id) do update set
         transactions = transactions + excluded.transactions, volume_sats = volume_sats + excluded.volume_sats`,
    ),
    addToProductTotal: conn.prepare(
      `insert into product_sales_totals (merchant_id, product_id, transactions, volume_sats) values (?, ?, ?, ?)
       on conflict (merchant_id, product_id) do update set
         transactions = transactions + excluded.transactions, volume_sats = volume_sats + excluded.volume_sats`,
    ),
    addToMinute: conn.prepare(
      `insert into sales_by_minute (minute, merchant_id, transactions, volume_sats) values (?, ?, ?, ?)
       on conflict (minute, merchant_id) do update set
         transactions = transactions + excluded.transactions, volume_sats = volume_sats + excluded.volume_sats`,
    ),
    addToProductMinute: conn.prepare(
      `insert into product_sales_by_minute (minute, merchant_id, product_id, transactions, volume_sats)
       values (?, ?, ?, ?, ?)
       on conflict (minute, merchant_id, product_id) do update set
         transactions = transactions + excluded.transactions, volume_sats = volume_sats + excluded.volume_sats`,
    ),
    minuteCoverage: conn.prepare("select complete_from from minute_rollup_coverage").pluck(),
    setMinuteCoverage: conn.prepare("update minute_rollup_coverage set complete_from = ?"),
    dropMinutesBefore: conn.prepare("delete from sales_by_minute where minute < ?"),
    dropProductMinutesBefore: conn.prepare("delete from product_sales_by_minute where minute < ?"),
    addFiat: conn.prepare(
      `insert into fiat_totals (merchant_id, currency, amount) values (?, ?, ?)
       on conflict (merchant_id, currency) do update set amount = amount + excluded.amount`,
    ),
    // A re-poll that changes nothing writes nothing (and keeps updated_at meaningful).
    product: conn.prepare(
      `insert into products (merchant_id, product_id, ${PRODUCT_FIELDS.join(", ")}, updated_at)
       values (?, ?, ${PRODUCT_FIELDS.map(() => "?").join(", ")}, ?)
       on conflict (merchant_id, product_id) do update set
         ${PRODUCT_FIELDS.map((c) => `${c} = excluded.${c}`).join(", ")}, updated_at = excluded.updated_at
       where ${PRODUCT_FIELDS.map((c) => `products.${c} is not excluded.${c}`).join(" or ")}`,
    ),
    // Outgoing webhooks (outbox.ts): most events have none subscribed to sales, and then cost this one read.
    saleHooks: conn.prepare("select id, created_at from webhooks where on_sale = 1"),
    enqueueDelivery: conn.prepare(
      `insert into webhook_deliveries (delivery_id, webhook_id, event, body, status, attempts, next_attempt_at, created_at)
       values (?, ?, ?, ?, 'pending', 0, ?, ?)`,
    ),
    armedMilestones: conn
      .prepare("select exists (select 1 from milestones where enabled = 1 and triggered_at is null)")
      .pluck(),
  };
}
