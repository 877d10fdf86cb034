/** Outgoing webhooks an operator registered, and each one's delivery log (the outbox, outbox.ts). */
import type { Webhook, WebhookDelivery, WebhookEvent } from "../contract/index.js";
import { DELIVERY_LOG_LIMIT } from "../contract/limits.js";
import type { Db } from "./db.js";
import { toDelivery, toWebhook } from "./shapes.js";

export interface WebhookInput {
  url: string;
  secret: string;
  events: readonly WebhookEvent[];
}

export type WebhookPatch = Partial<WebhookInput>;

const flags = (events: readonly WebhookEvent[]) => ({
  on_milestone: events.includes("milestone") ? 1 : 0,
  on_sale: events.includes("sale") ? 1 : 0,
});

export async function listWebhooks(db: Db): Promise<Webhook[]> {
  const rows = await db.selectFrom("webhooks").selectAll().orderBy("id").execute();
  return rows.map(toWebhook);
}

export async function createWebhook(db: Db, input: WebhookInput, now: number): Promise<Webhook> {
  const row = await db
    .insertInto("webhooks")
    .values({
      url: input.url,
      secret: input.secret,
      ...flags(input.events),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWebhook(row);
}

/** Changes only what the patch names; deliveries already in the outbox keep their bodies. */
export async function updateWebhook(
  db: Db,
  id: number,
  patch: WebhookPatch,
  now: number,
): Promise<Webhook | undefined> {
  const row = await db
    .updateTable("webhooks")
    .set({
      ...(patch.url === undefined ? {} : { url: patch.url }),
      ...(patch.secret === undefined ? {} : { secret: patch.secret }),
      ...(patch.events === undefined ? {} : flags(patch.events)),
      updated_at: now,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toWebhook(row);
}

/** The webhook and its whole delivery log (pending deliveries are not sent). */
export async function deleteWebhook(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom("webhooks").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Newest first, at most DELIVERY_LOG_LIMIT (or `limit`); undefined for an unknown webhook. */
export async function listDeliveries(
  db: Db,
  id: number,
  limit = DELIVERY_LOG_LIMIT,
): Promise<WebhookDelivery[] | undefined> {
  const hook = await db.selectFrom("webhooks").select("id").where("id", "=", id).executeTakeFirst();
  if (!hook) return undefined;
  const rows = await db
    .selectFrom("webhook_deliveries")
    .select([
      "delivery_id",
      "event",
      "status",
      "attempts",
      "next_attempt_at",
      "last_error",
      "last_status_code",
      "last_attempt_at",
      "created_at",
      "finished_at",
    ])
    .where("webhook_id", "=", id)
    .orderBy("id", "desc")
    .limit(Math.min(limit, DELIVERY_LOG_LIMIT))
    .execute();
  return rows.map(toDelivery);
}
