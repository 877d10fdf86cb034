import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import * as S from "../contract/index.js";
import type { ReadArgs, ReadName } from "../store/access.js";
import { rfc3339 } from "../time/instant.js";
import { cachedRead, summaryRead, unknownMerchant } from "./cached-read.js";
import type { AppContext } from "./context.js";
import { badRequest } from "./errors.js";
import { parseBucket, parseSince, rejectNonFiniteNumbers, sourceFilter, windowStart } from "./params.js";

const DAY_MS = 24 * 3600_000;
const TRIGGERS_DEFAULT_LIMIT = 100;
const MAX_BUCKETS = 1440;

/**
 * Read-only endpoints for dashboards: thin, one cached read each (see cachedRead). Parameters are
 * validated here, before the cache. `source` filters the sales every read counts (not the summary's
 * merchant and product counts); all, empty and absent are one query, every source's. `merchant_id`
 * (summary, ticker, product leaderboard, timeseries) keeps one merchant's figures, for its booth screen;
 * absent, the cache keys are what they were without it.
 */
export const publicRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { config, now } = ctx;
  const read = <N extends ReadName>(
    reply: FastifyReply,
    name: N,
    params: unknown,
    args: () => ReadArgs<N>,
    merchantId?: string,
  ) => cachedRead(ctx, reply, name, params, args, unknownMerchant(merchantId));
  // Every cached read answers a matching If-None-Match with a bodiless 304 (answer.ts).
  const errors = { 304: S.NotModified, 400: S.ErrorBody, 404: S.ErrorBody };
  app.addHook("preHandler", rejectNonFiniteNumbers);

  app.get(
    "/v1/health",
    { schema: { response: { 200: S.Health } } },
    async (_req, reply): Promise<S.Health> => {
      // A health check answered by a proxy's cache would say nothing about this process.
      reply.header("cache-control", "no-store");
      const failure = ctx.storageFailure?.();
      const push = ctx.livePushFailure?.();
      if (!failure && !push) return { status: "ok" };
      return {
        status: "degraded",
        ...(failure && {
          storage: {
            error: failure.error,
            failing_since: rfc3339(failure.since),
            last_failure_at: rfc3339(failure.at),
          },
        }),
        ...(push && { live_push: { error: push.error, down_since: rfc3339(push.since) } }),
      };
    },
  );

  app.get(
    "/v1/summary",
    { schema: { querystring: S.SummaryQuery, response: { 200: S.Summary, ...errors } } },
    (req, reply) => summaryRead(ctx, reply, req.query.source, req.query.merchant_id),
  );

  app.get(
    "/v1/ticker",
    { schema: { querystring: S.TickerQuery, response: { 200: Type.Array(S.TickerRow), ...errors } } },
    (req, reply) => {
      const { limit = config.tickerLimit, merchant_id: merchantId } = req.query;
      const source = sourceFilter(req.query.source);
      const params = merchantId === undefined ? [limit, source ?? null] : [limit, source ?? null, merchantId];
      return read(reply, "ticker", params, () => ({ limit, source, merchantId }), merchantId);
    },
  );

  app.get(
    "/v1/leaderboard/merchants",
    {
      schema: {
        querystring: S.MerchantLeaderboardQuery,
        response: { 200: Type.Array(S.MerchantStanding), ...errors },
      },
    },
    (req, reply) => {
      const { window = "24h", metric = "transactions", limit = config.leaderboardLimit } = req.query;
      windowStart(window, null, now()); // rejects a bad window before anything is cached
      const source = sourceFilter(req.query.source);
      return read(reply, "merchantLeaderboard", [window, metric, limit, source ?? null], () => ({
        metric,
        sinceMs: windowStart(window, null, now()),
        limit,
        source,
      }));
    },
  );

  app.get(
    "/v1/leaderboard/products",
    {
      schema: {
        querystring: S.ProductLeaderboardQuery,
        response: { 200: Type.Array(S.ProductStanding), ...errors },
      },
    },
    (req, reply) => {
      const { window = "all", metric = "transactions", limit = config.leaderboardLimit } = req.query;
      windowStart(window, null, now());
      const source = sourceFilter(req.query.source);
      const merchantId = req.query.merchant_id;
      const params = [
        window,
        metric,
        limit,
        source ?? null,
        ...(merchantId === undefined ? [] : [merchantId]),
      ];
      const args = () => ({ metric, sinceMs: windowStart(window, null, now()), limit, source, merchantId });
      return read(reply, "productLeaderboard", params, args, merchantId);
    },
  );

  app.get(
    "/v1/milestones/triggers",
    {
      schema: { querystring: S.TriggersQuery, response: { 200: Type.Array(S.MilestoneTrigger), ...errors } },
    },
    (req, reply) => {
      const { since, limit = TRIGGERS_DEFAULT_LIMIT } = req.query;
      parseSince(since, 0);
      return read(reply, "triggers", [since ?? null, limit], () => ({
        sinceMs: parseSince(since, now() - DAY_MS),
        limit,
      }));
    },
  );

  app.get(
    "/v1/milestones/upcoming",
    { schema: { response: { 200: Type.Array(S.UpcomingMilestone), 304: S.NotModified } } },
    (_req, reply) => read(reply, "upcomingMilestones", null, () => ({})),
  );

  app.get(
    "/v1/timeseries",
    { schema: { querystring: S.TimeseriesQuery, response: { 200: S.Timeseries, ...errors } } },
    (req, reply) => {
      const at = now();
      const windowMs = at - (windowStart(req.query.window, "60m", at) ?? at);
      if (req.query.window === "all")
        throw badRequest('timeseries needs a finite window, e.g. 60m; "all" is not one');
      const bucketMs = parseBucket(req.query.bucket, windowMs, MAX_BUCKETS);
      const merchantId = req.query.merchant_id;
      const source = sourceFilter(req.query.source);
      return read(reply, "timeseries", [windowMs, bucketMs, merchantId ?? null, source ?? null], () => ({
        now: now(),
        windowMs,
        bucketMs,
        merchantId,
        source,
      }));
    },
  );
};
