import { Type } from "typebox";

/** Request and response schemas: validation in, fast serialisation out, and later the OpenAPI document. */

export const ErrorBody = Type.Object({ error: Type.String() });
export const StatusBody = Type.Object({ status: Type.String() });

export const MERCHANT_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
const MerchantId = Type.String({
  pattern: MERCHANT_ID_PATTERN,
  description: "Upstream merchant id, e.g. 173",
});
const Limit = Type.Integer({ minimum: 1, maximum: 1000 });
// An enum, not a union of literals: Ajv then names the parameter once instead of once per alternative.
const Metric = Type.Enum(["transactions", "volume"]);
const Instant = Type.String({ description: "RFC 3339, UTC" });
const Count = Type.Integer({ minimum: 0 });
const Sats = Type.Integer({ minimum: 0 });

export const LimitQuery = Type.Object({ limit: Type.Optional(Limit) });
export const MerchantLeaderboardQuery = Type.Object({
  metric: Type.Optional(Metric),
  window: Type.Optional(Type.String({ description: "Go duration (5m, 24h) or all" })),
  limit: Type.Optional(Limit),
});
export const ProductLeaderboardQuery = MerchantLeaderboardQuery;
export const TriggersQuery = Type.Object({
  since: Type.Optional(Type.String({ description: "RFC 3339; default 24 h ago" })),
  limit: Type.Optional(Limit),
});

export const Summary = Type.Object({
  total_transactions: Count,
  total_volume_sats: Sats,
  average_transaction_size: Type.Number(),
  active_merchants: Count,
  total_merchants: Count,
  unique_products: Count,
  transactions_per_minute: Type.Number(),
  volume_per_minute: Type.Number(),
  fiat_volume: Type.Array(Type.Object({ currency: Type.String(), amount: Type.Number() })),
});

export const TickerRow = Type.Object({
  sale_id: Type.Integer(),
  merchant_id: Type.String(),
  merchant_alias: Type.String(),
  amount_sats: Sats,
  sale_date: Instant,
  fiat_amount: Type.Optional(Type.Number()),
  currency: Type.Optional(Type.String()),
});

export const MerchantStanding = Type.Object({
  merchant_id: Type.String(),
  alias: Type.String(),
  transactions: Count,
  volume_sats: Sats,
});

export const ProductStanding = Type.Object({
  merchant_id: Type.String(),
  product_id: Type.Integer(),
  name: Type.String(),
  transactions: Count,
  volume_sats: Sats,
});

export const MilestoneTrigger = Type.Object({
  id: Type.Integer(),
  milestone_id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  threshold: Type.Integer(),
  triggered_at: Instant,
  total_transactions: Count,
  total_volume_sats: Sats,
});

export const Merchant = Type.Object({
  id: Type.String(),
  public_key: Type.String(),
  alias: Type.String(),
  enabled: Type.Boolean(),
  last_polled_at: Type.Optional(Instant),
  consecutive_failures: Count,
  last_error: Type.Optional(Type.String()),
  created_at: Instant,
  updated_at: Instant,
});

export const MerchantParams = Type.Object({ id: MerchantId });
const PublicKey = Type.String({ minLength: 1, maxLength: 512 });
const Alias = Type.String({ minLength: 1, maxLength: 200 });
export const MerchantBody = Type.Object({
  id: MerchantId,
  public_key: PublicKey,
  alias: Alias,
  enabled: Type.Optional(Type.Boolean()),
});
export const MerchantPatchBody = Type.Object({
  public_key: Type.Optional(PublicKey),
  alias: Type.Optional(Alias),
  enabled: Type.Optional(Type.Boolean()),
});

const MilestoneType = Type.Enum(["transactions", "volume"]);
const Threshold = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const MilestoneName = Type.String({ minLength: 1, maxLength: 200 });

export const Milestone = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  threshold: Type.Integer(),
  enabled: Type.Boolean(),
  triggered: Type.Boolean(),
  triggered_at: Type.Optional(Instant),
  created_at: Instant,
  updated_at: Instant,
});
export const MilestoneParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const MilestoneBody = Type.Object({
  name: MilestoneName,
  type: MilestoneType,
  threshold: Threshold,
  enabled: Type.Optional(Type.Boolean()),
});
export const MilestonePatchBody = Type.Object({
  name: Type.Optional(MilestoneName),
  type: Type.Optional(MilestoneType),
  threshold: Type.Optional(Threshold),
  enabled: Type.Optional(Type.Boolean()),
  reset_trigger: Type.Optional(Type.Boolean()),
});
export const LoginBody = Type.Object({ token: Type.String({ maxLength: 4096 }) });

export const TimeseriesQuery = Type.Object({
  window: Type.Optional(Type.String({ description: "Go duration, default 60m" })),
  bucket: Type.Optional(Type.String({ description: "Go duration, default 1m" })),
  merchant_id: Type.Optional(Type.String({ pattern: MERCHANT_ID_PATTERN })),
});
export const Timeseries = Type.Object({
  window_seconds: Type.Number(),
  bucket_seconds: Type.Number(),
  buckets: Type.Array(Type.Object({ start: Instant, transactions: Count, volume_sats: Sats })),
});
