import { createHash } from "node:crypto";
import type { EventSettings, LogoType } from "../contract/index.js";
import type { Db } from "./db.js";
import { type EventSettingsRow, toEventSettings } from "./shapes.js";

const SETTINGS_COLUMNS = [
  "name",
  "accent_color",
  "time_zone",
  "display_currency",
  "doors_opened_at",
  "celebration_seconds",
  "sound",
  "public_url",
  "theme",
  "logo_sha256",
  "updated_at",
] as const satisfies readonly (keyof EventSettingsRow)[];

/** The settings; the row exists from migration 0007 on, so a missing one is a broken database. */
export async function getEventSettings(db: Db): Promise<EventSettings> {
  const row = await db
    .selectFrom("event_settings")
    .select(SETTINGS_COLUMNS)
    .where("id", "=", 1)
    .executeTakeFirstOrThrow();
  return toEventSettings(row);
}

/** When the doors opened (epoch ms), or null: what the summary's since-doors figures count from. */
export async function doorsOpenedAt(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom("event_settings")
    .select("doors_opened_at")
    .where("id", "=", 1)
    .executeTakeFirst();
  return row?.doors_opened_at ?? null;
}

/** Only the fields to change, already checked (api/event.ts); null clears a nullable one. */
export interface EventSettingsPatch {
  name?: string;
  accent_color?: string;
  time_zone?: string | null;
  display_currency?: string;
  doors_opened_at?: number | null;
  celebration_seconds?: number;
  sound?: boolean;
  public_url?: string | null;
  theme?: string;
}

export async function updateEventSettings(
  db: Db,
  patch: EventSettingsPatch,
  now: number,
): Promise<EventSettings> {
  const { sound, ...rest } = patch;
  await db
    .updateTable("event_settings")
    .set({ ...rest, ...(sound === undefined ? {} : { sound: sound ? 1 : 0 }), updated_at: now })
    .where("id", "=", 1)
    .execute();
  return getEventSettings(db);
}

export interface StoredLogo {
  bytes: Uint8Array;
  type: LogoType;
  sha256: string;
  updatedAt: number;
}

/** The logo, or undefined when there is none. */
export async function getEventLogo(db: Db): Promise<StoredLogo | undefined> {
  const row = await db
    .selectFrom("event_settings")
    .select(["logo", "logo_type", "logo_sha256", "logo_updated_at"])
    .where("id", "=", 1)
    .executeTakeFirst();
  if (!row?.logo || !row.logo_type || !row.logo_sha256) return undefined;
  return {
    bytes: row.logo,
    type: row.logo_type as LogoType,
    sha256: row.logo_sha256,
    updatedAt: row.logo_updated_at ?? 0,
  };
}

/**
 * Stores the logo (already checked: type from its magic bytes, size), or removes it with null. The
 * bytes may arrive as a plain Uint8Array (structured clone to the ingest thread drops Buffer);
 * better-sqlite3 binds only Buffers as blobs.
 */
export async function setEventLogo(
  db: Db,
  logo: { bytes: Uint8Array; type: LogoType } | null,
  now: number,
): Promise<EventSettings> {
  const bytes = logo && Buffer.from(logo.bytes.buffer, logo.bytes.byteOffset, logo.bytes.byteLength);
  await db
    .updateTable("event_settings")
    .set({
      logo: bytes,
      logo_type: logo?.type ?? null,
      logo_sha256: bytes && createHash("sha256").update(bytes).digest("hex"),
      logo_updated_at: logo ? now : null,
      updated_at: now,
    })
    .where("id", "=", 1)
    .execute();
  return getEventSettings(db);
}
