/**
 * One poller per merchant at a time across instances sharing one PostgreSQL database (issue 18).
 *
 * Each merchant has a row in poll_leases (migration 0002): its lease (owner, expires_at), the time its
 * next scheduled poll is due, and what a refetch or webhook asked of that poll. A poll's life:
 *   claim (lease a fair share of the due merchants) → begin (take what was asked, just before fetching)
 *   → fetch and store → release (schedule the next poll: the interval, or the backoff after a failure).
 * A poll longer than its lease renews it. An instance killed with kill -9 releases nothing: its leases
 * lapse after leaseMs and the next claim of any instance takes them, as they are still due.
 *
 * Every time is the database's clock (db-clock.ts), so the API takes durations, never instants.
 */
import { type QueryExecutorProvider, type RawBuilder, sql } from "kysely";
import { DB_NOW } from "./db-clock.js";
import { claimDue, ensureLeaseRows } from "./lease-claim.js";

/** What a refetch or webhook asks of a merchant's next poll (the poller's PollRequests, shared). */
/**
 * A lease outlasts the longest gap between its renewals (every third of it) by far, and a poll's
 * requests are each bounded by the HTTP timeout; twice that timeout, and never under this, leaves a
 * stalled event loop or a slow database round trip room without taking a live poll away.
 */
const MIN_LEASE_MS = 3_000;

export function leaseMsFor(httpTimeoutMs: number): number {
  return Math.max(MIN_LEASE_MS, 2 * httpTimeoutMs);
}

export interface PollAsk {
  /** Read the whole history (an operator's refetch of a keyed source). */
  full: boolean;
  /** Keys webhooks named (SourceHint.keys), looked at by the next poll. */
  keys: string[];
}

export interface PollLeasesOptions {
  /**
   * How long an instance counts as live after its last claim (its heartbeat): the divisor of the fair
   * share. An instance that claims every second with 15 s here is counted while it runs and 15 s after
   * it dies; a stopped instance leaves at once (leave()).
   */
  instanceTtlMs?: number;
}

/** Beyond this many waiting keys a poll reads the whole history instead: the row stays small. */
export const MAX_HINT_KEYS = 500;

export class PollLeases {
  private readonly instanceTtlMs: number;

  constructor(
    private readonly db: QueryExecutorProvider,
    opts: PollLeasesOptions = {},
  ) {
    this.instanceTtlMs = opts.instanceTtlMs ?? 15_000;
  }

  /**
   * Leases up to `max` due merchants (and at most the caller's fair share) to `ownerId` for `leaseMs`;
   * returns their ids, sorted. Also the caller's heartbeat: an instance with no free slot calls it with
   * max 0 to stay counted.
   */
  async claim(ownerId: string, max: number, leaseMs: number): Promise<string[]> {
    await ensureLeaseRows(this.db);
    return claimDue(this.db, { ownerId, max, leaseMs, instanceTtlMs: this.instanceTtlMs });
  }

  /**
   * Leases this one merchant now if nobody holds it (the instance that received a refetch or webhook
   * polls it at once). False when another instance holds it: that holder's poll, or the one after it,
   * answers the request, since request() marked the row.
   */
  async claimOne(ownerId: string, merchantId: string, leaseMs: number): Promise<boolean> {
    const { rows } = await sql<{ merchant_id: string }>`
      update poll_leases l set owner = ${ownerId}, expires_at = ${DB_NOW} + ${leaseMs}::bigint
      where l.merchant_id = (
        select merchant_id from poll_leases
        where merchant_id = ${merchantId} and (owner is null or expires_at <= ${DB_NOW})
        for update skip locked)
      returning l.merchant_id`.execute(this.db);
    return rows.length > 0;
  }

  /**
   * Marks the merchant wanted now, on whichever instance the refetch or webhook arrived, adding what it
   * asks. Marks merge: two instances asking at once leave one mark, so one poll answers both. A mark
   * made after a poll began stays for one more poll after it, as the single-process poller coalesces.
   * False when no such merchant exists.
   */
  async request(merchantId: string, ask: PollAsk = { full: false, keys: [] }): Promise<boolean> {
    const tooMany = ask.keys.length > MAX_HINT_KEYS;
    const full = ask.full || tooMany;
    const keys = tooMany ? [] : [...new Set(ask.keys)];
    const { rows } = await sql<{ merchant_id: string }>`
      insert into poll_leases (merchant_id, wanted, full_history, hint_keys)
      select id, true, ${full}, ${keys}::text[] from merchants where id = ${merchantId}
      on conflict (merchant_id) do update set
        wanted = true,
        ${mergeAsk(sql.ref("excluded.full_history"), sql.ref("excluded.hint_keys"))}
      returning merchant_id`.execute(this.db);
    return rows.length > 0;
  }

