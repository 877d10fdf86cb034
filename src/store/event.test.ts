import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type OpenedDatabase, openDatabase } from "./db.js";
import { doorsOpenedAt, getEventLogo, getEventSettings, setEventLogo, updateEventSettings } from "./event.js";

const NOW = Date.parse("2025-11-10T15:00:00Z");
let opened: OpenedDatabase | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});
const open = async () => {
  opened = await openDatabase(":memory:");
  return opened.db;
};

describe("event settings in the store", () => {
  it("migration 0007 leaves exactly one row, and a second one cannot be added", async () => {
    const db = await open();
    const rows = await db.selectFrom("event_settings").select("id").execute();
    expect(rows).toEqual([{ id: 1 }]);
    await expect(
      sql`insert into event_settings (id, name, accent_color, display_currency, celebration_seconds, sound, theme, updated_at)
          values (2, 'x', '#000000', 'sats', 9, 0, 'dark', 0)`.execute(db),
    ).rejects.toThrow(/CHECK constraint/);
    const names = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    // Later migrations follow it; it ran, once.
    expect(names.rows.filter((r) => r.name === "0007_event_settings")).toHaveLength(1);
  });

  it("a patch changes only its fields; null clears a nullable one", async () => {
    const db = await open();
    await updateEventSettings(db, { name: "Conf", doors_opened_at: NOW - 3600_000, sound: true }, NOW);
    expect(await doorsOpenedAt(db)).toBe(NOW - 3600_000);
    const after = await updateEventSettings(db, { doors_opened_at: null }, NOW + 1000);
    expect(after).toMatchObject({ name: "Conf", sound: true, doors_opened_at: null, theme: "dark" });
    expect(after.updated_at).toBe("2025-11-10T15:00:01Z");
    expect(await doorsOpenedAt(db)).toBeNull();
  });

  it("the logo is kept as bytes with its type and SHA-256, and removed with null", async () => {
    const db = await open();
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const settings = await setEventLogo(db, { bytes, type: "image/png" }, NOW);
    const sha = createHash("sha256").update(bytes).digest("hex");
    expect(settings).toMatchObject({ has_logo: true, logo_url: `/v1/event/logo?v=${sha.slice(0, 16)}` });
    const logo = await getEventLogo(db);
    expect(logo && Buffer.from(logo.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(logo).toMatchObject({ type: "image/png", sha256: sha, updatedAt: NOW });
    expect(await setEventLogo(db, null, NOW)).toMatchObject({ has_logo: false, logo_url: null });
    expect(await getEventLogo(db)).toBeUndefined();
    expect((await getEventSettings(db)).name).toBe("Live POS Dashboard");
  });
});
