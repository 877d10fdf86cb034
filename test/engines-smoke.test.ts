import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ENGINES, openStore } from "./support/engines.js";

describe.each(ENGINES)("the schema on %s", (engine) => {
  it("is migrated with the seeded scenes and event settings, sums as numbers", async () => {
    const store = await openStore(engine);
    try {
      const scenes = await store.db
        .selectFrom("scenes")
        .select(["id", "enabled"])
        .orderBy("position")
        .execute();
      expect(scenes.map((s) => s.id)).toEqual([
        "overview",
        "merchants",
        "products",
        "trends",
        "wifi",
        "merch",
      ]);
      const { rows } = await sql<{ n: unknown; total: unknown }>`
        select count(*) as n, sum(duration_ms) as total from scenes`.execute(store.db);
      expect(rows[0]).toEqual({ n: 6, total: 120_000 });
      const event = await store.db
        .selectFrom("event_settings")
        .select(["name", "logo"])
        .executeTakeFirstOrThrow();
      expect(event).toEqual({ name: "Live POS Dashboard", logo: null });
    } finally {
      await store.close();
    }
  });
});
