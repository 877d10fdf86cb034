// What one screen shows the event as: the operator's stored settings (GET /v1/event and the `event`
// stream event), with this screen's URL parameters on top. Pure: parsing and merging only.
//   ?event=Name&tz=Europe/Zurich&currency=btc&accent=00a3ff&celebrate=5
import type { DisplayCurrency, EventSettings, Theme } from "../api/types";

export interface ScreenEvent {
  name: string;
  /** GET /v1/event/logo, versioned; null: the built-in mark. */
  logoUrl: string | null;
  accentColor: string;
  /** IANA zone of every clock on screen; undefined: the device's own. */
  timeZone: string | undefined;
  currency: DisplayCurrency;
  /** When set, the venue figures count from here (the summary's since_doors). */
  doorsOpenedAt: string | null;
  celebrationMs: number;
  sound: boolean;
  /** The attendee page's address, for a QR code. */
  publicUrl: string | null;
  theme: Theme;
}

/** What this screen's URL sets for itself; anything left out comes from the server. */
export type EventOverrides = Partial<
  Pick<ScreenEvent, "name" | "timeZone" | "currency" | "accentColor" | "celebrationMs" | "sound" | "theme">
>;

/** What a screen shows before (or without) the server's settings: the contract's defaults. */
export const DEFAULT_EVENT: ScreenEvent = {
  name: "Live POS Dashboard",
  logoUrl: null,
  accentColor: "#f7931a",
  timeZone: undefined,
  currency: "sats",
  doorsOpenedAt: null,
  celebrationMs: 9000,
  sound: false,
  publicUrl: null,
  theme: "dark",
};

const CURRENCIES: readonly DisplayCurrency[] = ["sats", "btc", "fiat"];

/** A zone this browser knows, in its canonical spelling; undefined otherwise. */
export function knownTimeZone(raw: string | null | undefined): string | undefined {
  const zone = raw?.trim();
  if (!zone) return undefined;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The URL's overrides; an invalid value is ignored (the server's setting stays), as settings.ts does. */
export function parseEventOverrides(search: string): EventOverrides {
  const p = new URLSearchParams(search);
  const out: EventOverrides = {};
  const name = p.get("event")?.trim();
  if (name) out.name = name.slice(0, 80);
  const zone = knownTimeZone(p.get("tz"));
  if (zone) out.timeZone = zone;
  const currency = p.get("currency")?.trim().toLowerCase();
  if (currency && (CURRENCIES as readonly string[]).includes(currency))
    out.currency = currency as DisplayCurrency;
  const accent = p.get("accent")?.trim().replace(/^#/, "");
  if (accent && /^[0-9a-f]{6}$/i.test(accent)) out.accentColor = `#${accent.toLowerCase()}`;
  const seconds = Number(p.get("celebrate") ?? Number.NaN);
  if (Number.isInteger(seconds) && seconds >= 3 && seconds <= 60) out.celebrationMs = seconds * 1000;
  return out;
}

/** The server's settings as a screen uses them, with the URL's overrides on top. */
export function screenEvent(server: EventSettings | null, overrides: EventOverrides): ScreenEvent {
  const stored: ScreenEvent = server
    ? {
        name: server.name,
        logoUrl: server.has_logo ? server.logo_url : null,
        accentColor: server.accent_color,
        timeZone: knownTimeZone(server.time_zone),
        currency: server.display_currency,
        doorsOpenedAt: server.doors_opened_at,
        celebrationMs: server.celebration_seconds * 1000,
        sound: server.sound,
        publicUrl: server.public_url,
        theme: server.theme,
      }
    : DEFAULT_EVENT;
  return { ...stored, ...overrides };
}
