import { type Static, Type } from "typebox";
import {
  CLOSED,
  Count,
  Instant,
  Limit,
  MERCHANT_ID_PATTERN,
  Metric,
  MilestoneType,
  SaleSource,
  Sats,
} from "./common.js";

/** The public, read-only side: what dashboards ask for and get back. */

/**
 * `source`: `all`, empty or absent = every sale; any other name counts only that source's sales (a name
 * no sale has yet simply matches none: sources are added without a schema change). The pattern is
 * SaleSource's, empty allowed; anything else is a 400 naming the parameter.
 */
export const SourceFilter = Type.String({
  pattern: "^[a-z0-9_-]{0,32}$",
  description: "all (default), pwf, wifi, …",
});
/**
 * `merchant_id`: only that merchant's figures (a booth screen); the pattern is the merchant id's, so a
 * malformed one is a 400 and one no merchant has is a 404. Absent: every merchant's, as before.
 */
export const MerchantFilter = Type.String({ pattern: MERCHANT_ID_PATTERN, description: "e.g. 173" });
export const SummaryQuery = Type.Object({
  source: Type.Optional(SourceFilter),
  merchant_id: Type.Optional(MerchantFilter),
});
export type SummaryQuery = Static<typeof SummaryQuery>;
export const LimitQuery = Type.Object({ limit: Type.Optional(Limit) });
export type LimitQuery = Static<typeof LimitQuery>;
export const TickerQuery = Type.Object({
  limit: Type.Optional(Limit),
  source: Type.Optional(SourceFilter),
  merchant_id: Type.Optional(MerchantFilter),
});
export type TickerQuery = Static<typeof TickerQuery>;
export const MerchantLeaderboardQuery = Type.Object({
  metric: Type.Optional(Metric),
  window: Type.Optional(Type.String({ description: "Go duration (5m, 24h) or all" })),
  limit: Type.Optional(Limit),
  source: Type.Optional(SourceFilter),
});
export type MerchantLeaderboardQuery = Static<typeof MerchantLeaderboardQuery>;
export const ProductLeaderboardQuery = Type.Object({
  ...MerchantLeaderboardQuery.properties,
  merchant_id: Type.Optional(MerchantFilter),
});
export type ProductLeaderboardQuery = Static<typeof ProductLeaderboardQuery>;
export const TriggersQuery = Type.Object({
  since: Type.Optional(Type.String({ description: "RFC 3339; default 24 h ago" })),
  limit: Type.Optional(Limit),
});
export type TriggersQuery = Static<typeof TriggersQuery>;
export const TimeseriesQuery = Type.Object({
  window: Type.Optional(Type.String({ description: "Go duration, default 60m" })),
  bucket: Type.Optional(Type.String({ description: "Go duration, default 1m" })),
  merchant_id: Type.Optional(MerchantFilter),
  source: Type.Optional(SourceFilter),
});
export type TimeseriesQuery = Static<typeof TimeseriesQuery>;

export const FiatVolume = Type.Object({ currency: Type.String(), amount: Type.Number() }, CLOSED);
export type FiatVolume = Static<typeof FiatVolume>;

/**
 * The headline totals counted from the event's doors_opened_at (GET /v1/event) instead of all time,
 * sent only while it is set. Fiat as the sales carry it, by currency.
 */
export const SinceDoors = Type.Object(
  {
    doors_opened_at: Instant,
    total_transactions: Count,
    total_volume_sats: Sats,
    average_transaction_size: Type.Number(),
    fiat_volume: Type.Array(FiatVolume),
  },
  CLOSED,
);
export type SinceDoors = Static<typeof SinceDoors>;

/**
 * Headline figures; also the stream's `summary` event. `fiat_volume` is always sent, maybe empty.
 * `active_merchants` counts enabled merchants (the seed's meaning), failing ones included; a public
 * screen needs how many of them are actually reporting, and the `merchant` stream events only tell of
 * changes, never the state a screen finds on load: hence `reporting_merchants`. The rates' window is
 * the server's `RATE_WINDOW`, sent as `rate_window_seconds` so a screen can say what its rates cover.
 *
 * Freshness, so that a dead upstream is not mistaken for a quiet one: `last_polled_at` is the newest
 * successful poll (what "Updated" on a screen means; a failed attempt never moves it), and
 * `not_reporting_merchants` / `not_reporting_since` count the enabled merchants whose polls have failed
 * and that have been silent for longer than NOT_REPORTING_AFTER_POLLS poll intervals. A summary is
 * pushed at the end of every poll cycle as well as after stored sales, so these follow the clock.
 */
