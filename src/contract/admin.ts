import { type Static, Type } from "typebox";
import { CLOSED, Count, Instant, MerchantId, MilestoneId, MilestoneType, SaleSource } from "./common.js";
import {
  BtcpaySettingsBody,
  BtcpaySettingsShown,
  LnbitsSettingsBody,
  LnbitsSettingsShown,
  PolledSource,
} from "./sources.js";

/** The admin side: operator logins, merchants and milestones. */

export const LoginBody = Type.Object({ token: Type.String({ maxLength: 4096 }) });
export type LoginBody = Static<typeof LoginBody>;

export const Merchant = Type.Object(
  {
    id: Type.String(),
    public_key: Type.String(),
    alias: Type.String(),
    enabled: Type.Boolean(),
    /** Where its sales come from; set when it is created (pwf from the admin API, wifi by the webhook). */
    source: SaleSource,
    /** A BTCPay or LNbits merchant's settings, secrets masked; absent for every other source. */
    btcpay: Type.Optional(BtcpaySettingsShown),
    lnbits: Type.Optional(LnbitsSettingsShown),
    last_polled_at: Type.Optional(Instant),
    consecutive_failures: Count,
    last_error: Type.Optional(Type.String()),
    created_at: Instant,
    updated_at: Instant,
  },
  CLOSED,
);
export type Merchant = Static<typeof Merchant>;

export const MerchantParams = Type.Object({ id: MerchantId });
export type MerchantParams = Static<typeof MerchantParams>;
const PublicKey = Type.String({ minLength: 1, maxLength: 512 });
const Alias = Type.String({ minLength: 1, maxLength: 200 });
/**
 * `source` absent is `pwf`, which needs `public_key` (the route says so as validation would: a BTCPay or
 * LNbits merchant has none, its settings say where it is). `btcpay` / `lnbits`: that source's settings.
 */
export const MerchantBody = Type.Object({
  id: MerchantId,
  public_key: Type.Optional(PublicKey),
  alias: Alias,
  enabled: Type.Optional(Type.Boolean()),
  source: Type.Optional(PolledSource),
  btcpay: Type.Optional(BtcpaySettingsBody),
  lnbits: Type.Optional(LnbitsSettingsBody),
});
export type MerchantBody = Static<typeof MerchantBody>;
/**
 * The original frontend's edit form sends the whole merchant: an `id` equal to the path's (or empty)
 * is fine and another is refused; an empty `public_key` or `alias` means "keep".
 */
export const MerchantPatchBody = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 64 })),
  public_key: Type.Optional(Type.String({ maxLength: 512 })),
  alias: Type.Optional(Type.String({ maxLength: 200 })),
  enabled: Type.Optional(Type.Boolean()),
  /** The merchant's own source, or absent: a merchant keeps its source for life. */
  source: Type.Optional(PolledSource),
  btcpay: Type.Optional(BtcpaySettingsBody),
  lnbits: Type.Optional(LnbitsSettingsBody),
});
export type MerchantPatchBody = Static<typeof MerchantPatchBody>;

const Threshold = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const MilestoneName = Type.String({ minLength: 1, maxLength: 200 });

export const Milestone = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    type: MilestoneType,
    threshold: Type.Integer(),
    enabled: Type.Boolean(),
    triggered: Type.Boolean(),
    triggered_at: Type.Optional(Instant),
    created_at: Instant,
    updated_at: Instant,
  },
  CLOSED,
);
export type Milestone = Static<typeof Milestone>;
export const MilestoneParams = Type.Object({ id: MilestoneId });
export type MilestoneParams = Static<typeof MilestoneParams>;
export const MilestoneBody = Type.Object({
  name: MilestoneName,
  type: MilestoneType,
  threshold: Threshold,
  enabled: Type.Optional(Type.Boolean()),
});
export type MilestoneBody = Static<typeof MilestoneBody>;
export const MilestonePatchBody = Type.Object({
  name: Type.Optional(MilestoneName),
  type: Type.Optional(MilestoneType),
  threshold: Type.Optional(Threshold),
  enabled: Type.Optional(Type.Boolean()),
  reset_trigger: Type.Optional(Type.Boolean()),
});
export type MilestonePatchBody = Static<typeof MilestonePatchBody>;
