import type { Generated } from "kysely";

/** Table types for Kysely. Instants are UTC epoch milliseconds; booleans are 0/1 (SQLite has neither type). */
export interface MerchantsTable {
  id: string;
  public_key: string;
  alias: string;
  enabled: number;
  last_polled_at: number | null;
  last_error: string | null;
  consecutive_failures: Generated<number>;
  // Running totals kept in the ingest transaction so reads never aggregate the sales table.
  total_transactions: Generated<number>;
  total_volume_sats: Generated<number>;
  /** Digest of the last upstream body stored; null until the first poll and after any settings change. */
  body_digest: string | null;
  /** Where its sales come from: "pwf", "btcpay", "lnbits" (polled), "wifi" (the webhook); fixed for life. */
  source: Generated<string>;
  /** A BTCPay or LNbits merchant's settings as JSON (secrets included: never answered unmasked). */
  source_settings: string | null;
  /** The source client's state after the last successful poll, as JSON; null: read everything. */
  sync_state: string | null;
  /** Every failed poll, never reset (consecutive_failures is, by a success). */
  total_failures: Generated<number>;
  /** The latest failure's words and time, kept after a success clears last_error. */
  last_failure: string | null;
  last_failed_at: number | null;
  /** Malformed rows the latest poll that read an answer skipped, and all polls' together. */
  skipped_rows: Generated<number>;
  skipped_rows_total: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface TransactionsTable {
  id: Generated<number>;
  merchant_id: string;
  sale_id: number;
  sale_origin: string;
  sale_date: number;
  amount_sats: number;
  fiat_amount: number | null;
  currency: string | null;
  created_at: number;
  /** Its merchant's source, copied so a filtered ticker reads one index. */
  source: Generated<string>;
  /** The upstream's own id when it is not a number (a webhook's payment hash); null for polled sales. */
  external_id: string | null;
}

export interface SaleLinesTable {
  merchant_id: string;
  sale_id: number;
  line_no: number;
  product_id: number;
  name: string;
  quantity: number;
  unit_sats: number;
}

export interface ProductsTable {
  merchant_id: string;
  product_id: number;
  name: string;
  currency: string | null;
  price: string | null;
  total_transactions: number;
  total_units_sold: number;
  total_revenue_sats: number;
  active: number;
  deleted: number;
  updated_at: number;
}

/** Sales per merchant per UTC hour (`hour` = the hour's start, epoch ms), kept in the ingest transaction. */
export interface SalesByHourTable {
  hour: number;
  merchant_id: string;
  transactions: number;
  volume_sats: number;
}

/** Per product per UTC hour: sales containing it and its lines' sats, kept in the ingest transaction. */
export interface ProductSalesByHourTable {
  hour: number;
  merchant_id: string;
  product_id: number;
  transactions: number;
  volume_sats: number;
}

/** The stored sales per product over all time: product_sales_by_hour without the hour (migration 0009). */
export interface ProductSalesTotalsTable {
  merchant_id: string;
  product_id: number;
  transactions: number;
  volume_sats: number;
}

/** Sales per merchant per UTC minute, for the recent past only (see buckets.ts, MINUTE_ROLLUP_SPAN_MS). */
export interface SalesByMinuteTable {
  minute: number;
  merchant_id: string;
  transactions: number;
  volume_sats: number;
}

/** Per product per UTC minute, for the recent past only, like sales_by_minute. */
export interface ProductSalesByMinuteTable {
  minute: number;
  merchant_id: string;
  product_id: number;
  transactions: number;
  volume_sats: number;
}

/** One row: from this instant on, the minute rollups hold every stored sale. */
export interface MinuteRollupCoverageTable {
  complete_from: number;
}

export interface FiatTotalsTable {
  merchant_id: string;
  currency: string;
  amount: number;
}

export interface MilestonesTable {
  id: Generated<number>;
  name: string;
  type: string;
  threshold: number;
  enabled: number;
  triggered_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface MilestoneTriggersTable {
  id: Generated<number>;
  // No foreign key: a deleted milestone's history stays.
  milestone_id: number;
  name: string;
  type: string;
  threshold: number;
  triggered_at: number;
  total_transactions: number;
  total_volume_sats: number;
}

/** One scene of the venue screens' playlist; `position` is the API's `order`. */
export interface ScenesTable {
  id: string;
  name: string;
  duration_ms: number;
  enabled: number;
  position: number;
  /** Text the scene shows where it has any (the merch scene's lines); "" otherwise. */
  content: string;
  created_at: number;
  updated_at: number;
}

/** The one row (id 1) of the event's settings and its logo (contract/event.ts says what each means). */
export interface EventSettingsTable {
  id: number;
  name: string;
  accent_color: string;
  time_zone: string | null;
  display_currency: string;
  doors_opened_at: number | null;
  celebration_seconds: number;
  sound: number;
  public_url: string | null;
  theme: string;
  logo: Buffer | null;
  logo_type: string | null;
  /** Hex SHA-256 of the logo: its ETag and the version in logo_url. */
  logo_sha256: string | null;
  logo_updated_at: number | null;
  updated_at: number;
}

/** An outgoing webhook an operator registered (contract/webhooks.ts). */
export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  /** Signs every body; never answered, never logged. */
  secret: string;
  on_milestone: number;
  on_sale: number;
  created_at: number;
  updated_at: number;
}

/** One delivery of the outbox (store/outbox.ts): written with the sale or trigger it carries. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  /** Sent as X-Delivery-Id on every attempt. */
  delivery_id: string;
  webhook_id: number;
  event: string;
  /** The exact JSON sent and signed. */
  body: string;
  /** pending, delivered or failed. */
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  last_status_code: number | null;
  last_attempt_at: number | null;
  created_at: number;
  finished_at: number | null;
}

export interface Database {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  event_settings: EventSettingsTable;
  scenes: ScenesTable;
  merchants: MerchantsTable;
  transactions: TransactionsTable;
  sale_lines: SaleLinesTable;
  products: ProductsTable;
  fiat_totals: FiatTotalsTable;
  sales_by_hour: SalesByHourTable;
  product_sales_by_hour: ProductSalesByHourTable;
  product_sales_totals: ProductSalesTotalsTable;
  sales_by_minute: SalesByMinuteTable;
  product_sales_by_minute: ProductSalesByMinuteTable;
  minute_rollup_coverage: MinuteRollupCoverageTable;
  milestones: MilestonesTable;
  milestone_triggers: MilestoneTriggersTable;
}
