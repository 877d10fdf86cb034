/**
 * The outbox as the delivery worker (webhooks/delivery-worker.ts) takes it, on either engine. SQLite
 * has one instance, so what it reads is what it sends (deliveries.ts as it was). On PostgreSQL several
 * instances send the one outbox: before an attempt an instance claims the webhook's head delivery
 * for a lease (claimed_until, claimed_by: PostgreSQL's migration 0003), and an attempt is recorded
 * only by the claim that made it, so each attempt is made by one instance at a time.
 *
 * The claim serialises on the webhook's row (FOR NO KEY UPDATE SKIP LOCKED: a claimer that finds it
 * locked passes, another instance is claiming it this instant; NO KEY, so a poll's transaction that
 * enqueued for the webhook, holding its key, does not hold claims up), never on delivery rows: skipping a locked
 * head would take the delivery after it, out of order. A lease outlives the attempt's timeout, so a
 * live claimer never loses it; a dead one's claim ends with its lease, and the delivery is sent again
 * (with the same X-Delivery-Id: receivers deduplicate on it).
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "./db.js";
import {
  type AttemptOutcome,
  type DueDelivery,
  pendingHead,
  pendingHeads,
  recordAttempt,
} from "./deliveries.js";
import { engineOf } from "./engine.js";

/** A delivery claimed for an attempt: `claim` is the token its outcome is recorded with. */
export interface ClaimedDelivery extends DueDelivery {
  claim: string | null;
}

export interface DeliveryQueue {
  /**
   * Each webhook's head delivery; `nextAttemptAt` is when this instance may attempt it (on
   * PostgreSQL, not before another instance's claim on it ends).
   */
  heads(): Promise<DueDelivery[]>;
  /** The webhook's head delivery, claimed for `leaseMs`; undefined when none is due or it is claimed. */
  claim(webhookId: number, now: number): Promise<ClaimedDelivery | undefined>;
  /** Records an attempt, unless the claim was lost meanwhile (another instance attempts it now). */
  record(d: ClaimedDelivery, o: AttemptOutcome): Promise<void>;
  /** Gives the claim up without an attempt recorded (the instance stops mid-request). */
  release(d: ClaimedDelivery): Promise<void>;
}

export function deliveryQueue(db: Db, leaseMs: number): DeliveryQueue {
  if (engineOf(db) === "sqlite") return sqliteQueue(db);
  return {
    heads: () => claimAwareHeads(db),
    claim: (webhookId, now) => claimHead(db, webhookId, now, leaseMs),
    record: (d, o) => recordClaimed(db, d, o),
    release: async (d) => {
      await sql`update webhook_deliveries set claimed_until = null, claimed_by = null
        where id = ${d.id} and claimed_by = ${d.claim}`.execute(db);
    },
  };
}

/** One instance: the head read is the head sent, with nothing to claim. */
function sqliteQueue(db: Db): DeliveryQueue {
  return {
    heads: () => pendingHeads(db),
    claim: async (webhookId, now) => {
      const head = await pendingHead(db, webhookId);
      return head && head.nextAttemptAt <= now ? { ...head, claim: null } : undefined;
    },
    record: (d, o) => recordAttempt(db, d.id, o),
    release: async () => {},
  };
}

interface HeadRow {
  id: number;
  delivery_id: string;
  webhook_id: number;
  event: string;
  body: string;
  attempts: number;
  next_attempt_at: number;
  url: string;
  secret: string;
  claim?: string;
}

const toDelivery = (r: HeadRow): DueDelivery => ({
  id: r.id,
  deliveryId: r.delivery_id,
  webhookId: r.webhook_id,
  event: r.event,
  body: r.body,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  url: r.url,
  secret: r.secret,
});

/**
 * Every webhook's head in one statement, due no sooner than its claim ends: one index probe per
 * webhook (lateral, limit 1), however long a backlog of pending deliveries has grown.
 */
async function claimAwareHeads(db: Db): Promise<DueDelivery[]> {
  const { rows } = await sql<HeadRow>`
    select h.id, h.delivery_id, w.id as webhook_id, h.event, h.body, h.attempts,
      greatest(h.next_attempt_at, coalesce(h.claimed_until, 0)) as next_attempt_at, w.url, w.secret
    from webhooks w cross join lateral (
      select d.id, d.delivery_id, d.event, d.body, d.attempts, d.next_attempt_at, d.claimed_until
      from webhook_deliveries d where d.webhook_id = w.id and d.status = 'pending'
      order by d.id limit 1) h
    order by w.id`.execute(db);
  return rows.map(toDelivery);
}

/**
 * One statement, so no transaction is held open across it. The head is read with the statement's
 * snapshot; the update re-checks the row as committed, so a head another instance has meanwhile
 * delivered (status), rescheduled (next_attempt_at) or claimed (claimed_until) is not taken.
 */
async function claimHead(
  db: Db,
  webhookId: number,
  now: number,
  leaseMs: number,
): Promise<ClaimedDelivery | undefined> {
  const token = randomUUID();
  const { rows } = await sql<HeadRow>`
    with hook as (select id from webhooks where id = ${webhookId} for no key update skip locked),
    head as (
      select d.id from webhook_deliveries d join hook on hook.id = d.webhook_id
      where d.status = 'pending' order by d.id limit 1)
    update webhook_deliveries d set claimed_until = ${now + leaseMs}, claimed_by = ${token}
    from head, webhooks w
    where d.id = head.id and w.id = d.webhook_id and d.status = 'pending'
      and d.next_attempt_at <= ${now} and (d.claimed_until is null or d.claimed_until <= ${now})
    returning d.id, d.delivery_id, d.webhook_id, d.event, d.body, d.attempts, d.next_attempt_at,
      w.url, w.secret, d.claimed_by as claim`.execute(db);
  const row = rows[0];
  return row ? { ...toDelivery(row), claim: token } : undefined;
}

/** As recordAttempt, by the claim's holder only; the claim ends with it (a retry is anyone's). */
async function recordClaimed(db: Db, d: ClaimedDelivery, o: AttemptOutcome): Promise<void> {
  await sql`
    update webhook_deliveries set status = ${o.status}, attempts = ${o.attempts},
      last_error = ${o.error}, last_status_code = ${o.statusCode}, last_attempt_at = ${o.at},
      next_attempt_at = ${o.nextAttemptAt}, finished_at = ${o.status === "pending" ? null : o.at},
      claimed_until = null, claimed_by = null
    where id = ${d.id} and status = 'pending' and claimed_by = ${d.claim}`.execute(db);
}