  /**
   * Called by the holder just before it fetches: takes what was asked (clearing the mark, as this poll
   * answers every request made before it starts) and renews the lease. Undefined when the lease is
   * another instance's now (this one's lapsed and was taken): do not poll.
   */
  async begin(merchantId: string, ownerId: string, leaseMs: number): Promise<PollAsk | undefined> {
    const { rows } = await sql<{ full_history: boolean; hint_keys: string[] }>`
      update poll_leases l
      set wanted = false, full_history = false, hint_keys = '{}', expires_at = ${DB_NOW} + ${leaseMs}::bigint
      from (
        select merchant_id, full_history, hint_keys from poll_leases
        where merchant_id = ${merchantId} and owner = ${ownerId} for update) asked
      where l.merchant_id = asked.merchant_id
      returning asked.full_history, asked.hint_keys`.execute(this.db);
    const row = rows[0];
    return row ? { full: row.full_history, keys: row.hint_keys } : undefined;
  }

  /** Extends the caller's leases on these merchants; returns those it still held (the others it lost). */
  async renew(ownerId: string, merchantIds: readonly string[], leaseMs: number): Promise<string[]> {
    if (merchantIds.length === 0) return [];
    const { rows } = await sql<{ merchant_id: string }>`
      update poll_leases set expires_at = ${DB_NOW} + ${leaseMs}::bigint
      where owner = ${ownerId} and merchant_id = any(${[...merchantIds]}::text[])
      returning merchant_id`.execute(this.db);
    return rows.map((r) => r.merchant_id).sort();
  }

  /**
   * Ends the caller's lease and schedules the merchant's next poll `dueInMs` from now (the interval, or
   * the backoff after a failure: every instance honours it). A failed poll hands back what it took in
   * `carry`, for the next poll, without making it due sooner. False when the lease was no longer held.
   */
  async release(merchantId: string, ownerId: string, dueInMs: number, carry?: PollAsk): Promise<boolean> {
    const { rows } = await sql<{ merchant_id: string }>`
      update poll_leases set owner = null, expires_at = 0, next_poll_at = ${DB_NOW} + ${dueInMs}::bigint,
        ${mergeAsk(sql`${carry?.full ?? false}`, sql`${carry?.keys ?? []}::text[]`)}
      where merchant_id = ${merchantId} and owner = ${ownerId}
      returning merchant_id`.execute(this.db);
    return rows.length > 0;
  }

  /**
   * Fencing, inside the poll's own write transaction: true when `ownerId` still holds the merchant's
   * lease, which then stays with it until that transaction ends (FOR SHARE: another instance's claim
   * skips the row, even if the lease lapses meanwhile). False: roll back, another instance polls it.
   */
  static async holds(tx: QueryExecutorProvider, merchantId: string, ownerId: string): Promise<boolean> {
    const { rows } = await sql`
      select 1 from poll_leases where merchant_id = ${merchantId} and owner = ${ownerId}
      for share`.execute(tx);
    return rows.length > 0;
  }

  /** Keeps an instance counted as live without claiming (claim does this on its own). */
  async heartbeat(ownerId: string): Promise<void> {
    await sql`
      insert into poll_instances (owner, seen_until) values (${ownerId}, ${DB_NOW} + ${this.instanceTtlMs}::bigint)
      on conflict (owner) do update set seen_until = excluded.seen_until`.execute(this.db);
  }

  /** Instances whose heartbeat has not lapsed. */
  async liveInstances(): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::bigint as n from poll_instances where seen_until > ${DB_NOW}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * A stopping instance: stops counting as live and hands back every lease it holds, due as they were,
   * so that the others take its cancelled polls at their next claim instead of after the leases lapse.
   */
  async leave(ownerId: string): Promise<void> {
    await sql`update poll_leases set owner = null, expires_at = 0 where owner = ${ownerId}`.execute(this.db);
    await sql`delete from poll_instances where owner = ${ownerId}`.execute(this.db);
  }
}

/**
 * SQL setting a row's ask to itself merged with another (`full`, `keys`): a full read stays asked for,
 * keys are united, and past MAX_HINT_KEYS the keys give way to a full read.
 */
function mergeAsk(full: RawBuilder<unknown>, keys: RawBuilder<unknown>) {
  const united = sql`array(select distinct k from unnest(poll_leases.hint_keys || ${keys}) as k)`;
  const tooMany = sql`cardinality(poll_leases.hint_keys || ${keys}) > ${MAX_HINT_KEYS}`;
  return sql`
    full_history = poll_leases.full_history or ${full} or ${tooMany},
    hint_keys = case when ${tooMany} then '{}'::text[] else ${united} end`;
}
