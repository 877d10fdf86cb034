import { type Static, Type } from "typebox";
import { CLOSED, Count, Instant, SaleSource } from "./common.js";

/** GET /v1/admin/data-health: per merchant, how fresh its data is, how its polls fail, and whether it adds up. */

export const Freshness = Type.Enum(["fresh", "late", "stale", "never", "not_polled"], {
  description:
    "Age of the last successful poll against expected_interval_seconds: fresh ≤ 2× (and the latest poll " +
    "succeeded), late ≤ 4×, stale beyond; never: no poll has succeeded yet; not_polled: disabled or fed by a webhook",
});
export type Freshness = Static<typeof Freshness>;

export const ProductTotalsVerdict = Type.Enum(["agree", "disagree", "unknown"]);
export type ProductTotalsVerdict = Static<typeof ProductTotalsVerdict>;

const Figures = Type.Object({ transactions: Type.Integer(), revenue_sats: Type.Integer() }, CLOSED);

/** A product whose stored figures differ from the source's (`stored` adds up the stored sales' lines). */
export const ProductDifference = Type.Object(
  { product_id: Type.Integer(), name: Type.String(), source: Figures, stored: Figures },
  CLOSED,
);
export type ProductDifference = Static<typeof ProductDifference>;

export const ProductTotalsCheck = Type.Object(
  {
    verdict: ProductTotalsVerdict,
    /** Why it is unknown: the source keeps no product totals, or no poll has brought them yet. */
    reason: Type.Optional(Type.String()),
    products_compared: Count,
    products_differing: Count,
    /** Stored minus the source's, summed over every product (0 when they agree or it is unknown). */
    transactions_difference: Type.Integer(),
    revenue_sats_difference: Type.Integer(),
    /** The differing products, largest sats difference first, at most 20. */
    differences: Type.Array(ProductDifference),
  },
  CLOSED,
);
export type ProductTotalsCheck = Static<typeof ProductTotalsCheck>;

export const MerchantDataHealth = Type.Object(
  {
    merchant_id: Type.String(),
    alias: Type.String(),
    source: SaleSource,
    enabled: Type.Boolean(),
    freshness: Freshness,
    /** The last successful poll, and how long ago it was (absent when none succeeded). */
    last_polled_at: Type.Optional(Instant),
    seconds_since_poll: Type.Optional(Type.Number()),
    /** POLL_INTERVAL plus the longest backoff wait after its consecutive failures. */
    expected_interval_seconds: Type.Number(),
    /** Why its latest poll failed; absent once a poll succeeds. */
    last_error: Type.Optional(Type.String()),
    consecutive_failures: Count,
    total_failures: Count,
    /** The latest failure ever, kept after a recovery. */
    last_failure: Type.Optional(Type.String()),
    last_failed_at: Type.Optional(Instant),
    /** Malformed rows the latest poll that read an answer skipped, and all polls together. */
    skipped_rows: Count,
    skipped_rows_total: Count,
    products: ProductTotalsCheck,
  },
  CLOSED,
);
export type MerchantDataHealth = Static<typeof MerchantDataHealth>;

export const DataHealth = Type.Object(
  {
    checked_at: Instant,
    poll_interval_seconds: Type.Number(),
    /** By alias, as the merchants list. */
    merchants: Type.Array(MerchantDataHealth),
  },
  CLOSED,
);
export type DataHealth = Static<typeof DataHealth>;
