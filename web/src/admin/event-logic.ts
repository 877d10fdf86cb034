// The Event panel's form: the stored settings as editable text, checked as the server checks them
// (so most mistakes are named before a request), and the PUT body they make. Pure.
import type { DisplayCurrency, EventSettings, EventSettingsUpdate, Theme } from "../api/types";
import { knownTimeZone } from "../event/screen-event";
import type { FormErrors } from "./logic";

export interface EventForm {
  name: string;
  accent_color: string;
  /** Empty: each screen its own device's time zone. */
  time_zone: string;
  display_currency: DisplayCurrency;
  /** A datetime-local value (this device's wall time), empty for "not set". */
  doors_opened_at: string;
  celebration_seconds: string;
  sound: boolean;
  public_url: string;
  theme: Theme;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as a datetime-local value in this device's time zone ("2025-11-10T10:00"). */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function eventToForm(s: EventSettings): EventForm {
  return {
    name: s.name,
    accent_color: s.accent_color,
    time_zone: s.time_zone ?? "",
    display_currency: s.display_currency,
    doors_opened_at: toLocalInput(s.doors_opened_at),
    celebration_seconds: String(s.celebration_seconds),
    sound: s.sound,
    public_url: s.public_url ?? "",
    theme: s.theme,
  };
}

function validUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

export function validateEvent(form: EventForm): FormErrors<EventForm> {
  const errors: FormErrors<EventForm> = {};
  const name = form.name.trim();
  if (!name) errors.name = "The event needs a name.";
  else if (name.length > 80) errors.name = `Keep the name to 80 characters (it has ${name.length}).`;
  if (!/^#[0-9a-f]{6}$/i.test(form.accent_color.trim())) errors.accent_color = "Use a colour like #f7931a.";
  if (form.time_zone.trim() && !knownTimeZone(form.time_zone)) {
    errors.time_zone = "Not a time zone this browser knows; use an IANA name such as Europe/Zurich.";
  }
  if (form.doors_opened_at && Number.isNaN(new Date(form.doors_opened_at).getTime())) {
    errors.doors_opened_at = "Pick a date and time, or clear it.";
  }
  const seconds = Number(form.celebration_seconds);
  if (!/^\d+$/.test(form.celebration_seconds.trim()) || seconds < 3 || seconds > 60) {
    errors.celebration_seconds = "A whole number of seconds from 3 to 60.";
  }
  if (form.public_url.trim() && !validUrl(form.public_url.trim())) {
    errors.public_url = "An http:// or https:// address, e.g. https://pos.example.org/?mode=attendee";
  }
  return errors;
}

/** Every setting, as the form has it; empty fields clear (null). */
export function eventUpdateBody(form: EventForm): EventSettingsUpdate {
  return {
    name: form.name.trim(),
    accent_color: form.accent_color.trim().toLowerCase(),
    time_zone: form.time_zone.trim() ? (knownTimeZone(form.time_zone) ?? form.time_zone.trim()) : null,
    display_currency: form.display_currency,
    // datetime-local is this device's wall time; the server takes an instant.
    doors_opened_at: form.doors_opened_at ? new Date(form.doors_opened_at).toISOString() : null,
    celebration_seconds: Number(form.celebration_seconds),
    sound: form.sound,
    public_url: form.public_url.trim() || null,
    theme: form.theme,
  };
}

export const LOGO_MAX_BYTES = 512 * 1024;
const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"];

/** Why a chosen file cannot be the logo, or null when it may be uploaded (the server checks its bytes). */
export function logoFileProblem(file: { type: string; size: number }): string | null {
  if (file.type === "image/svg+xml")
    return "SVG is not accepted (it can carry script); use PNG, JPEG or WebP.";
  if (!LOGO_TYPES.includes(file.type)) return "Choose a PNG, JPEG or WebP image.";
  if (file.size > LOGO_MAX_BYTES)
    return `The file is ${Math.ceil(file.size / 1024)} KB; the limit is 512 KB.`;
  return null;
}
