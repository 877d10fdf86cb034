// Dashboard settings live in the URL so a screen nobody touches can be configured once:
//   /?rotate=20s&window=60m&event=Adopting%20Bitcoin&board=1h&metric=auto&scene=trends&kiosk=1&sound=1&theme=light
//   /?merchant=173 is one merchant's booth screen.
// Pure parsing/serialising; invalid values fall back to defaults.
import type { Metric, Theme } from "../api/types";
import { parseDuration } from "../format/time";

/** The built-in rotation: what a screen shows before it has ever read the playlist (/v1/scenes). */
export const SCENES = ["overview", "merchants", "products", "trends"] as const;
/** Every scene id the web app knows (playlist.ts says which of them it renders). */
export const SCENE_IDS = [...SCENES, "merch", "wifi"] as const;
export type SceneId = (typeof SCENE_IDS)[number];

export const BOARD_WINDOWS = ["5m", "1h", "24h", "all"] as const;
export type BoardWindow = (typeof BOARD_WINDOWS)[number];

export type MetricSetting = "auto" | Metric;

/** Colour themes: dark for a dim hall, light and high contrast for daylight (styles/themes.css). */
export const THEMES: readonly Theme[] = ["dark", "light", "contrast"];

export interface DashboardSettings {
  mode: "venue" | "attendee";
  kiosk: boolean;
  /**
   * Scene rotation: "playlist" (the default) shows each scene for its own duration from /v1/scenes; a
   * number (ms, from `rotate=`) is one period for every scene on this screen; null = rotation paused.
   */
  rotateMs: number | "playlist" | null;
  /** Trend window (Go duration) for the header, the sparklines and the trends scene. */
  window: string;
  /** Leaderboard window. */
  board: BoardWindow;
  /** Leaderboard metric; "auto" alternates transactions / volume on every rotation cycle. */
  metric: MetricSetting;
  event: string;
  /** First scene to show. */
  scene: SceneId;
  /**
   * A tone on each sale and a fanfare on each milestone (`sound=1`, `sound=0`); browsers still want a
   * click first. null: the URL does not say, so the event's stored setting decides.
   */
  sound: boolean | null;
  /** `merchant=ID`: the booth screen of that one merchant instead of the venue's; null = the venue's. */
  merchant: string | null;
  /** The screen's colours (`theme=`); null: the event's stored theme (useEventSettings applies it). */
  theme: Theme | null;
}

export const DEFAULT_SETTINGS: DashboardSettings = {
  mode: "venue",
  kiosk: false,
  rotateMs: "playlist",
  window: "60m",
  board: "24h",
  metric: "auto",
  event: "Live POS Dashboard",
  scene: "overview",
  sound: null,
  merchant: null,
  theme: null,
};

/** A merchant id as the API's MERCHANT_ID_PATTERN has it; anything else is ignored, not sent. */
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const MIN_ROTATE_MS = 5_000;
const MAX_WINDOW_SECONDS = 30 * 86400;

function truthy(value: string | null): boolean {
  return value !== null && ["1", "true", "yes", "on", ""].includes(value.trim().toLowerCase());
}

