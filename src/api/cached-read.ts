import type { FastifyReply } from "fastify";
import type { ReadArgs, ReadName, StoreAccess } from "../store/access.js";
import type { ReadCache } from "./read-cache.js";

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * How a public read is answered: through the read cache, whose value is the response body itself,
 * serialised once by the route's response schema (every screen asks for the same few queries, so
 * serialising per request would be most of the work). `params` names the query by its validated
 * parameters; `args` is evaluated when the read actually runs, so windows are measured from the time
 * of the read, not of the first request.
 */
export function cachedReads(store: StoreAccess, cache: ReadCache) {
  return <N extends ReadName>(reply: FastifyReply, name: N, params: unknown, args: () => ReadArgs<N>) => {
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
}
