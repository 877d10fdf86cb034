import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import * as S from "../contract/index.js";
import type { ServiceMetrics } from "../metrics/service-metrics.js";
import { tokenMatcher } from "./auth.js";
import { HttpError } from "./errors.js";

/**
 * `GET /metrics`: Prometheus' text format. With METRICS_TOKEN set it wants `Authorization: Bearer
 * <METRICS_TOKEN>` (compared in constant time, as the admin token is); without it, it is open.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: ServiceMetrics; token?: string }> = async (
  app,
  { metrics, token },
) => {
  const matches = token === undefined ? undefined : tokenMatcher(token);
  const text = { schema: S.MetricsText };
  app.get(
    "/metrics",
    {
      onRequest: (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
        const refused = matches !== undefined && !matches(bearerToken(req) ?? "");
        done(refused ? new HttpError(401, "unauthorized") : undefined);
      },
      schema: {
        security: [{}, { metricsBearer: [] }],
        response: {
          200: { description: "The metrics", content: { "text/plain; version=0.0.4": text } },
          401: S.ErrorBody,
        },
      },
    },
    async (_req, reply) =>
      reply
        .type(metrics.contentType)
        .header("cache-control", "no-store")
        .send(await metrics.exposition()),
  );
};

function bearerToken(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  return typeof auth === "string" ? /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1] : undefined;
}

/**
 * Counts every answered request by its route's pattern (`/v1/admin/merchants/:id`, never the URL; an
 * unrouted one is "unmatched") and status class. Callback style, like the request log: it runs for
 * every request.
 */
export function countRequests(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook("onResponse", (req, reply, done) => {
    metrics.httpRequest(req.method, req.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime);
    done();
  });
}
