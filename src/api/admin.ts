import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import * as S from "../contract/index.js";
import type { PlaylistFeed } from "../live/playlist.js";
import { FailedAuthLimiter, presentedTokens, tokenMatcher } from "./auth.js";
import { knownFields } from "./body.js";
import { summaryRead } from "./cached-read.js";
import { connectionTestRoutes } from "./connection-test.js";
import type { AppContext } from "./context.js";
import { dataHealthRoutes } from "./data-health.js";
import { badRequest, HttpError, notFound } from "./errors.js";
import { type EventFeed, eventAdminRoutes } from "./event.js";
import { exportRoutes } from "./exports.js";
import { merchantInput, merchantSourcePatch } from "./merchant-source.js";
import { rejectMistypedFields, rejectNonFiniteNumbers } from "./params.js";
import { sceneAdminRoutes } from "./scenes.js";
import { rejectMistypedSettings, sourceSchemaErrors } from "./source-body.js";
import { webhookAdminRoutes } from "./webhook-admin.js";

/** Merchant bodies may carry a source's settings: refusals of those name the field in plain words. */
const SETTINGS_CHECKS = { schemaErrorFormatter: sourceSchemaErrors, preValidation: rejectMistypedSettings };

export const adminRoutes: FastifyPluginAsyncTypebox<{
  ctx: AppContext;
  playlist: PlaylistFeed;
  eventFeed: EventFeed;
}> = async (app, { ctx, playlist, eventFeed }) => {
  const { store, now } = ctx;
  const matches = tokenMatcher(ctx.config.adminToken);
  const limiter = new FailedAuthLimiter();
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };
  app.addHook("preValidation", rejectMistypedFields);
  app.addHook("preHandler", rejectNonFiniteNumbers);
  // Nothing an operator sees is kept by a browser or a proxy, the summary's shared cached answer included.
  app.addHook("onSend", (_req, reply, payload, done) => {
    reply.header("cache-control", "no-store");
    done(null, payload);
  });

  const refuseIfLimited = (ip: string): void => {
    const wait = limiter.retryAfterSeconds(ip, now());
    if (wait > 0)
      throw new HttpError(429, `too many failed authentication attempts; retry in ${wait}s`, wait);
  };

  app.post(
    "/v1/admin/auth/login",
    { schema: { body: S.LoginBody, response: { 200: S.StatusBody, ...errors } } },
    async (req, reply) => {
      refuseIfLimited(req.ip);
      if (!matches(req.body.token)) {
        limiter.recordFailure(req.ip, now());
        return reply.code(401).send({ error: "invalid token" });
      }
      return { status: "ok" };
    },
  );

  await app.register(async (scope) => {
    const admin = scope.withTypeProvider<TypeBoxTypeProvider>();
    admin.addHook("onRequest", async (req) => {
      refuseIfLimited(req.ip);
      const tokens = presentedTokens(req);
      if (tokens.length === 0 || !tokens.every(matches)) {
        limiter.recordFailure(req.ip, now());
        throw new HttpError(401, "unauthorized");
      }
    });

    // The public summary behind the token, as the original serves it; the same cached answers.
    admin.get(
      "/v1/admin/summary",
      { schema: { querystring: S.SummaryQuery, response: { 200: S.Summary, ...errors } } },
      (req, reply) => summaryRead(ctx, reply, req.query.source, req.query.merchant_id),
    );

    admin.get(
      "/v1/admin/merchants",
      { schema: { response: { 200: Type.Array(S.Merchant), ...errors } } },
      () => store.read("merchants", {}),
    );

    admin.post(
      "/v1/admin/merchants",
      {
        schema: { body: S.MerchantBody, response: { 200: S.Merchant, 201: S.Merchant, ...errors } },
        ...SETTINGS_CHECKS,
      },
      async (req, reply) => {
        const stored = await store.read("merchantSourceSettings", { id: req.body.id });
        const input = merchantInput(knownFields(S.MerchantBody, req.body), stored);
        const merchant = await store.change("upsertMerchant", { input, now: now() });
        return reply.code(stored ? 200 : 201).send(merchant);
      },
    );

    admin.put(
      "/v1/admin/merchants/:id",
      {
        schema: {
          params: S.MerchantParams,
          body: S.MerchantPatchBody,
          response: { 200: S.Merchant, ...errors },
        },
        ...SETTINGS_CHECKS,
      },
      async (req) => {
        const { id } = req.params;
        const body = knownFields(S.MerchantPatchBody, req.body);
        const changes = merchantChanges(id, body);
        const stored = await store.read("merchantSourceSettings", { id });
        if (!stored) throw notFound(`merchant ${id} not found`);
        const merchant = await store.change("updateMerchant", {
          id,
          patch: merchantSourcePatch(id, body, changes, stored),
          now: now(),
        });
        if (!merchant) throw notFound(`merchant ${id} not found`);
        return merchant;
      },
    );

    admin.delete(
      "/v1/admin/merchants/:id",
      { schema: { params: S.MerchantParams, response: { 200: S.MessageBody, ...errors } } },
      async (req) => {
        if (!(await store.change("deleteMerchant", { id: req.params.id })))
          throw notFound(`merchant ${req.params.id} not found`);
        return { message: "merchant deleted" };
      },
    );

    admin.post(
      "/v1/admin/merchants/:id/refetch",
      { schema: { params: S.MerchantParams, response: { 202: S.StatusBody, 409: S.ErrorBody, ...errors } } },
      async (req, reply) => {
        const started = await ctx.refetch(req.params.id);
        if (!started) throw notFound(`merchant ${req.params.id} not found`);
        if (started === "not polled")
          throw new HttpError(409, `merchant ${req.params.id} is fed by a webhook; nothing to poll`);
        return reply.code(202).send({ status: "refreshing" });
      },
    );

    admin.get(
      "/v1/admin/milestones",
      { schema: { response: { 200: Type.Array(S.Milestone), ...errors } } },
      () => store.read("milestones", {}),
    );

    admin.post(
      "/v1/admin/milestones",
      { schema: { body: S.MilestoneBody, response: { 201: S.Milestone, ...errors } } },
      async (req, reply) => {
        const input = knownFields(S.MilestoneBody, req.body);
        return reply.code(201).send(await store.change("createMilestone", { input, now: now() }));
      },
    );

    admin.put(
      "/v1/admin/milestones/:id",
      {
        schema: {
          params: S.MilestoneParams,
          body: S.MilestonePatchBody,
          response: { 200: S.Milestone, ...errors },
        },
      },
      async (req) => {
        const milestone = await store.change("updateMilestone", {
          id: Number(req.params.id),
          patch: knownFields(S.MilestonePatchBody, req.body),
          now: now(),
        });
        if (!milestone) throw notFound(`milestone ${req.params.id} not found`);
        return milestone;
      },
    );

    admin.delete(
      "/v1/admin/milestones/:id",
      { schema: { params: S.MilestoneParams, response: { 200: S.MessageBody, ...errors } } },
      async (req) => {
        if (!(await store.change("deleteMilestone", { id: Number(req.params.id) })))
          throw notFound(`milestone ${req.params.id} not found`);
        return { message: "milestone deleted" };
      },
    );

    await admin.register(sceneAdminRoutes, { ctx, playlist });
    await admin.register(eventAdminRoutes, { ctx, feed: eventFeed });
    await admin.register(connectionTestRoutes, { ctx });
    await admin.register(exportRoutes, { ctx });
    await admin.register(dataHealthRoutes, { ctx });
    await admin.register(webhookAdminRoutes, { ctx });
  });
};

/** What a merchant PUT changes: the edit form's unchanged id and empty fields are not changes. */
export function merchantChanges(
  pathId: string,
  body: S.MerchantPatchBody,
): Pick<S.MerchantPatchBody, "public_key" | "alias" | "enabled"> {
  const { id, public_key, alias, enabled } = body;
  if (id !== undefined && id !== "" && id !== pathId) {
    throw badRequest("cannot change merchant ID; please create a new merchant instead");
  }
  return {
    ...(public_key ? { public_key } : {}),
    ...(alias ? { alias } : {}),
    ...(enabled === undefined ? {} : { enabled }),
  };
}
