import { useEffect, useState } from "react";
import { type PlaylistEntry, sceneDuration, stepAfterChange } from "./playlist";
import { type DashboardSettings, type SceneId, type SceneStep, sceneAt, stepForScene } from "./settings";

export interface Rotation {
  step: number;
  paused: boolean;
  setPaused(paused: boolean): void;
  running: boolean;
  select(scene: SceneId): void;
  current: SceneStep;
  entry: PlaylistEntry;
  /** How long the current scene shows (null: rotation off). */
  durationMs: number | null;
}

/**
 * Which scene the screen shows: each moves on after its own duration (or the screen's `rotate=`
 * period) unless paused or a celebration holds it. A new playlist keeps the scene on screen when it is
 * still in it.
 */
export function useRotation(
  settings: DashboardSettings,
  playlist: readonly PlaylistEntry[],
  held: boolean,
): Rotation {
  const order = playlist.map((e) => e.id);
  const key = order.join(" ");
  const [position, setPosition] = useState({ step: 0, order, key });
  const [paused, setPaused] = useState(false);
  let step = position.step;
  if (position.key !== key) {
    // Adjusted while rendering (not in an effect), so the old scene never flashes at the new place.
    step = stepAfterChange(position.step, settings.scene, position.order, order);
    setPosition({ step, order, key });
  }
  const current = sceneAt(step, settings.scene, settings.metric, order);
  const entry = playlist.find((e) => e.id === current.scene) ?? (playlist[0] as PlaylistEntry);
  const durationMs = sceneDuration(settings.rotateMs, entry);
  const running = durationMs !== null && !paused && !held;

  // biome-ignore lint/correctness/useExhaustiveDependencies: each step (or a new scene at it) schedules the next one
  useEffect(() => {
    if (!running || durationMs === null) return;
    const id = setTimeout(() => setPosition((p) => ({ ...p, step: p.step + 1 })), durationMs);
    return () => clearTimeout(id);
  }, [step, current.scene, running, durationMs]);

  // A new first scene (URL or controls) restarts the rotation from it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset only when the configured first scene changes
  useEffect(() => setPosition((p) => ({ ...p, step: 0 })), [settings.scene]);

  const select = (scene: SceneId) =>
    setPosition((p) => ({ ...p, step: stepForScene(p.step + 1, settings.scene, scene, p.order) }));
  return { step, paused, setPaused, running, select, current, entry, durationMs };
}
