import type { Milestone, MilestoneTrigger, UpcomingMilestone } from "../contract/index.js";
import type { Db } from "./db.js";
import { toMilestone, toTrigger } from "./shapes.js";

export async function listMilestones(db: Db): Promise<Milestone[]> {
  // By threshold, as the original lists them: the order in which they will fire.
  const rows = await db.selectFrom("milestones").selectAll().orderBy("threshold").orderBy("id").execute();
  return rows.map(toMilestone);
}

export async function getMilestone(db: Db, id: number): Promise<Milestone | undefined> {
  const row = await db.selectFrom("milestones").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toMilestone(row);
}

export interface MilestoneInput {
  name: string;
  type: string;
  threshold: number;
  enabled?: boolean | undefined;
}

export async function createMilestone(db: Db, input: MilestoneInput, now: number): Promise<Milestone> {
  const row = await db
    .insertInto("milestones")
    .values({
      name: input.name,
      type: input.type,
      threshold: input.threshold,
      enabled: input.enabled === false ? 0 : 1,
      triggered_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMilestone(row);
}

export interface MilestonePatch {
  name?: string | undefined;
  type?: string | undefined;
  threshold?: number | undefined;
  enabled?: boolean | undefined;
  /** Re-arm: it fires again, with a new trigger record, when next evaluated. */
  reset_trigger?: boolean | undefined;
}

export async function updateMilestone(
  db: Db,
  id: number,
  patch: MilestonePatch,
  now: number,
): Promise<Milestone | undefined> {
  const row = await db
    .updateTable("milestones")
    .set({
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.type === undefined ? {} : { type: patch.type }),
      ...(patch.threshold === undefined ? {} : { threshold: patch.threshold }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
      ...(patch.reset_trigger === true ? { triggered_at: null } : {}),
      updated_at: now,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toMilestone(row);
}

/** The milestone goes; its trigger history stays, since it happened. */
export async function deleteMilestone(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom("milestones").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listTriggers(
  db: Db,
  opts: { sinceMs: number; limit: number },
): Promise<MilestoneTrigger[]> {
  const rows = await db
    .selectFrom("milestone_triggers")
    .selectAll()
    .where("triggered_at", ">=", opts.sinceMs)
    .orderBy("triggered_at", "desc")
    .orderBy("id", "desc")
    .limit(opts.limit)
    .execute();
  return rows.map(toTrigger);
}

/** Enabled milestones that have not fired, in the order they will (threshold, then id). */
export async function listUpcomingMilestones(db: Db): Promise<UpcomingMilestone[]> {
  const rows = await db
    .selectFrom("milestones")
    .select(["id", "name", "type", "threshold"])
    .where("enabled", "=", 1)
    .where("triggered_at", "is", null)
    .orderBy("threshold")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ ...r, type: r.type as UpcomingMilestone["type"] }));
}
