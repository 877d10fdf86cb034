import type { FastifyReply } from "fastify";
import type { ReadArgs, ReadName } from "../store/access.js";
import type { AppContext } from "./context.js";
import { sourceFilter } from "./params.js";

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * Answers a request with one cached read. `params` names the query by its validated parameters (every
 * parameter that changes the answer, the source filter included: two queries with one key would send
 * each other's answers); `args` is evaluated when the read actually runs, so windows are measured from
 * the time of the read, not of the first request.
 *
 * The cached answer is the response body itself, serialised once by the route's response schema:
 * every screen asks for the same few queries, so serialising per request would be most of the work.
 */
export function cachedRead<N extends ReadName>(
  ctx: Pick<AppContext, "store" | "cache">,
  reply: FastifyReply,
  name: N,
  params: unknown,
  args: () => ReadArgs<N>,
): Promise<void> | undefined {
  const key = `${name} ${JSON.stringify(params)}`;
  const compute = () =>
    ctx.store.read(name, args()).then((value) => Buffer.from(reply.serialize(value) as string));
  // A Buffer with a JSON type is sent as it is, not serialised again; its length is known.
  const send = (body: Buffer): void => {
    reply.type(JSON_TYPE).send(body);
  };
  const body = ctx.cache.get(key, compute);
  // A cached body is sent in the same turn of the event loop.
  if (body instanceof Promise) return body.then(send);
  send(body);
  return undefined;
}

/** The summary, public and admin alike: one cached query per source filter, shared by both routes. */
export function summaryRead(
  ctx: Pick<AppContext, "store" | "cache" | "now" | "config">,
  reply: FastifyReply,
  rawSource: string | undefined,
): Promise<void> | undefined {
  const source = sourceFilter(rawSource);
  return cachedRead(ctx, reply, "summary", source ?? null, () => ({
    now: ctx.now(),
    rateWindowMs: ctx.config.rateWindowMs,
    pollIntervalMs: ctx.config.pollIntervalMs,
    source,
  }));
}
