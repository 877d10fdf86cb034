import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ErrorBody, StreamEvent, StreamHeaders } from "../contract/index.js";
import type { LiveHub } from "../live/hub.js";
import { HttpError } from "./errors.js";

/** `GET /v1/stream`: Server-Sent Events for screens (sale, summary, milestone, merchant, reset). */
export const streamRoutes: FastifyPluginAsyncTypebox<{ hub: LiveHub }> = async (app, { hub }) => {
  // The events' data is described by the contract's LiveEvents; a refused stream answers an ErrorBody.
  const events = {
    description:
      "Server-Sent Events, one frame per event: `id:` (all but `ping`), `event:` (the name) and `data:` (its " +
      "JSON, one line). `sale`: a stored sale, oldest first; `summary`: the figures after new sales; " +
      "`milestone`: a milestone reached; `merchant`: a merchant's polls started or stopped succeeding; " +
      "`scenes` / `event`: an operator changed the playlist / the event settings; `reset`: the client " +
      "missed more than the replay buffer holds (refetch over REST); `ping`: every STREAM_HEARTBEAT. " +
      "A client reconnecting with Last-Event-ID gets what it missed.",
    content: { "text/event-stream": { schema: StreamEvent } },
  };
  const schema = { headers: StreamHeaders, response: { 200: events, 503: ErrorBody } };
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
