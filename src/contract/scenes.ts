import { type Static, Type } from "typebox";
import { CLOSED, Instant } from "./common.js";
import { SCENE_ORDER_MAX } from "./limits.js";

/** The venue screens' playlist: which scenes rotate, in which order, for how long. */

/** Ids go unescaped into paths (the original frontend builds `/v1/admin/scenes/${id}`). */
export const SCENE_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
export const SceneId = Type.String({ pattern: SCENE_ID_PATTERN, description: "Scene id, e.g. overview" });
export const SCENE_NAME_MAX = 100;
export const SCENE_CONTENT_MAX = 2000;
/** A scene shows at least a second (a 0 ms scene would flash) and at most an hour. */
export const SCENE_DURATION_MIN_MS = 1000;
export const SCENE_DURATION_MAX_MS = 3_600_000;
/** What a scene created without a duration (or with 0, as the original's form sends) shows for. */
export const SCENE_DURATION_DEFAULT_MS = 20_000;

export const Scene = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    /** How long the scene shows, in ms. */
    duration: Type.Integer(),
    enabled: Type.Boolean(),
    /** Ascending; ties by id. */
    order: Type.Integer(),
    /** Text the scene shows where it has any (the merch scene: one item per line); "" otherwise. */
    content: Type.String(),
    created_at: Instant,
    updated_at: Instant,
  },
  CLOSED,
);
export type Scene = Static<typeof Scene>;

export const SceneParams = Type.Object({ id: SceneId });
export type SceneParams = Static<typeof SceneParams>;

// Ranges the schema cannot say in a way the original's clients expect ("missing fields" for an empty id
// or name; 0 meaning "default" or "keep" for duration and order) are checked by the route (api/scenes.ts).
const Duration = Type.Integer({ minimum: 0, maximum: SCENE_DURATION_MAX_MS, description: "ms" });
const Order = Type.Integer({ minimum: 0, maximum: SCENE_ORDER_MAX });
const Content = Type.String({ maxLength: SCENE_CONTENT_MAX });

// The same fields in both bodies, all optional: the original's create form sends all of them, its edit
// form all but `id` and `content`.
const sceneFields = {
  id: Type.Optional(Type.String({ maxLength: 64 })),
  name: Type.Optional(Type.String({ maxLength: SCENE_NAME_MAX })),
  duration: Type.Optional(Duration),
  enabled: Type.Optional(Type.Boolean()),
  order: Type.Optional(Order),
  content: Type.Optional(Content),
};

/** `POST /v1/admin/scenes`: creates the scene, or overwrites the one with that id; id and name required. */
export const SceneBody = Type.Object(sceneFields);
export type SceneBody = Static<typeof SceneBody>;

/** `PUT /v1/admin/scenes/{id}`: an empty name, a 0 duration or order mean "keep"; a body `id` is ignored. */
export const ScenePatchBody = Type.Object(sceneFields);
export type ScenePatchBody = Static<typeof ScenePatchBody>;

/** The `scenes` live event: the public playlist after an operator changed it. */
export const ScenesEvent = Type.Object({ scenes: Type.Array(Scene) }, CLOSED);
export type ScenesEvent = Static<typeof ScenesEvent>;