/** "20s", "1m", "20" (seconds) → ms; "0"/"off"/"none" → null; "playlist" → each scene's own; invalid → undefined. */
export function parseRotate(value: string | null): number | "playlist" | null | undefined {
  if (value === null) return undefined;
  const v = value.trim().toLowerCase();
  if (v === "playlist") return "playlist";
  if (["0", "off", "none", "false", "pause", "paused"].includes(v)) return null;
  const seconds = /^\d+(\.\d+)?$/.test(v) ? Number(v) : parseDuration(v);
  if (seconds === null || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.max(MIN_ROTATE_MS, Math.round(seconds * 1000));
}

/**
 * `defaults`: what a parameter the URL leaves out means: DEFAULT_SETTINGS, or the event's own settings
 * from the server (e.g. its `sound`) laid over them; the URL still overrides for this one screen.
 */
export function parseSettings(
  search: string,
  defaults: DashboardSettings = DEFAULT_SETTINGS,
): DashboardSettings {
  const p = new URLSearchParams(search);
  const s: DashboardSettings = { ...defaults };
  if (p.get("mode")?.toLowerCase() === "attendee") s.mode = "attendee";
  if (p.has("kiosk")) s.kiosk = truthy(p.get("kiosk"));
  const rotate = parseRotate(p.get("rotate"));
  if (rotate !== undefined) s.rotateMs = rotate;
  const window = p.get("window")?.trim();
  const windowSeconds = parseDuration(window);
  if (window && windowSeconds !== null && windowSeconds >= 60 && windowSeconds <= MAX_WINDOW_SECONDS) {
    s.window = window;
  }
  const board = p.get("board")?.trim().toLowerCase();
  if (board && (BOARD_WINDOWS as readonly string[]).includes(board)) s.board = board as BoardWindow;
  const metric = p.get("metric")?.trim().toLowerCase();
  if (metric === "transactions" || metric === "volume" || metric === "auto") s.metric = metric;
  const event = p.get("event")?.trim();
  if (event) s.event = event.slice(0, 80);
  const scene = p.get("scene")?.trim().toLowerCase();
  if (scene && (SCENE_IDS as readonly string[]).includes(scene)) s.scene = scene as SceneId;
  if (p.has("sound")) s.sound = truthy(p.get("sound"));
  const merchant = p.get("merchant")?.trim();
  if (merchant && MERCHANT_ID.test(merchant)) s.merchant = merchant;
  const theme = p.get("theme")?.trim().toLowerCase();
  if (theme && (THEMES as readonly string[]).includes(theme)) s.theme = theme as Theme;
  return s;
}

function formatRotate(ms: number | "playlist" | null): string {
  if (ms === "playlist") return "playlist";
  if (ms === null) return "off";
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/** The query string for `settings`, listing only what differs from the defaults. */
export function settingsToSearch(
  settings: DashboardSettings,
  d: DashboardSettings = DEFAULT_SETTINGS,
): string {
  const p = new URLSearchParams();
  if (settings.mode !== d.mode) p.set("mode", settings.mode);
  if (settings.kiosk) p.set("kiosk", "1");
  if (settings.rotateMs !== d.rotateMs) p.set("rotate", formatRotate(settings.rotateMs));
  if (settings.window !== d.window) p.set("window", settings.window);
  if (settings.board !== d.board) p.set("board", settings.board);
  if (settings.metric !== d.metric) p.set("metric", settings.metric);
  if (settings.event !== d.event) p.set("event", settings.event);
  if (settings.scene !== d.scene) p.set("scene", settings.scene);
  // A switched sound is written either way, so "off" holds against an event whose setting is "on".
  if (settings.sound !== d.sound && settings.sound !== null) p.set("sound", settings.sound ? "1" : "0");
  if (settings.merchant !== null) p.set("merchant", settings.merchant);
  if (settings.theme !== d.theme && settings.theme !== null) p.set("theme", settings.theme);
  const text = p.toString().replace(/\+/g, "%20");
  return text ? `?${text}` : "";
}

export interface SceneStep {
  scene: SceneId;
  /** Metric the leaderboard scenes show at this step. */
  metric: Metric;
}

/**
 * The scene at rotation step `step` (0, 1, 2, …) of the rotation `order` when starting from `first`
 * (from the top when `first` is not in it). With metric "auto", leaderboards show transactions on even
 * cycles and volume on odd ones.
 */
export function sceneAt(
  step: number,
  first: SceneId,
  metric: MetricSetting,
  order: readonly SceneId[] = SCENES,
): SceneStep {
  const start = Math.max(0, order.indexOf(first));
  const absolute = start + Math.max(0, Math.floor(step));
  const scene = order[absolute % Math.max(1, order.length)] ?? "overview";
  const cycle = Math.floor(absolute / Math.max(1, order.length));
  return { scene, metric: metric === "auto" ? (cycle % 2 === 0 ? "transactions" : "volume") : metric };
}

/** The step to jump to so that `scene` shows next, keeping the rotation going from there. */
export function stepForScene(
  currentStep: number,
  first: SceneId,
  scene: SceneId,
  order: readonly SceneId[] = SCENES,
): number {
  for (let s = currentStep; s < currentStep + order.length; s++) {
    if (sceneAt(s, first, "auto", order).scene === scene) return s;
  }
  return currentStep;
}
