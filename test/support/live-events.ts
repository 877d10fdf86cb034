import type { LiveEvents } from "../../src/contract/index.js";

/** Well-formed data for each live event, for tests about framing and delivery rather than content. */

export const saleEvent = (saleId: number, merchantAlias = "M"): LiveEvents["sale"] => ({
  sale_id: saleId,
  merchant_id: "m",
  merchant_alias: merchantAlias,
  amount_sats: saleId,
  sale_date: "2025-11-10T12:00:00Z",
  source: "pwf",
});

export const summaryEvent = (totalTransactions: number): LiveEvents["summary"] => ({
  total_transactions: totalTransactions,
  total_volume_sats: 0,
  average_transaction_size: 0,
  active_merchants: 0,
  reporting_merchants: 0,
  total_merchants: 0,
  unique_products: 0,
  transactions_per_minute: 0,
  volume_per_minute: 0,
  rate_window_seconds: 300,
  fiat_volume: [],
});

export const milestoneEvent = (id: number): LiveEvents["milestone"] => ({
  id,
  milestone_id: 1,
  name: "First",
  type: "transactions",
  threshold: 1,
  triggered_at: "2025-11-10T12:00:00Z",
  total_transactions: 1,
  total_volume_sats: 1,
});
