import { type QueryExecutorProvider, sql } from "kysely";
import { DB_NOW } from "./db-clock.js";

/** PostgreSQL's foreign_key_violation: a merchant deleted between the look and the insert. */
const FOREIGN_KEY_VIOLATION = "23503";

/**
 * Gives every merchant its lease row. Claims need a row to lock (SKIP LOCKED skips rows, not absences);
 * a merchant added since the last round gets one here. Ordered by id so that two instances inserting the
 * same new merchants at once wait for each other in one order and never deadlock; a merchant deleted
 * meanwhile fails the whole insert, which the next round repeats without it.
 */
export async function ensureLeaseRows(db: QueryExecutorProvider): Promise<void> {
  try {
    await sql`
      insert into poll_leases (merchant_id)
      select m.id from merchants m
      where not exists (select 1 from poll_leases l where l.merchant_id = m.id)
      order by m.id
      on conflict (merchant_id) do nothing`.execute(db);
  } catch (e) {
    if ((e as { code?: unknown }).code !== FOREIGN_KEY_VIOLATION) throw e;
  }
}

export interface ClaimInput {
  ownerId: string;
  max: number;
  leaseMs: number;
  instanceTtlMs: number;
}

/**
 * One statement: renews the caller's heartbeat, works out its fair share and leases that many due
 * merchants. Due: asked for (`wanted`, whatever the schedule or backoff, disabled merchants too), or
 * enabled with its next poll's time come. Free: no owner, or an owner whose lease has run out (an
 * instance killed mid-poll never releases; its leases lapse).
 *
 * Fair share: the work of the moment (due merchants plus those being polled) divided by the live
 * instances (heartbeats not yet lapsed, the caller counted once, whether its heartbeat is new or not),
 * rounded up, minus what the caller already holds. One instance cannot take everything at once while
 * others are alive; what it leaves, the others or its next round take. Counts are read from the
 * statement's snapshot, so two instances claiming at the same moment may each take a little more or
 * less than a share; they never take the same merchant.
 *
 * FOR UPDATE SKIP LOCKED: a row another claimer has locked is passed over instead of waited for, and a
 * row it leased and committed meanwhile is re-checked against the conditions (PostgreSQL re-reads the
 * newest version before locking), so concurrent claims are disjoint and none blocks on another.
 */
export async function claimDue(db: QueryExecutorProvider, input: ClaimInput): Promise<string[]> {
  const { ownerId, max, leaseMs, instanceTtlMs } = input;
  const { rows } = await sql<{ merchant_id: string }>`
    with clock as (select ${DB_NOW} as now),
    beat as (
      insert into poll_instances (owner, seen_until)
      select ${ownerId}, now + ${instanceTtlMs}::bigint from clock
      on conflict (owner) do update set seen_until = excluded.seen_until
    ),
    state as (
      select
        (l.owner is not null and l.expires_at > c.now) as leased,
        (l.owner = ${ownerId} and l.expires_at > c.now) as mine,
        (l.wanted or (m.enabled = 1 and l.next_poll_at <= c.now)) as due
      from poll_leases l join merchants m on m.id = l.merchant_id cross join clock c
    ),
    others as (
      select count(*) as n from poll_instances i cross join clock c
      where i.owner <> ${ownerId} and i.seen_until > c.now
    ),
    share as (
      select least(${max}::bigint, greatest(0,
        ceil((count(*) filter (where leased or due))::numeric / (1 + (select n from others)))
          - count(*) filter (where mine)))::bigint as n
      from state
    ),
    picked as (
      select l.merchant_id from poll_leases l
      join merchants m on m.id = l.merchant_id
      cross join clock c
      where (l.wanted or (m.enabled = 1 and l.next_poll_at <= c.now))
        and (l.owner is null or l.expires_at <= c.now)
      order by l.wanted desc, l.next_poll_at, l.merchant_id
      limit (select n from share)
      for update of l skip locked
    )
    update poll_leases l
    set owner = ${ownerId}, expires_at = (select now from clock) + ${leaseMs}::bigint
    from picked where l.merchant_id = picked.merchant_id
    returning l.merchant_id`.execute(db);
  return rows.map((r) => r.merchant_id).sort();
}
