import { sql } from "kysely";
import type { Scene } from "../contract/index.js";
import { SCENE_ORDER_MAX } from "../contract/limits.js";
import type { Db } from "./db.js";
import { engineOf } from "./engine.js";
import { toScene } from "./shapes.js";

/** The venue playlist: by order, ties by id, so every screen and both admin UIs agree on it. */
export async function listScenes(db: Db, opts: { enabledOnly: boolean }): Promise<Scene[]> {
  let query = db.selectFrom("scenes").selectAll();
  if (opts.enabledOnly) query = query.where("enabled", "=", 1);
  const rows = await query.orderBy("position").orderBy("id").execute();
  return rows.map(toScene);
}

export async function getScene(db: Db, id: string): Promise<Scene | undefined> {
  const row = await db.selectFrom("scenes").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toScene(row);
}

/** A scene as the API stores it, defaults already applied (api/scenes.ts); `order` null: see upsertScene. */
export interface SceneInput {
  id: string;
  name: string;
  durationMs: number;
  enabled: boolean;
  order: number | null;
  content: string;
}

/**
 * Creates the scene or overwrites the one with its id (created_at kept). Without an order a new scene
 * goes after the last one (at most SCENE_ORDER_MAX) and an existing one keeps its place.
 */
export function upsertScene(db: Db, input: SceneInput, now: number): Promise<Scene> {
  // One transaction: two scenes created at once cannot both take the same "last" place. SQLite's one
  // writer runs them one after the other; PostgreSQL's transactions (several instances) would both read
  // the same last place, so there the table is locked against other writers first (reads go on). SQLite
  // has no LOCK statement, hence the branch.
  return db.transaction().execute(async (trx) => {
    if (engineOf(trx) === "postgres") await sql`lock table scenes in share row exclusive mode`.execute(trx);
    const existing = await trx
      .selectFrom("scenes")
      .select("position")
      .where("id", "=", input.id)
      .executeTakeFirst();
    let position = input.order ?? existing?.position;
    if (position === undefined) {
      const last = await trx
        .selectFrom("scenes")
        .select((eb) => eb.fn.max("position").as("max"))
        .executeTakeFirst();
      position = Math.min((last?.max ?? 0) + 1, SCENE_ORDER_MAX);
    }
    const fields = {
      name: input.name,
      duration_ms: input.durationMs,
      enabled: input.enabled ? 1 : 0,
      position,
      content: input.content,
      updated_at: now,
    };
    await trx
      .insertInto("scenes")
      .values({ id: input.id, ...fields, created_at: now })
      .onConflict((oc) => oc.column("id").doUpdateSet(fields))
      .execute();
    const scene = await getScene(trx, input.id);
    if (!scene) throw new Error(`scene ${input.id} vanished after upsert`);
    return scene;
  });
}

/** Only the fields to change (api/scenes.ts has dropped the ones that mean "keep"). */
export interface ScenePatch {
  name?: string | undefined;
  durationMs?: number | undefined;
  enabled?: boolean | undefined;
  order?: number | undefined;
  content?: string | undefined;
}

export async function updateScene(
  db: Db,
  id: string,
  patch: ScenePatch,
  now: number,
): Promise<Scene | undefined> {
  const row = await db
    .updateTable("scenes")
    .set({
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.durationMs === undefined ? {} : { duration_ms: patch.durationMs }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
      ...(patch.order === undefined ? {} : { position: patch.order }),
      ...(patch.content === undefined ? {} : { content: patch.content }),
      updated_at: now,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  return row && toScene(row);
}

export async function deleteScene(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom("scenes").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
