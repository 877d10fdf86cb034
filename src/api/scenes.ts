import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import * as S from "../contract/index.js";
import type { PlaylistFeed } from "../live/playlist.js";
import type { SceneInput, ScenePatch } from "../store/scenes.js";
import { knownFields } from "./body.js";
import { cachedRead } from "./cached-read.js";
import type { AppContext } from "./context.js";
import { badRequest, notFound } from "./errors.js";

const SCENE_ID = new RegExp(S.SCENE_ID_PATTERN);

/** `GET /v1/scenes`: the venue playlist, a cached public read like the dashboard's. */
export const scenePublicRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const schema = { response: { 200: Type.Array(S.Scene), 304: S.NotModified } };
  app.get("/v1/scenes", { schema }, (_req, reply) => cachedRead(ctx, reply, "scenes", null, () => ({})));
};

/**
 * The admin side of scenes, registered inside admin.ts's authenticated scope (its token check, rate
 * limit and body checks apply). Each stored change puts the new playlist on the live stream.
 */
export const sceneAdminRoutes: FastifyPluginAsyncTypebox<{
  ctx: AppContext;
  playlist: PlaylistFeed;
}> = async (app, { ctx, playlist }) => {
  const { store, now } = ctx;
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };

  app.get("/v1/admin/scenes", { schema: { response: { 200: Type.Array(S.Scene), ...errors } } }, () =>
    store.read("adminScenes", {}),
  );

  app.post(
    "/v1/admin/scenes",
    { schema: { body: S.SceneBody, response: { 201: S.Scene, ...errors } } },
    async (req, reply) => {
      const input = sceneInput(knownFields(S.SceneBody, req.body));
      const scene = await store.change("upsertScene", { input, now: now() });
      playlist.changed();
      return reply.code(201).send(scene);
    },
  );

  app.put(
    "/v1/admin/scenes/:id",
    {
      schema: { params: S.SceneParams, body: S.ScenePatchBody, response: { 200: S.Scene, ...errors } },
    },
    async (req) => {
      const patch = sceneChanges(knownFields(S.ScenePatchBody, req.body));
      const scene = await store.change("updateScene", { id: req.params.id, patch, now: now() });
      if (!scene) throw notFound("scene not found");
      playlist.changed();
      return scene;
    },
  );

  app.delete(
    "/v1/admin/scenes/:id",
    { schema: { params: S.SceneParams, response: { 200: S.MessageBody, ...errors } } },
    async (req) => {
      if (!(await store.change("deleteScene", { id: req.params.id }))) throw notFound("scene not found");
      playlist.changed();
      return { message: "scene deleted" };
    },
  );
};

const DURATION_RANGE = `${S.SCENE_DURATION_MIN_MS}–${S.SCENE_DURATION_MAX_MS} ms`;

/** A duration the body gives: 0 means "not given"; anything else must be in range (a 0 ms scene would flash). */
function givenDuration(ms: number | undefined): number | undefined {
  if (ms === undefined || ms === 0) return undefined;
  if (ms < S.SCENE_DURATION_MIN_MS) {
    throw badRequest(`duration must be ${DURATION_RANGE} (or 0 for the default), got ${ms}`);
  }
  return ms;
}

/** What a POST stores: id and name required (the original's "missing fields"), defaults for the rest. */
export function sceneInput(body: S.SceneBody): SceneInput {
  const id = body.id ?? "";
  const name = body.name ?? "";
  if (id === "" || name.trim() === "") throw badRequest("missing fields");
  if (!SCENE_ID.test(id)) {
    throw badRequest(`invalid scene id ${JSON.stringify(id)}: use 1–64 letters, digits, "_" or "-"`);
  }
  return {
    id,
    name,
    durationMs: givenDuration(body.duration) ?? S.SCENE_DURATION_DEFAULT_MS,
    enabled: body.enabled ?? true,
    order: body.order ?? null,
    content: body.content ?? "",
  };
}

/** What a PUT changes: a non-empty name, a duration or order above 0, enabled and content if given. */
export function sceneChanges(body: S.ScenePatchBody): ScenePatch {
  const { name, duration, enabled, order, content } = body;
  const durationMs = givenDuration(duration);
  return {
    ...(name !== undefined && name.trim() !== "" ? { name } : {}),
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(enabled === undefined ? {} : { enabled }),
    ...(order !== undefined && order > 0 ? { order } : {}),
    ...(content === undefined ? {} : { content }),
  };
}
