import * as S from "../contract/index.js";
import type { EventSettingsPatch } from "../store/event.js";
import { parseInstant } from "../time/instant.js";
import { badRequest } from "./errors.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const KNOWN = new Set(Object.keys(S.EventSettingsBody.properties));

/**
 * What a PUT /v1/admin/event stores, checked past what the schema can say: a field the body does not
 * know (a misspelt one would be lost without a word), the time zone (one this runtime's Intl knows),
 * the doors time (RFC 3339 with an offset) and the public URL (http or https, absolute). Any refusal
 * is a 400 before anything is stored.
 */
export function eventSettingsPatch(body: Record<string, unknown>): EventSettingsPatch {
  const unknown = Object.keys(body).find((k) => !KNOWN.has(k));
  if (unknown !== undefined) {
    const shown = unknown.length <= 64 ? `body/${unknown}` : "a body field";
    throw badRequest(`${shown} is not an event setting (${[...KNOWN].join(", ")})`);
  }
  const b = body as S.EventSettingsBody;
  if (b.name !== undefined && b.name.trim() === "") throw badRequest("body/name must not be blank");
  return {
    ...(b.name === undefined ? {} : { name: b.name.trim() }),
    ...(b.accent_color === undefined ? {} : { accent_color: b.accent_color.toLowerCase() }),
    ...(b.time_zone === undefined ? {} : { time_zone: b.time_zone === null ? null : timeZone(b.time_zone) }),
    ...(b.display_currency === undefined ? {} : { display_currency: b.display_currency }),
    ...(b.doors_opened_at === undefined
      ? {}
      : { doors_opened_at: b.doors_opened_at === null ? null : doorsTime(b.doors_opened_at) }),
    ...(b.celebration_seconds === undefined ? {} : { celebration_seconds: b.celebration_seconds }),
    ...(b.sound === undefined ? {} : { sound: b.sound }),
    ...(b.public_url === undefined
      ? {}
      : { public_url: b.public_url === null ? null : publicUrl(b.public_url) }),
    ...(b.theme === undefined ? {} : { theme: b.theme }),
  };
}

/** The zone's canonical name as Intl spells it ("europe/zurich" → "Europe/Zurich"). */
export function timeZone(raw: string): string {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: raw.trim() }).resolvedOptions().timeZone;
  } catch {
    throw badRequest(`body/time_zone ${JSON.stringify(raw)} is not an IANA time zone, e.g. Europe/Zurich`);
  }
}

function doorsTime(raw: string): number {
  const ms = RFC3339.test(raw) ? parseInstant(raw) : null;
  if (ms === null) {
    throw badRequest(
      `body/doors_opened_at ${JSON.stringify(raw)} is not RFC 3339 with an offset, e.g. 2025-11-10T10:00:00+01:00`,
    );
  }
  return ms;
}

function publicUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw badRequest(
      `body/public_url must be an http or https address, e.g. https://example.org/?mode=attendee`,
    );
  }
  return url.href;
}
