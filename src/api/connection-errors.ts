import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Errors at the connection's level: requests Node's HTTP parser refuses (clientError), and what
 * happens to the connection after an error answered before the request's body was read.
 */

/**
 * A body still arriving after an error answer is read and dropped, and the connection kept, up to this
 * many declared bytes: closing instead would reset a connection the client is still writing to, and
 * the client, still uploading, could lose the answer. Past it (or with no declared length) the
 * connection is closed, announced by `connection: close`.
 */
export const DRAIN_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Called by the error handler. Fastify's body parser asks to close the connection after any body error
 * (413, invalid JSON, …); when the body has been read or the rest is small enough to drop, the
 * connection stays open and Node reads the rest. A `connection: close` set on the raw response (a
 * server shutting down) is left alone.
 */
export function keepConnectionAfterBodyError(req: FastifyRequest, reply: FastifyReply): void {
  if (reply.getHeader("connection") !== "close" || reply.raw.hasHeader("connection")) return;
  if (req.raw.complete || declaredLength(req) <= DRAIN_MAX_BYTES) reply.removeHeader("connection");
}

function declaredLength(req: FastifyRequest): number {
  if (req.headers["transfer-encoding"] !== undefined) return Number.POSITIVE_INFINITY;
  const length = Number(req.headers["content-length"] ?? 0);
  return Number.isFinite(length) ? length : Number.POSITIVE_INFINITY;
}

// Fastify types rawPacket as a Buffer's JSON; Node passes the Buffer itself.
type ClientError = Error & { code?: string; rawPacket?: unknown };
/** Node's own (undocumented) link from a socket to the answer under way on it, as its handler uses. */
type HttpSocket = Socket & {
  _httpMessage?: { headersSent?: boolean; req?: { method?: string; complete?: boolean } } | null;
};

/**
 * Answers a request Node's parser refused (431 header too large, 408 too slow, 400 malformed), then
 * closes the connection. The answer has a body only when the failing request is surely not a HEAD:
 * a client reads no body after a HEAD's answer, so a body would be taken for its next answer.
 */
export function clientErrorHandler(err: ClientError, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const status =
    err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const message =
    status === 431
      ? "request headers are larger than the server accepts"
      : status === 408
        ? "the request took too long to arrive"
        : "the request is not valid HTTP";
  // As Node's own handler: never write into an answer already under way on this connection.
  const answer = (socket as HttpSocket)._httpMessage;
  if (socket.writable && answer?.headersSent !== true) {
    // A request still arriving whose headers were read (a body too slow: 408) is the one refused, and
    // its method is known; an answer to a request fully read belongs to an earlier, pipelined one.
    const method = answer?.req?.complete === false ? answer.req.method : undefined;
    const withBody = method === undefined ? surelyNotHead(err.rawPacket) : method !== "HEAD";
    const body = withBody ? JSON.stringify({ error: message }) : "";
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * Node gives the bytes of the parse that failed, not the method. They start with the failing request's
 * line when it arrived in one piece; with pipelining an earlier request may come first. So: not a HEAD
 * only when the bytes start with a request line and hold no HEAD request line anywhere.
 */
function surelyNotHead(packet: unknown): boolean {
  if (!Buffer.isBuffer(packet)) return false;
  const text = packet.toString("latin1");
  return /^[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/.test(text) && !/(^|\n)HEAD /.test(text);
}
