import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import * as S from "../contract/index.js";
import { backoffCeilingMs } from "../ingest/backoff.js";
import { toDataHealth } from "../store/shapes-health.js";
import type { AppContext } from "./context.js";

/**
 * GET /v1/admin/data-health: per merchant, how fresh its data is against the interval it is polled at
 * now (backoff included), its failures, the malformed rows skipped, and whether the stored sales agree
 * with the source's product totals. Registered inside the admin scope, behind its token; never cached.
 */
export const dataHealthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const errors = { 401: S.ErrorBody, 429: S.ErrorBody };
  app.get(
    "/v1/admin/data-health",
    { schema: { response: { 200: S.DataHealth, ...errors } } },
    async (_req, reply) => {
      const rows = await ctx.store.read("dataHealth", {});
      reply.header("cache-control", "no-store");
      return toDataHealth(rows, { now: ctx.now(), intervalMs: ctx.config.pollIntervalMs, backoffCeilingMs });
    },
  );
};