export const Summary = Type.Object(
  {
    total_transactions: Count,
    total_volume_sats: Sats,
    average_transaction_size: Type.Number(),
    active_merchants: Count,
    /** Enabled merchants whose latest poll did not fail (one not polled yet counts). */
    reporting_merchants: Count,
    total_merchants: Count,
    unique_products: Count,
    transactions_per_minute: Type.Number(),
    volume_per_minute: Type.Number(),
    rate_window_seconds: Type.Number(),
    fiat_volume: Type.Array(FiatVolume),
    /** The newest successful poll of an enabled merchant; absent before the first. */
    last_polled_at: Type.Optional(Instant),
    /** Enabled merchants failing and silent for longer than NOT_REPORTING_AFTER_POLLS poll intervals; absent when none. */
    not_reporting_merchants: Type.Optional(Count),
    /**
     * With `not_reporting_merchants`: every one of them has been silent at least since then (the newest
     * of their last successful polls, or when a merchant never polled successfully was added).
     */
    not_reporting_since: Type.Optional(Instant),
    /** Present while the event's doors_opened_at is set: the totals since then, for "since doors" tiles. */
    since_doors: Type.Optional(SinceDoors),
  },
  CLOSED,
);
export type Summary = Static<typeof Summary>;

/** One sale as the ticker shows it; also the stream's `sale` event. */
export const TickerRow = Type.Object(
  {
    sale_id: Type.Integer(),
    merchant_id: Type.String(),
    merchant_alias: Type.String(),
    amount_sats: Sats,
    sale_date: Instant,
    fiat_amount: Type.Optional(Type.Number()),
    currency: Type.Optional(Type.String()),
    source: SaleSource,
    /** The upstream's own id where it is not a number: a webhook sale's payment hash. */
    external_id: Type.Optional(Type.String()),
  },
  CLOSED,
);
export type TickerRow = Static<typeof TickerRow>;

export const MerchantStanding = Type.Object(
  {
    merchant_id: Type.String(),
    alias: Type.String(),
    transactions: Count,
    volume_sats: Sats,
  },
  CLOSED,
);
export type MerchantStanding = Static<typeof MerchantStanding>;

export const ProductStanding = Type.Object(
  {
    merchant_id: Type.String(),
    product_id: Type.Integer(),
    name: Type.String(),
    transactions: Count,
    volume_sats: Sats,
  },
  CLOSED,
);
export type ProductStanding = Static<typeof ProductStanding>;

/** A milestone firing, with the totals at that moment; also the stream's `milestone` event. */
export const MilestoneTrigger = Type.Object(
  {
    id: Type.Integer(),
    milestone_id: Type.Integer(),
    name: Type.String(),
    type: MilestoneType,
    threshold: Type.Integer(),
    triggered_at: Instant,
    total_transactions: Count,
    total_volume_sats: Sats,
  },
  CLOSED,
);
export type MilestoneTrigger = Static<typeof MilestoneTrigger>;

/**
 * A milestone still to come (enabled, not fired yet), as a public screen shows its progress towards
 * it: no timestamps or enabled flag, which are the operator's business.
 */
export const UpcomingMilestone = Type.Object(
  { id: Type.Integer(), name: Type.String(), type: MilestoneType, threshold: Type.Integer() },
  CLOSED,
);
export type UpcomingMilestone = Static<typeof UpcomingMilestone>;

export const TimeseriesBucket = Type.Object(
  { start: Instant, transactions: Count, volume_sats: Sats },
  CLOSED,
);
export type TimeseriesBucket = Static<typeof TimeseriesBucket>;
export const Timeseries = Type.Object(
  {
    window_seconds: Type.Number(),
    bucket_seconds: Type.Number(),
    buckets: Type.Array(TimeseriesBucket),
  },
  CLOSED,
);
export type Timeseries = Static<typeof Timeseries>;
