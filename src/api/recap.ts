import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import * as S from "../contract/index.js";
import { cachedRead } from "./cached-read.js";
import type { AppContext } from "./context.js";
import { timeRange } from "./params.js";

/**
 * GET /v1/recap: the event's report over a range. Public, as the dashboard's reads are: it holds only
 * what the public screens already show (totals, fiat, merchants' aliases and figures, products,
 * milestones reached), so a recap page can be shared or printed without the admin token. One cached
 * read per range, like every public read: a room of people opening it at the end costs one.
 */
export const recapRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    "/v1/recap",
    {
      schema: { querystring: S.RecapQuery, response: { 200: S.Recap, 304: S.NotModified, 400: S.ErrorBody } },
    },
    (req, reply) => {
      const { fromMs, toMs } = timeRange(req.query);
      return cachedRead(ctx, reply, "recap", ["recap", fromMs ?? null, toMs ?? null], () => ({
        now: ctx.now(),
        rateWindowMs: ctx.config.rateWindowMs,
        pollIntervalMs: ctx.config.pollIntervalMs,
        fromMs,
        toMs,
      }));
    },
  );
};
