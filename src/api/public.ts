import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { getMerchantLeaderboard, getProductLeaderboard, getSummary, getTicker } from "../store/dashboard.js";
import { listTriggers } from "../store/milestones.js";
import { getTimeseries } from "../store/timeseries.js";
import type { AppContext } from "./context.js";
import { badRequest } from "./errors.js";
import { parseBucket, parseSince, rejectNonFiniteNumbers, windowStart } from "./params.js";
import * as S from "./schemas.js";

const DAY_MS = 24 * 3600_000;
const TRIGGERS_DEFAULT_LIMIT = 100;
const MAX_BUCKETS = 1440;

/** Read-only endpoints for dashboards: thin, one store call each. */
export const publicRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db, config, now } = ctx;
  const errors = { 400: S.ErrorBody };
  app.addHook("preHandler", rejectNonFiniteNumbers);

  app.get("/v1/health", { schema: { response: { 200: S.StatusBody } } }, async () => ({ status: "ok" }));

  app.get("/v1/summary", { schema: { response: { 200: S.Summary } } }, () =>
    getSummary(db, { now: now(), rateWindowMs: config.rateWindowMs }),
  );

  app.get(
    "/v1/ticker",
    { schema: { querystring: S.LimitQuery, response: { 200: Type.Array(S.TickerRow), ...errors } } },
    (req) => getTicker(db, req.query.limit ?? config.tickerLimit),
  );

  app.get(
    "/v1/leaderboard/merchants",
    {
      schema: {
        querystring: S.MerchantLeaderboardQuery,
        response: { 200: Type.Array(S.MerchantStanding), ...errors },
      },
    },
    (req) =>
      getMerchantLeaderboard(db, {
        metric: req.query.metric ?? "transactions",
        sinceMs: windowStart(req.query.window, "24h", now()),
        limit: req.query.limit ?? config.leaderboardLimit,
      }),
  );

  app.get(
    "/v1/leaderboard/products",
    {
      schema: {
        querystring: S.ProductLeaderboardQuery,
        response: { 200: Type.Array(S.ProductStanding), ...errors },
      },
    },
    (req) =>
      getProductLeaderboard(db, {
        metric: req.query.metric ?? "transactions",
        sinceMs: windowStart(req.query.window, null, now()),
        limit: req.query.limit ?? config.leaderboardLimit,
      }),
  );

  app.get(
    "/v1/milestones/triggers",
    {
      schema: { querystring: S.TriggersQuery, response: { 200: Type.Array(S.MilestoneTrigger), ...errors } },
    },
    (req) =>
      listTriggers(db, {
        sinceMs: parseSince(req.query.since, now() - DAY_MS),
        limit: req.query.limit ?? TRIGGERS_DEFAULT_LIMIT,
      }),
  );

  app.get(
    "/v1/timeseries",
    { schema: { querystring: S.TimeseriesQuery, response: { 200: S.Timeseries, ...errors } } },
    (req) => {
      const at = now();
      const windowMs = at - (windowStart(req.query.window, "60m", at) ?? at);
      if (req.query.window === "all")
        throw badRequest('timeseries needs a finite window, e.g. 60m; "all" is not one');
      const bucketMs = parseBucket(req.query.bucket, windowMs, MAX_BUCKETS);
      return getTimeseries(db, { now: at, windowMs, bucketMs, merchantId: req.query.merchant_id });
    },
  );
};
