import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import * as S from "../contract/index.js";
import type { ReadArgs, ReadName } from "../store/access.js";
import { rfc3339 } from "../time/instant.js";
import type { AppContext } from "./context.js";
import { badRequest } from "./errors.js";
import { parseBucket, parseSince, rejectNonFiniteNumbers, windowStart } from "./params.js";

const DAY_MS = 24 * 3600_000;
const JSON_TYPE = "application/json; charset=utf-8";
const TRIGGERS_DEFAULT_LIMIT = 100;
const MAX_BUCKETS = 1440;

/**
 * Read-only endpoints for dashboards: thin, one cached read each. Parameters are validated here, before
 * the cache; `key` names the query by its validated parameters and `args` is evaluated when the read
 * actually runs, so windows are measured from the time of the read, not of the first request.
 */
export const publicRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { store, cache, config, now } = ctx;
  /**
   * The cached answer is the response body itself, serialised once by the route's response schema:
   * every screen asks for the same few queries, so serialising per request would be most of the work.
   */
  const read = <N extends ReadName>(
    reply: FastifyReply,
    name: N,
    params: unknown,
    args: () => ReadArgs<N>,
  ) => {
    const key = `${name} ${JSON.stringify(params)}`;
    const compute = () =>
      store.read(name, args()).then((value) => Buffer.from(reply.serialize(value) as string));
    // A Buffer with a JSON type is sent as it is, not serialised again; its length is known.
    const send = (body: Buffer): void => {
      reply.type(JSON_TYPE).send(body);
    };
    const body = cache.get(key, compute);
    // A cached body is sent in the same turn of the event loop.
    if (body instanceof Promise) return body.then(send);
    send(body);
  };
  const errors = { 400: S.ErrorBody };
  app.addHook("preHandler", rejectNonFiniteNumbers);

  app.get("/v1/health", { schema: { response: { 200: S.Health } } }, async (): Promise<S.Health> => {
    const failure = ctx.storageFailure?.();
    if (!failure) return { status: "ok" };
    const { error, since, at } = failure;
    const storage = { error, failing_since: rfc3339(since), last_failure_at: rfc3339(at) };
    return { status: "degraded", storage };
  });

  app.get("/v1/summary", { schema: { response: { 200: S.Summary } } }, (_req, reply) =>
    read(reply, "summary", null, () => ({ now: now(), rateWindowMs: config.rateWindowMs })),
  );

  app.get(
    "/v1/ticker",
    { schema: { querystring: S.LimitQuery, response: { 200: Type.Array(S.TickerRow), ...errors } } },
    (req, reply) => {
      const limit = req.query.limit ?? config.tickerLimit;
      return read(reply, "ticker", limit, () => ({ limit }));
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
      return read(reply, "merchantLeaderboard", [window, metric, limit], () => ({
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
    (req, reply) => {
      const { window = "all", metric = "transactions", limit = config.leaderboardLimit } = req.query;
      windowStart(window, null, now());
      return read(reply, "productLeaderboard", [window, metric, limit], () => ({
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
    "/v1/timeseries",
    { schema: { querystring: S.TimeseriesQuery, response: { 200: S.Timeseries, ...errors } } },
    (req, reply) => {
      const at = now();
      const windowMs = at - (windowStart(req.query.window, "60m", at) ?? at);
      if (req.query.window === "all")
        throw badRequest('timeseries needs a finite window, e.g. 60m; "all" is not one');
      const bucketMs = parseBucket(req.query.bucket, windowMs, MAX_BUCKETS);
      const merchantId = req.query.merchant_id;
      return read(reply, "timeseries", [windowMs, bucketMs, merchantId ?? null], () => ({
        now: now(),
        windowMs,
        bucketMs,
        merchantId,
      }));
    },
  );
};
