import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { ReadArgs, ReadName } from "../store/reader.js";
import type { AppContext } from "./context.js";
import { badRequest } from "./errors.js";
import { parseBucket, parseSince, rejectNonFiniteNumbers, windowStart } from "./params.js";
import * as S from "./schemas.js";

const DAY_MS = 24 * 3600_000;
const TRIGGERS_DEFAULT_LIMIT = 100;
const MAX_BUCKETS = 1440;

/**
 * Read-only endpoints for dashboards: thin, one cached read each. Parameters are validated here, before
 * the cache; `key` names the query by its validated parameters and `args` is evaluated when the read
 * actually runs, so windows are measured from the time of the read, not of the first request.
 */
export const publicRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { reader, cache, config, now } = ctx;
  const read = <N extends ReadName>(name: N, key: unknown, args: () => ReadArgs<N>) =>
    cache.get(`${name} ${JSON.stringify(key)}`, () => reader.read(name, args()));
  const errors = { 400: S.ErrorBody };
  app.addHook("preHandler", rejectNonFiniteNumbers);

  app.get("/v1/health", { schema: { response: { 200: S.StatusBody } } }, async () => ({ status: "ok" }));

  app.get("/v1/summary", { schema: { response: { 200: S.Summary } } }, () =>
    read("summary", null, () => ({ now: now(), rateWindowMs: config.rateWindowMs })),
  );

  app.get(
    "/v1/ticker",
    { schema: { querystring: S.LimitQuery, response: { 200: Type.Array(S.TickerRow), ...errors } } },
    (req) => {
      const limit = req.query.limit ?? config.tickerLimit;
      return read("ticker", limit, () => ({ limit }));
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
    (req) => {
      const { window = "24h", metric = "transactions", limit = config.leaderboardLimit } = req.query;
      windowStart(window, null, now()); // rejects a bad window before anything is cached
      return read("merchantLeaderboard", [window, metric, limit], () => ({
        metric,
        sinceMs: windowStart(window, null, now()),
        limit,
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
    (req) => {
      const { window = "all", metric = "transactions", limit = config.leaderboardLimit } = req.query;
      windowStart(window, null, now());
      return read("productLeaderboard", [window, metric, limit], () => ({
        metric,
        sinceMs: windowStart(window, null, now()),
        limit,
      }));
    },
  );

  app.get(
    "/v1/milestones/triggers",
    {
      schema: { querystring: S.TriggersQuery, response: { 200: Type.Array(S.MilestoneTrigger), ...errors } },
    },
    (req) => {
      const { since, limit = TRIGGERS_DEFAULT_LIMIT } = req.query;
      parseSince(since, 0);
      return read("triggers", [since ?? null, limit], () => ({
        sinceMs: parseSince(since, now() - DAY_MS),
        limit,
      }));
    },
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
      const merchantId = req.query.merchant_id;
      return read("timeseries", [windowMs, bucketMs, merchantId ?? null], () => ({
        now: now(),
        windowMs,
        bucketMs,
        merchantId,
      }));
    },
  );
};
