import { type Static, Type } from "typebox";
import { CLOSED, Count, Instant, SaleSource, Sats } from "./common.js";
import { MerchantFilter, SourceFilter } from "./dashboard.js";

/** The admin exports (GET /v1/admin/exports/{kind}): what can be exported, filtered and in which format. */

export const ExportKind = Type.Enum(["sales", "lines", "products", "triggers"]);
export type ExportKind = Static<typeof ExportKind>;
export const ExportFormat = Type.Enum(["csv", "ndjson"]);
export type ExportFormat = Static<typeof ExportFormat>;

export const ExportParams = Type.Object({ kind: ExportKind });
export type ExportParams = Static<typeof ExportParams>;

/**
 * `from` (inclusive) and `to` (exclusive) are RFC 3339 instants over the sale date (sales and lines) or
 * the trigger time (triggers); products are not dated and refuse them. Triggers belong to no merchant
 * or source and refuse those two.
 */
export const ExportQuery = Type.Object({
  format: Type.Optional(ExportFormat),
  merchant_id: Type.Optional(MerchantFilter),
  source: Type.Optional(SourceFilter),
  from: Type.Optional(Type.String({ description: "RFC 3339, inclusive" })),
  to: Type.Optional(Type.String({ description: "RFC 3339, exclusive" })),
});
export type ExportQuery = Static<typeof ExportQuery>;

/**
 * A sale's line; `line_sats` is quantity × unit sats rounded, as the product leaderboards count it.
 * The sale's date, source and external id come along so a line needs no join to be placed.
 */
export const ExportedLine = Type.Object(
  {
    merchant_id: Type.String(),
    sale_id: Type.Integer(),
    line_no: Type.Integer(),
    product_id: Type.Integer(),
    name: Type.String(),
    quantity: Type.Number(),
    unit_sats: Type.Integer(),
    line_sats: Type.Integer(),
    sale_date: Instant,
    source: SaleSource,
    external_id: Type.Optional(Type.String()),
  },
  CLOSED,
);
export type ExportedLine = Static<typeof ExportedLine>;

/** A catalogue product with the upstream's all-time figures, as stored. */
export const ExportedProduct = Type.Object(
  {
    merchant_id: Type.String(),
    product_id: Type.Integer(),
    name: Type.String(),
    currency: Type.Union([Type.String(), Type.Null()]),
    price: Type.Union([Type.String(), Type.Null()]),
    total_transactions: Count,
    total_units_sold: Count,
    total_revenue_sats: Sats,
    active: Type.Boolean(),
    deleted: Type.Boolean(),
    updated_at: Instant,
    source: SaleSource,
  },
  CLOSED,
);
export type ExportedProduct = Static<typeof ExportedProduct>;

/** The file itself (CSV with a header row, or one JSON object a line), streamed. */
export const ExportFile = Type.String({
  description:
    "text/csv (RFC 4180, header row) or application/x-ndjson: sales as TickerRow, lines as ExportedLine, products as ExportedProduct, triggers as MilestoneTrigger",
});
