import { type Kysely, sql } from "kysely";
import type { MilestoneTrigger } from "../contract/index.js";
import { dueMilestones, type Totals } from "../milestones/evaluate.js";
import { engineOf } from "./engine.js";
import { enqueueTrigger } from "./outbox.js";
import type { Database } from "./schema.js";
import { toTrigger } from "./shapes.js";

/** The advisory lock key of milestone evaluations (any constant of our own: "LPDM" in ASCII). */
const MILESTONE_TURN = 0x4c50444d;

/** Global totals from the per-merchant running totals: O(merchants), never a scan of the sales. */
export async function readTotals(db: Kysely<Database>): Promise<Totals> {
  const row = await db
    .selectFrom("merchants")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("total_transactions"), eb.lit(0)).as("transactions"),
      eb.fn.coalesce(eb.fn.sum<number>("total_volume_sats"), eb.lit(0)).as("volume"),
    ])
    .executeTakeFirstOrThrow();
  return { transactions: Number(row.transactions), volumeSats: Number(row.volume) };
}

/**
 * Marks each due milestone triggered and records the totals of that moment. The conditional update
 * is the guard: of two evaluations racing for the same milestone only one changes the row, and only
 * the one that did records the trigger. On PostgreSQL two instances may commit polls at once: the
 * second's update waits for the first's row lock, then re-checks `triggered_at is null` against the
 * committed row (READ COMMITTED) and changes nothing. Both take the rows' locks in one order
 * (threshold, then id), so two evaluations firing several milestones never deadlock. Totals are only
 * summed when some milestone is armed, so polls cost nothing here once every milestone has fired.
 */
export async function fireDueMilestones(trx: Kysely<Database>, now: number): Promise<MilestoneTrigger[]> {
  // On PostgreSQL, polls of several merchants commit side by side (one pool, several instances), and
  // each would see the totals without the others' uncommitted sales: eight polls of one sale each
  // could all see fewer than five and none fire "five sales". Evaluations take turns instead, to the
  // end of their transactions; each then reads totals that include every earlier one's sales, so a
  // milestone fires in the poll that reached it, with the totals of that moment (api-milestones test).
  // Only polls with an armed milestone get here, and the turn is the transaction's last step.
  if (engineOf(trx) === "postgres") await sql`select pg_advisory_xact_lock(${MILESTONE_TURN})`.execute(trx);
  const armed = await trx
    .selectFrom("milestones")
    .select(["id", "name", "type", "threshold", "enabled", "triggered_at"])
    .where("enabled", "=", 1)
    .where("triggered_at", "is", null)
    .orderBy("threshold")
    .orderBy("id")
    .execute();
  if (armed.length === 0) return [];
  const totals = await readTotals(trx);
  const due = dueMilestones(
    armed.map((m) => ({ ...m, enabled: true, triggered: false })),
    totals,
  );
  const fired: MilestoneTrigger[] = [];
  for (const m of due) {
    const claimed = await trx
      .updateTable("milestones")
      .set({ triggered_at: now, updated_at: now })
      .where("id", "=", m.id)
      .where("enabled", "=", 1)
      .where("triggered_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!claimed) continue;
    const trigger = await trx
      .insertInto("milestone_triggers")
      .values({
        milestone_id: m.id,
        name: m.name,
        type: m.type,
        threshold: m.threshold,
        triggered_at: now,
        total_transactions: totals.transactions,
        total_volume_sats: totals.volumeSats,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const shaped = toTrigger(trigger);
    // Its webhook deliveries commit (or roll back) with it.
    await enqueueTrigger(trx, shaped, now);
    fired.push(shaped);
  }
  return fired;
}
