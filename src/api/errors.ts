import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

/** An error with the status and message a client should see; anything else becomes a bare 500. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Sent as Retry-After (seconds) with a 429 or 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/** Fastify's answers for URLs the router cannot route, in the API's one error shape. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? "a path parameter is longer than 100 characters"
      : err.code === "FST_ERR_BAD_URL"
        ? "the URL is not valid (bad percent-encoding)"
        : "the request could not be routed";
  reply.code(400).send({ error: message });
}
