// Types mirroring the server's REST + SSE contract. All times are RFC 3339 UTC strings.

export type Metric = "transactions" | "volume";
export type MilestoneType = "transactions" | "volume";

export interface FiatVolume {
  currency: string;
  amount: number;
}

export interface Summary {
  total_transactions: number;
  total_volume_sats: number;
  average_transaction_size: number;
  active_merchants: number;
  total_merchants: number;
  unique_products: number;
  transactions_per_minute: number;
  volume_per_minute: number;
  fiat_volume?: FiatVolume[];
}

export interface TickerRow {
  sale_id: number;
  merchant_id: string;
  merchant_alias: string;
  amount_sats: number;
  sale_date: string;
  fiat_amount?: number;
  currency?: string;
}

export interface MerchantLeader {
  merchant_id: string;
  alias: string;
  transactions: number;
  volume_sats: number;
}

export interface ProductLeader {
  merchant_id: string;
  product_id: number;
  name: string;
  transactions: number;
  volume_sats: number;
}

export interface MilestoneTrigger {
  id: number;
  milestone_id: number;
  name: string;
  type: MilestoneType;
  threshold: number;
  triggered_at: string;
  total_transactions: number;
  total_volume_sats: number;
}

export interface TimeseriesBucket {
  start: string;
  transactions: number;
  volume_sats: number;
}

export interface Timeseries {
  window_seconds: number;
  bucket_seconds: number;
  buckets: TimeseriesBucket[];
}

/** Data of the stream's `merchant` event. */
export interface MerchantStatus {
  id: string;
  alias: string;
  last_polled_at?: string;
  healthy: boolean;
}

// ---- admin ----

export interface AdminMerchant {
  id: string;
  public_key: string;
  alias: string;
  enabled: boolean;
  last_polled_at?: string;
  consecutive_failures: number;
  last_error?: string;
  created_at: string;
  updated_at: string;
}

export interface MerchantCreate {
  id: string;
  public_key: string;
  alias: string;
  enabled?: boolean;
}

export interface MerchantUpdate {
  alias?: string;
  public_key?: string;
  enabled?: boolean;
}

export interface AdminMilestone {
  id: number;
  name: string;
  type: MilestoneType;
  threshold: number;
  enabled: boolean;
  triggered: boolean;
  triggered_at?: string;
  created_at: string;
  updated_at: string;
}

export interface MilestoneCreate {
  name: string;
  type: MilestoneType;
  threshold: number;
  enabled?: boolean;
}

export interface MilestoneUpdate {
  name?: string;
  type?: MilestoneType;
  threshold?: number;
  enabled?: boolean;
  reset_trigger?: boolean;
}
