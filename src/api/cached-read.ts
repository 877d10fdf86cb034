import type { FastifyReply } from "fastify";
import type { ReadArgs, ReadName } from "../store/access.js";
import { type Answer, makeAnswer, sendAnswer } from "./answer.js";
import type { AppContext } from "./context.js";
import { notFound } from "./errors.js";
import { sourceFilter } from "./params.js";

/**
 * Answers a request with one cached read. `params` names the query by its validated parameters (every
 * parameter that changes the answer, the source filter included: two queries with one key would send
 * each other's answers); `args` is evaluated when the read actually runs, so windows are measured from
 * the time of the read, not of the first request.
 *
 * The cached answer is the response body itself, serialised once by the route's response schema:
 * every screen asks for the same few queries, so serialising per request would be most of the work.
 * Its ETag and compressed copies are made with it, once per fill (answer.ts), and a request whose
 * If-None-Match names it is answered 304.
 *
 * A read answering null (a merchant filter naming no merchant) is a 404 saying `missing`; that answer
 * is cached like any other, and an operator adding the merchant clears it (invalidateNow).
 */
export function cachedRead<N extends ReadName>(
  ctx: Pick<AppContext, "store" | "cache">,
  reply: FastifyReply,
  name: N,
  params: unknown,
  args: () => ReadArgs<N>,
  missing = "not found",
): Promise<void> | undefined {
  const key = `${name} ${JSON.stringify(params)}`;
  const compute = () =>
    ctx.store
      .read(name, args())
      .then((value) => (value === null ? null : makeAnswer(Buffer.from(reply.serialize(value) as string))));
  const send = (answer: Answer | null): void => {
    if (answer === null) throw notFound(missing);
    sendAnswer(reply.request, reply, answer);
  };
  const body = ctx.cache.get(key, compute);
  // A cached body is sent in the same turn of the event loop.
  if (body instanceof Promise) return body.then(send);
  send(body);
  return undefined;
}

/**
 * The summary, public and admin alike: one cached query per source and merchant filter, shared by both
 * routes. Without a merchant the key is the source's alone, as before the merchant filter.
 */
export function summaryRead(
  ctx: Pick<AppContext, "store" | "cache" | "now" | "config">,
  reply: FastifyReply,
  rawSource: string | undefined,
  merchantId?: string,
): Promise<void> | undefined {
  const source = sourceFilter(rawSource);
  const params = merchantId === undefined ? (source ?? null) : [source ?? null, merchantId];
  const read = () => ({
    now: ctx.now(),
    rateWindowMs: ctx.config.rateWindowMs,
    pollIntervalMs: ctx.config.pollIntervalMs,
    source,
    merchantId,
  });
  return cachedRead(ctx, reply, "summary", params, read, unknownMerchant(merchantId));
}

/** The 404 of a merchant filter naming no merchant. */
export function unknownMerchant(merchantId: string | undefined): string {
  return `unknown merchant ${JSON.stringify(merchantId ?? "")}`;
}
