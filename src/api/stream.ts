import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorBody, StreamHeaders } from "../contract/index.js";
import type { LiveHub } from "../live/hub.js";
import { HttpError } from "./errors.js";

/** `GET /v1/stream`: Server-Sent Events for screens (sale, summary, milestone, merchant, reset). */
export const streamRoutes: FastifyPluginAsyncTypebox<{ hub: LiveHub }> = async (app, { hub }) => {
  // The events' data is described by the contract's LiveEvents; a refused stream answers an ErrorBody.
  const schema = { headers: StreamHeaders, response: { 503: ErrorBody } };
  app.get("/v1/stream", { schema }, async (req, reply) => {
    // Never kept by a browser or a proxy, the 503 included (the stream itself says so in hub.attach).
    reply.header("cache-control", "no-store");
    if (!hub.canAccept()) throw new HttpError(503, "too many live streams open; retry shortly");
    const lastEventId = req.headers["last-event-id"];
    reply.hijack();
    // Headers set by earlier hooks (CORS) are carried over, since the stream bypasses Fastify's reply.
    hub.attach(reply.raw, reply.getHeaders() as Record<string, string>, lastEventId);
    req.log.info(
      { reqId: req.id, method: req.method, path: req.url, ip: req.ip, clients: hub.clientCount },
      `stream opened from ${req.ip}`,
    );
  });
};
