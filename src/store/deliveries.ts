/**
 * What the delivery worker (webhooks/delivery-worker.ts) reads and writes of the outbox (outbox.ts):
 * through Kysely on the writer, so each statement waits for a poll's transaction to end instead of
 * running inside it (and never sends a delivery whose sale might still roll back).
 */
import { sql } from "kysely";
import type { Db } from "./db.js";

/** The next delivery of a webhook, with what sending it needs. */
export interface DueDelivery {
  id: number;
  deliveryId: string;
  webhookId: number;
  event: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  url: string;
  secret: string;
}

/** Finished deliveries kept per webhook for the log; older ones are pruned (pending ones never). */
export const FINISHED_KEPT_PER_WEBHOOK = 1000;

/**
 * Each webhook's oldest pending delivery, due or not: a webhook's deliveries go one at a time, in the
 * order they were written, so only its head may be sent.
 */
export async function pendingHeads(db: Db): Promise<DueDelivery[]> {
  // By id: without an order each engine lists them as its storage happens to hold them.
  const hooks = await db.selectFrom("webhooks").select("id").orderBy("id").execute();
  const heads: DueDelivery[] = [];
  for (const h of hooks) {
    const head = await pendingHead(db, h.id);
    if (head) heads.push(head);
  }
  return heads;
}

/** One webhook's oldest pending delivery (the partial index's first entry for it). */
export async function pendingHead(db: Db, webhookId: number): Promise<DueDelivery | undefined> {
  const rows = await db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhooks as w", "w.id", "d.webhook_id")
    .select(["d.id", "d.delivery_id", "d.webhook_id", "d.event", "d.body", "d.attempts", "d.next_attempt_at"])
    .select(["w.url", "w.secret"])
    .where("d.webhook_id", "=", webhookId)
    .where("d.status", "=", "pending")
    .orderBy("d.id")
    .limit(1)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    deliveryId: r.delivery_id,
    webhookId: r.webhook_id,
    event: r.event,
    body: r.body,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    url: r.url,
    secret: r.secret,
  }))[0];
}

export interface AttemptOutcome {
  /** delivered, failed (given up), or pending again at nextAttemptAt. */
  status: "delivered" | "failed" | "pending";
  attempts: number;
  error: string | null;
  statusCode: number | null;
  at: number;
  nextAttemptAt: number;
}

/** Records one attempt; a row deleted meanwhile (its webhook deleted) is simply not there. */
export async function recordAttempt(db: Db, id: number, o: AttemptOutcome): Promise<void> {
  await db
    .updateTable("webhook_deliveries")
    .set({
      status: o.status,
      attempts: o.attempts,
      last_error: o.error,
      last_status_code: o.statusCode,
      last_attempt_at: o.at,
      next_attempt_at: o.nextAttemptAt,
      finished_at: o.status === "pending" ? null : o.at,
    })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute();
}

/** Keeps the newest FINISHED_KEPT_PER_WEBHOOK delivered or failed deliveries of the webhook. */
export async function pruneFinished(db: Db, webhookId: number, keep = FINISHED_KEPT_PER_WEBHOOK) {
  await sql`
    delete from webhook_deliveries
    where webhook_id = ${webhookId} and status != 'pending' and id <= (
      select id from webhook_deliveries where webhook_id = ${webhookId} and status != 'pending'
      order by id desc limit 1 offset ${keep})`.execute(db);
}
