import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import * as S from "../contract/index.js";
import { ifNoneMatch } from "./answer.js";
import { cachedRead } from "./cached-read.js";
import type { AppContext } from "./context.js";
import { HttpError, notFound } from "./errors.js";
import { eventSettingsPatch } from "./event-body.js";
import { checkedLogoType } from "./logo.js";

/** Told of each stored change: announces the settings, read again after it (app.ts). */
export interface EventFeed {
  changed(): void;
}

/** `GET /v1/event` (a cached public read, like the playlist) and `GET /v1/event/logo`. */
export const eventPublicRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const schema = { response: { 200: S.EventSettings, 304: S.NotModified } };
  app.get("/v1/event", { schema }, (_req, reply) =>
    cachedRead(ctx, reply, "eventSettings", null, () => ({})),
  );

  app.get(
    "/v1/event/logo",
    {
      schema: {
        querystring: S.LogoQuery,
        response: {
          200: Type.Unknown({ description: "the image's bytes, as image/png, image/jpeg or image/webp" }),
          304: Type.Unknown({ description: "no body: the If-None-Match ETag is the current logo's" }),
          400: S.ErrorBody,
          404: S.ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const logo = await ctx.store.read("eventLogo", {});
      if (!logo) throw notFound("the event has no logo");
      const etag = `"${logo.sha256}"`;
      // Served from our origin: the browser must take it for the image it is and never run it.
      reply
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("etag", etag)
        .header("last-modified", new Date(logo.updatedAt).toUTCString())
        // logo_url names the version: that URL never changes content. Unversioned, ask each time (an ETag makes it a 304).
        .header(
          "cache-control",
          req.query.v === logo.sha256.slice(0, 16) ? "public, max-age=31536000, immutable" : "no-cache",
        );
      if (ifNoneMatch(req.headers["if-none-match"], etag)) return reply.code(304).send(null);
      const bytes = Buffer.from(logo.bytes.buffer, logo.bytes.byteOffset, logo.bytes.byteLength);
      return reply.type(logo.type).send(bytes);
    },
  );
};

/**
 * The admin side, registered inside admin.ts's authenticated scope (its token check, rate limit and
 * body checks apply). Each stored change puts the settings, then a summary (the since-doors figures
 * follow doors_opened_at), on the live stream.
 */
export const eventAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext; feed: EventFeed }> = async (
  app,
  { ctx, feed },
) => {
  const { store, now } = ctx;
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };

  app.put(
    "/v1/admin/event",
    { schema: { body: S.EventSettingsBody, response: { 200: S.EventSettings, ...errors } } },
    async (req) => {
      const patch = eventSettingsPatch(req.body as Record<string, unknown>);
      const settings = await store.change("updateEventSettings", { patch, now: now() });
      feed.changed();
      return settings;
    },
  );

  app.delete(
    "/v1/admin/event/logo",
    { schema: { response: { 200: S.EventSettings, ...errors } } },
    async () => {
      const settings = await store.change("setEventLogo", { logo: null, now: now() });
      feed.changed();
      return settings;
    },
  );

  // Its own scope: only the upload takes a body that is not JSON.
  await app.register(async (upload) => {
    // Every type reaches the route as bytes, so that the route, not the parser, says what is refused.
    upload.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    upload.put(
      "/v1/admin/event/logo",
      {
        bodyLimit: S.LOGO_MAX_BYTES,
        schema: { response: { 200: S.EventSettings, 413: S.ErrorBody, 415: S.ErrorBody, ...errors } },
      },
      async (req) => {
        const type = checkedLogoType(req.body, req.headers["content-type"]);
        const bytes = req.body as Buffer;
        if (bytes.length > S.LOGO_MAX_BYTES) throw new HttpError(413, "the logo is larger than 512 KB");
        const settings = await store.change("setEventLogo", { logo: { bytes, type }, now: now() });
        feed.changed();
        return settings;
      },
    );
  });
};
