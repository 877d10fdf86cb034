import { type Static, Type } from "typebox";
import { CLOSED, Instant } from "./common.js";
import {
  MerchantStanding,
  MilestoneTrigger,
  ProductStanding,
  Summary,
  Timeseries,
  TimeseriesBucket,
} from "./dashboard.js";

/**
 * GET /v1/recap: the event's report. `from` defaults to the event's doors_opened_at, else the first
 * sale; `to` (exclusive) to now.
 */
export const RecapQuery = Type.Object({
  from: Type.Optional(Type.String({ description: "RFC 3339; default doors_opened_at, else the first sale" })),
  to: Type.Optional(Type.String({ description: "RFC 3339, exclusive; default now" })),
});
export type RecapQuery = Static<typeof RecapQuery>;

/**
 * Everything the public dashboard shows, over one range. `totals` has the summary's fields: the sales
 * figures (transactions, sats, average, fiat by currency) are the range's, the rates its average per
 * minute (`rate_window_seconds` is the range's length), the merchant and product counts as of now.
 * `merchants`: every merchant with a sale in the range, by transactions. `busiest_hour`: the UTC hour
 * with the most sales (null without any). `timeline`: whole buckets covering the range. `milestones`:
 * the triggers fired in the range, oldest first.
 */
export const Recap = Type.Object(
  {
    from: Instant,
    to: Instant,
    totals: Summary,
    merchants: Type.Array(MerchantStanding),
    top_products: Type.Array(ProductStanding),
    busiest_hour: Type.Union([TimeseriesBucket, Type.Null()]),
    timeline: Timeseries,
    milestones: Type.Array(MilestoneTrigger),
  },
  CLOSED,
);
export type Recap = Static<typeof Recap>;
