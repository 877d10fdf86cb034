/** The one place where stored rows become the API's JSON shapes (also pushed on the live stream). */
import type {
  DisplayCurrency,
  EventSettings,
  ExportedLine,
  ExportedProduct,
  Merchant,
  Milestone,
  MilestoneTrigger,
  MilestoneType,
  Scene,
  Theme,
  TickerRow,
  Webhook,
  WebhookDelivery,
} from "../contract/index.js";
import { rfc3339 } from "../time/instant.js";
import type {
  EventSettingsTable,
  MerchantsTable,
  MilestonesTable,
  MilestoneTriggersTable,
  ProductsTable,
  SaleLinesTable,
  ScenesTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from "./schema.js";
import { parseStoredJson, shownSettings } from "./source-settings.js";

type MerchantRow = Pick<
  MerchantsTable,
  "id" | "public_key" | "alias" | "enabled" | "last_polled_at" | "last_error" | "created_at" | "updated_at"
> & { consecutive_failures: number; source: string; source_settings: string | null };

export function toMerchant(r: MerchantRow): Merchant {
  return {
    id: r.id,
    public_key: r.public_key,
    alias: r.alias,
    enabled: r.enabled === 1,
    source: r.source,
    // Secrets masked (source-settings.ts); nothing at all for a PayWithFlash or WiFi merchant.
    ...(r.source_settings === null ? {} : shownSettings(r.source, parseStoredJson(r.source_settings))),
    ...(r.last_polled_at === null ? {} : { last_polled_at: rfc3339(r.last_polled_at) }),
    consecutive_failures: r.consecutive_failures,
    ...(r.last_error === null ? {} : { last_error: r.last_error }),
    created_at: rfc3339(r.created_at),
    updated_at: rfc3339(r.updated_at),
  };
}

/**
 * The column is text, but only the admin API writes it, after checking it against the contract's
 * enum; anything else was written behind the service's back and is refused rather than passed on.
 */
function milestoneType(stored: string): MilestoneType {
  if (stored === "transactions" || stored === "volume") return stored;
  throw new Error(`stored milestone type ${JSON.stringify(stored)} is not transactions or volume`);
}

export function toMilestone(r: Omit<MilestonesTable, "id"> & { id: number }): Milestone {
  return {
    id: r.id,
    name: r.name,
    type: milestoneType(r.type),
    threshold: r.threshold,
    enabled: r.enabled === 1,
    triggered: r.triggered_at !== null,
    ...(r.triggered_at === null ? {} : { triggered_at: rfc3339(r.triggered_at) }),
    created_at: rfc3339(r.created_at),
    updated_at: rfc3339(r.updated_at),
  };
}

export function toTrigger(r: Omit<MilestoneTriggersTable, "id"> & { id: number }): MilestoneTrigger {
  return {
    id: r.id,
    milestone_id: r.milestone_id,
    name: r.name,
    type: milestoneType(r.type),
    threshold: r.threshold,
    triggered_at: rfc3339(r.triggered_at),
    total_transactions: r.total_transactions,
    total_volume_sats: r.total_volume_sats,
  };
}

export function toTickerRow(r: {
  sale_id: number;
  merchant_id: string;
  merchant_alias: string;
  amount_sats: number;
  sale_date: number;
  fiat_amount: number | null;
  currency: string | null;
  source: string;
  external_id: string | null;
}): TickerRow {
  return {
    sale_id: r.sale_id,
    merchant_id: r.merchant_id,
    merchant_alias: r.merchant_alias,
    amount_sats: r.amount_sats,
    sale_date: rfc3339(r.sale_date),
    ...(r.fiat_amount === null ? {} : { fiat_amount: r.fiat_amount }),
    ...(r.currency === null ? {} : { currency: r.currency }),
    source: r.source,
    ...(r.external_id === null ? {} : { external_id: r.external_id }),
  };
}

/** `position` is the API's `order` (a keyword in SQL), `duration_ms` its `duration`. */
export function toScene(r: ScenesTable): Scene {
  return {
    id: r.id,
    name: r.name,
    duration: r.duration_ms,
    enabled: r.enabled === 1,
    order: r.position,
    content: r.content,
    created_at: rfc3339(r.created_at),
    updated_at: rfc3339(r.updated_at),
  };
}

/** Two decimals, as a rate or an average is shown; never NaN. */
export function round2(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : 0;
}

export type EventSettingsRow = Omit<EventSettingsTable, "id" | "logo" | "logo_type" | "logo_updated_at">;

/** The settings as answered and streamed; the logo by its URL, versioned by its digest so caches refetch a new one. */
export function toEventSettings(r: EventSettingsRow): EventSettings {
  return {
    name: r.name,
    accent_color: r.accent_color,
    time_zone: r.time_zone,
    // Written only from the contract's enums (api/event.ts).
    display_currency: r.display_currency as DisplayCurrency,
    doors_opened_at: r.doors_opened_at === null ? null : rfc3339(r.doors_opened_at),
    celebration_seconds: r.celebration_seconds,
    sound: r.sound === 1,
    public_url: r.public_url,
    theme: r.theme as Theme,
    has_logo: r.logo_sha256 !== null,
    logo_url: r.logo_sha256 === null ? null : `/v1/event/logo?v=${r.logo_sha256.slice(0, 16)}`,
    updated_at: rfc3339(r.updated_at),
  };
}

/** An exported sale line: the line's own fields and its sale's date, source and external id. */
export function toExportedLine(
  r: SaleLinesTable & { line_sats: number; sale_date: number; source: string; external_id: string | null },
): ExportedLine {
  return {
    merchant_id: r.merchant_id,
    sale_id: r.sale_id,
    line_no: r.line_no,
    product_id: r.product_id,
    name: r.name,
    quantity: r.quantity,
    unit_sats: r.unit_sats,
    line_sats: Number(r.line_sats),
    sale_date: rfc3339(r.sale_date),
    source: r.source,
    ...(r.external_id === null ? {} : { external_id: r.external_id }),
  };
}

/** An exported product, with its merchant's source; flags as booleans, times as RFC 3339. */
export function toExportedProduct(r: ProductsTable & { source: string }): ExportedProduct {
  return { ...r, active: r.active === 1, deleted: r.deleted === 1, updated_at: rfc3339(r.updated_at) };
}

/** A webhook as answered: its secret never, only that it has one. */
export function toWebhook(r: Omit<WebhooksTable, "id"> & { id: number }): Webhook {
  return {
    id: r.id,
    url: r.url,
    events: [...(r.on_milestone ? (["milestone"] as const) : []), ...(r.on_sale ? (["sale"] as const) : [])],
    has_secret: r.secret !== "",
    created_at: rfc3339(r.created_at),
    updated_at: rfc3339(r.updated_at),
  };
}

type DeliveryRow = Omit<WebhookDeliveriesTable, "id" | "attempts" | "body" | "webhook_id"> & {
  attempts: number;
};

export function toDelivery(r: DeliveryRow): WebhookDelivery {
  const pending = r.status === "pending";
  return {
    id: r.delivery_id,
    event: r.event === "sale" ? "sale" : "milestone",
    status: r.status === "delivered" || r.status === "failed" ? r.status : "pending",
    attempts: r.attempts,
    ...(r.last_error === null ? {} : { last_error: r.last_error }),
    ...(r.last_status_code === null ? {} : { last_status_code: r.last_status_code }),
    created_at: rfc3339(r.created_at),
    ...(r.last_attempt_at === null ? {} : { last_attempt_at: rfc3339(r.last_attempt_at) }),
    ...(pending ? { next_attempt_at: rfc3339(r.next_attempt_at) } : {}),
    ...(r.finished_at === null ? {} : { finished_at: rfc3339(r.finished_at) }),
  };
}
