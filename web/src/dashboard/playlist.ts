// The venue playlist as a screen plays it: the operator's enabled scenes from /v1/scenes (or the
// `scenes` live event), reduced to what this web app can render, each with its own duration.
import type { Scene } from "../api/types";
import { SCENES, type SceneId, sceneAt, stepForScene } from "./settings";

export interface PlaylistEntry {
  id: SceneId;
  /** The operator's name for it (the scene nav's label, the merch scene's heading). */
  name: string;
  durationMs: number;
  /** The merch scene's lines; "" for the others. */
  content: string;
}

/** The scene ids this build renders, in Stage (VenueDashboard.tsx); any other id in the playlist is skipped. */
export const RENDERED_SCENES: ReadonlySet<SceneId> = new Set<SceneId>([...SCENES, "merch", "wifi"]);

export const DEFAULT_SCENE_MS = 20_000;

const BUILT_IN_NAMES: Record<SceneId, string> = {
  overview: "Overview",
  merchants: "Top merchants",
  products: "Top products",
  trends: "Trends",
  merch: "Merch",
  wifi: "WiFi",
};

const builtIn = (id: SceneId): PlaylistEntry => ({
  id,
  name: BUILT_IN_NAMES[id],
  durationMs: DEFAULT_SCENE_MS,
  content: "",
});

/** Before the playlist was ever read: the web app's own four scenes. */
export const BUILT_IN_PLAYLIST: readonly PlaylistEntry[] = SCENES.map(builtIn);

/** The merch scene's items: one per non-blank line. */
export function contentLines(content: string): string[] {
  return content
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

function playable(scene: Scene, rendered: ReadonlySet<SceneId>): boolean {
  if (!scene.enabled || !rendered.has(scene.id as SceneId)) return false;
  // A merch scene with nothing to sell would put an empty screen in front of the room.
  return scene.id !== "merch" || contentLines(scene.content).length > 0;
}

/**
 * What the screen rotates through: `scenes` (null: never read) filtered to enabled scenes this build
 * renders, by order then id (the server sorts too; a hand-made event might not). Nothing left: the
 * overview alone, never a blank screen.
 */
export function playlistFrom(
  scenes: readonly Scene[] | null,
  rendered: ReadonlySet<SceneId> = RENDERED_SCENES,
): readonly PlaylistEntry[] {
  if (scenes === null) return BUILT_IN_PLAYLIST;
  const entries = scenes
    .filter((s) => playable(s, rendered))
    .sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s) => ({
      id: s.id as SceneId,
      name: s.name || BUILT_IN_NAMES[s.id as SceneId],
      durationMs: s.duration > 0 ? s.duration : DEFAULT_SCENE_MS,
      content: s.content,
    }));
  return entries.length > 0 ? entries : [builtIn("overview")];
}

/** How long the scene shows: the screen's own `rotate=` period when set, else the scene's duration. */
export function sceneDuration(rotateMs: number | "playlist" | null, entry: PlaylistEntry): number | null {
  return rotateMs === "playlist" ? entry.durationMs : rotateMs;
}

/**
 * The step to continue from when the playlist changes under a running screen: the scene on screen
 * stays if it is still in the playlist (its place may have moved); otherwise whatever now holds its
 * place comes next.
 */
export function stepAfterChange(
  step: number,
  first: SceneId,
  before: readonly SceneId[],
  after: readonly SceneId[],
): number {
  // The screen's first scene (`scene=wifi`, `scene=merch`) was not in the playlist it started with
  // (the built-in one, before /v1/scenes answered), so the top stood in for it. Once the playlist has
  // it, a screen that has not moved on yet starts there: with `rotate=off` it would never get there.
  if (step === 0 && !before.includes(first) && after.includes(first)) return 0;
  const showing = sceneAt(step, first, "auto", before).scene;
  if (!after.includes(showing)) return step;
  // From the first step of the cycle that holds `step`, so that the scene is found even when it moved up.
  const cycleStart = Math.floor(step / Math.max(1, after.length)) * Math.max(1, after.length);
  return stepForScene(cycleStart, first, showing, after);
}
