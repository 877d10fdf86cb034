// Pure logic of the scenes admin page: the form, its validation, and the bodies it sends.
import type { Scene, SceneCreate, SceneUpdate } from "../api/types";
import { type FormErrors, MERCHANT_ID_PATTERN } from "./logic";

/** The same rule as merchant ids: the server's, so that an id goes into a path as it is. */
export const SCENE_ID_PATTERN = MERCHANT_ID_PATTERN;
export const MAX_SCENE_SECONDS = 3600;
export const MAX_SCENE_ORDER = 1_000_000;
export const MAX_SCENE_CONTENT = 2000;

export interface SceneForm {
  id: string;
  name: string;
  /** Seconds, as typed. */
  duration: string;
  /** As typed; blank on a new scene puts it after the last one. */
  order: string;
  content: string;
  enabled: boolean;
}

export function emptySceneForm(): SceneForm {
  return { id: "", name: "", duration: "20", order: "", content: "", enabled: true };
}

export function sceneToForm(s: Scene): SceneForm {
  return {
    id: s.id,
    name: s.name,
    duration: String(s.duration / 1000),
    order: String(s.order),
    content: s.content,
    enabled: s.enabled,
  };
}

/** "20", "7.5" → ms; anything outside 1 s – 1 h → null. */
export function parseSeconds(text: string): number | null {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const ms = Math.round(Number(t) * 1000);
  return ms >= 1000 && ms <= MAX_SCENE_SECONDS * 1000 ? ms : null;
}

/** A whole number 1 – 1,000,000 (the server keeps a scene's place for an order of 0 on edit). */
export function parseOrder(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= MAX_SCENE_ORDER ? n : null;
}

export function validateScene(form: SceneForm): FormErrors<SceneForm> {
  const errors: FormErrors<SceneForm> = {};
  const id = form.id.trim();
  if (!id) errors.id = "Scene ID is required.";
  else if (!SCENE_ID_PATTERN.test(id)) errors.id = "Use 1–64 letters, digits, “_” or “-” (no spaces).";
  if (!form.name.trim()) errors.name = "Name is required.";
  else if (form.name.trim().length > 100) errors.name = "Keep the name under 100 characters.";
  if (parseSeconds(form.duration) === null) errors.duration = `Seconds from 1 to ${MAX_SCENE_SECONDS}.`;
  if (form.order.trim() && parseOrder(form.order) === null)
    errors.order = `A whole number from 1 to ${MAX_SCENE_ORDER.toLocaleString("en")}.`;
  if (form.content.length > MAX_SCENE_CONTENT)
    errors.content = `At most ${MAX_SCENE_CONTENT} characters (${form.content.length} now).`;
  return errors;
}

export function sceneCreateBody(form: SceneForm): SceneCreate {
  const order = parseOrder(form.order);
  return {
    id: form.id.trim(),
    name: form.name.trim(),
    duration: parseSeconds(form.duration) ?? 20_000,
    enabled: form.enabled,
    ...(order === null ? {} : { order }),
    content: form.content,
  };
}

/** Only what changed, for PUT /v1/admin/scenes/{id}; a blank order keeps the scene's place. */
export function sceneChanges(original: Scene, form: SceneForm): SceneUpdate {
  const changes: SceneUpdate = {};
  if (form.name.trim() !== original.name) changes.name = form.name.trim();
  const duration = parseSeconds(form.duration);
  if (duration !== null && duration !== original.duration) changes.duration = duration;
  const order = parseOrder(form.order);
  if (order !== null && order !== original.order) changes.order = order;
  if (form.content !== original.content) changes.content = form.content;
  if (form.enabled !== original.enabled) changes.enabled = form.enabled;
  return changes;
}

/** The list's order: the playlist's (by order, then id). */
export function byPlaylistOrder(a: Scene, b: Scene): number {
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
