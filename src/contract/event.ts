import { type Static, Type } from "typebox";
import { CLOSED, Instant } from "./common.js";

/**
 * The event's settings, one set for the whole service: what every screen shows the event as. Stored
 * in the database (store/event.ts), edited in /admin, pushed to open screens as the `event` stream
 * event. A screen's URL parameters still override them for that screen alone.
 */

export const EVENT_NAME_MAX = 80;
/** What the screens showed before there were settings: a new database starts with it. */
export const EVENT_NAME_DEFAULT = "Live POS Dashboard";
/** The screens' bitcoin orange (base.css --sats). */
export const EVENT_ACCENT_DEFAULT = "#f7931a";
export const ACCENT_PATTERN = "^#[0-9a-fA-F]{6}$";
/** A celebration shorter than 3 s cannot be read from the back of the room; longer than a minute blocks the rotation. */
export const CELEBRATION_SECONDS_MIN = 3;
export const CELEBRATION_SECONDS_MAX = 60;
export const CELEBRATION_SECONDS_DEFAULT = 9;
export const PUBLIC_URL_MAX = 2000;
export const TIME_ZONE_MAX = 64;
/** The logo's largest upload: a wall screen needs no more, and the row stays small enough to read often. */
export const LOGO_MAX_BYTES = 512 * 1024;
/** What the logo may be, by its first bytes (api/logo.ts): raster only, as an SVG can carry script. */
export const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

export const DisplayCurrency = Type.Enum(["sats", "btc", "fiat"], {
  description: "fiat: the sales' own fiat first where they carry one, sats otherwise",
});
export type DisplayCurrency = Static<typeof DisplayCurrency>;
export const Theme = Type.Enum(["dark", "light", "contrast"]);
export type Theme = Static<typeof Theme>;

const Name = Type.String({ minLength: 1, maxLength: EVENT_NAME_MAX });
const Accent = Type.String({ pattern: ACCENT_PATTERN, description: "#rrggbb" });
const TimeZone = Type.String({
  minLength: 1,
  maxLength: TIME_ZONE_MAX,
  description: "IANA, e.g. Europe/Zurich",
});
const Celebration = Type.Integer({ minimum: CELEBRATION_SECONDS_MIN, maximum: CELEBRATION_SECONDS_MAX });
const PublicUrl = Type.String({ minLength: 1, maxLength: PUBLIC_URL_MAX, description: "http(s) URL" });

export const EventSettings = Type.Object(
  {
    name: Type.String(),
    accent_color: Type.String({ description: "#rrggbb" }),
    /** Null: each screen keeps its own device's time zone (what they did before there were settings). */
    time_zone: Type.Union([Type.String(), Type.Null()]),
    display_currency: DisplayCurrency,
    /** When set, the venue figures count from here ("since doors 10:00") instead of all time. */
    doors_opened_at: Type.Union([Instant, Type.Null()]),
    celebration_seconds: Type.Integer(),
    sound: Type.Boolean(),
    /** The attendee page's public address, for the venue screen's QR code. */
    public_url: Type.Union([Type.String(), Type.Null()]),
    theme: Theme,
    has_logo: Type.Boolean(),
    /** GET /v1/event/logo with the logo's version in the query (a new logo is a new URL); null without one. */
    logo_url: Type.Union([Type.String(), Type.Null()]),
    updated_at: Instant,
  },
  CLOSED,
);
export type EventSettings = Static<typeof EventSettings>;

/**
 * `PUT /v1/admin/event`: a partial update. Each field given is set, each left out is kept; `null`
 * (or "", which validation turns into null: the null branch comes first) clears the nullable ones
 * (time_zone, doors_opened_at, public_url). Nothing is stored unless every
 * field given is valid.
 */
export const EventSettingsBody = Type.Object(
  {
    name: Type.Optional(Name),
    accent_color: Type.Optional(Accent),
    time_zone: Type.Optional(Type.Union([Type.Null(), TimeZone])),
    display_currency: Type.Optional(DisplayCurrency),
    doors_opened_at: Type.Optional(Type.Union([Type.Null(), Type.String({ description: "RFC 3339" })])),
    celebration_seconds: Type.Optional(Celebration),
    sound: Type.Optional(Type.Boolean()),
    public_url: Type.Optional(Type.Union([Type.Null(), PublicUrl])),
    theme: Type.Optional(Theme),
  },
  { description: "Open, but the route refuses a field it does not name (a misspelt one would be lost)" },
);
export type EventSettingsBody = Static<typeof EventSettingsBody>;

/** `GET /v1/event/logo?v=…`: the version is only for caches; any value (or none) gets the current logo. */
export const LogoQuery = Type.Object({ v: Type.Optional(Type.String({ maxLength: 64 })) });
export type LogoQuery = Static<typeof LogoQuery>;
