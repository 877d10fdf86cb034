/**
 * Stored poll records and product figures become the data health answer (GET /v1/admin/data-health):
 * beside shapes.ts, the one place rows become API shapes, because this mapping alone is its size.
 */
import type { DataHealth, MerchantDataHealth, ProductTotalsCheck } from "../contract/index.js";
import { compareProducts, freshness, type ProductFigure } from "../health/verdicts.js";
import { rfc3339 } from "../time/instant.js";
import {
  type DataHealthRows,
  figuresByMerchant,
  type MerchantHealthRow,
  noProductTotals,
  SOURCES_WITH_PRODUCT_TOTALS,
} from "./data-health.js";
import { POLLED_SOURCES } from "./poll-statements.js";

/** Differing products listed per merchant; `products_differing` counts them all. */
export const LISTED_DIFFERENCES = 20;

export interface DataHealthOptions {
  now: number;
  intervalMs: number;
  /** The poller's longest backoff wait after so many consecutive failures (ingest/backoff.ts). */
  backoffCeilingMs: (consecutiveFailures: number, intervalMs: number) => number;
}

/** The data health answer: each merchant's record with its freshness and product totals verdicts. */
export function toDataHealth(rows: DataHealthRows, o: DataHealthOptions): DataHealth {
  const source = figuresByMerchant(rows.sourceProducts);
  const stored = figuresByMerchant(rows.storedProducts);
  return {
    checked_at: rfc3339(o.now),
    poll_interval_seconds: o.intervalMs / 1000,
    merchants: rows.merchants.map((r) =>
      toMerchantDataHealth(r, o, productTotals(r, source.get(r.id) ?? [], stored.get(r.id) ?? [])),
    ),
  };
}

function toMerchantDataHealth(
  r: MerchantHealthRow,
  o: DataHealthOptions,
  products: ProductTotalsCheck,
): MerchantDataHealth {
  const effectiveMs = o.intervalMs + o.backoffCeilingMs(r.consecutive_failures, o.intervalMs);
  const polled = r.enabled === 1 && (POLLED_SOURCES as readonly string[]).includes(r.source);
  const { last_polled_at: at } = r;
  return {
    merchant_id: r.id,
    alias: r.alias,
    source: r.source,
    enabled: r.enabled === 1,
    freshness: freshness({
      polled,
      lastPolledAt: at,
      failing: r.consecutive_failures > 0,
      now: o.now,
      effectiveIntervalMs: effectiveMs,
    }),
    ...(at === null
      ? {}
      : { last_polled_at: rfc3339(at), seconds_since_poll: Math.max(0, o.now - at) / 1000 }),
    expected_interval_seconds: effectiveMs / 1000,
    ...(r.last_error === null ? {} : { last_error: r.last_error }),
    consecutive_failures: r.consecutive_failures,
    total_failures: r.total_failures,
    ...(r.last_failure === null ? {} : { last_failure: r.last_failure }),
    ...(r.last_failed_at === null ? {} : { last_failed_at: rfc3339(r.last_failed_at) }),
    skipped_rows: r.skipped_rows,
    skipped_rows_total: r.skipped_rows_total,
    products,
  };
}

function productTotals(
  r: MerchantHealthRow,
  source: ProductFigure[],
  stored: ProductFigure[],
): ProductTotalsCheck {
  const unknown = (reason: string): ProductTotalsCheck => ({
    verdict: "unknown",
    reason,
    products_compared: 0,
    products_differing: 0,
    transactions_difference: 0,
    revenue_sats_difference: 0,
    differences: [],
  });
  if (!SOURCES_WITH_PRODUCT_TOTALS.includes(r.source)) return unknown(noProductTotals(r.source));
  if (r.last_polled_at === null) return unknown("no poll has brought its product totals yet");
  const c = compareProducts(source, stored);
  return {
    verdict: c.verdict,
    products_compared: c.compared,
    products_differing: c.differences.length,
    transactions_difference: c.transactionsDifference,
    revenue_sats_difference: c.revenueSatsDifference,
    differences: c.differences.slice(0, LISTED_DIFFERENCES).map((d) => ({
      product_id: d.productId,
      // A product the stored sales list but the source's catalogue does not.
      name: d.name === "" ? `product ${d.productId}` : d.name,
      source: { transactions: d.source.transactions, revenue_sats: d.source.revenueSats },
      stored: { transactions: d.stored.transactions, revenue_sats: d.stored.revenueSats },
    })),
  };
}
