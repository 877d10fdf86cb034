/**
 * Bounds on what one client connection may cost the HTTP server: how long it may take to send its
 * request, how long it may sit idle, and how many connections one address (and everyone together)
 * may hold. Fastify leaves the request unbounded unless told (its documentation says to set
 * requestTimeout when no proxy sits in front), and Node looks for late requests only every 30 s, so
 * a client trickling a login body held its socket for good, and one trickling headers for ~78 s.
 *
 * The live stream (`/v1/stream`) is unaffected: a GET's request is complete once its headers are, so
 * the request and header bounds are over before it streams; keep-alive only starts after a response
 * ends; and the hub turns the idle bound off on a stream's socket (LiveHub.attach).
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "../config/config.js";

export type ServerLimits = Pick<
  Config,
  | "requestTimeoutMs"
  | "headersTimeoutMs"
  | "keepAliveTimeoutMs"
  | "connectionTimeoutMs"
  | "maxConnections"
  | "maxConnectionsPerIp"
>;

/**
 * Node checks for requests past REQUEST_TIMEOUT or HEADERS_TIMEOUT on an interval (30 s by default),
 * so a slow sender lives up to one interval past its bound. Once a second (or a quarter of the header
 * bound when that is shorter) costs a walk over the open connections, little beside serving them.
 */
export function checkIntervalMs(limits: Pick<ServerLimits, "headersTimeoutMs">): number {
  return Math.max(1, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
}

/** Refusals are logged at most this often, so a flood of connections is not also a flood of lines. */
const REFUSAL_LOG_MS = 10_000;

/**
 * Fastify's (and through `http`, Node's) server options for the timeouts: a slow request gets 408 and
 * is closed; a finished one that stays idle is closed. Node closes an idle keep-alive socket one second
 * after the advertised `Keep-Alive: timeout`, so a client reusing it right at the edge is not reset.
 */
export function serverTimeouts(limits: ServerLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    http: {
      // Also given here: Node checks headersTimeout <= requestTimeout when the server is made.
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: checkIntervalMs(limits),
    },
  };
}

/**
 * Caps the connections on Node's server (before it listens). A connection over either cap is destroyed
 * as it is accepted, without a response: an answer needs a request, and a client that never finishes
 * its headers would hold every "refused" socket until HEADERS_TIMEOUT, so the cap would not hold.
 */
export function limitConnections(server: Server, limits: ServerLimits, log: FastifyBaseLogger): void {
  const refusals = refusalLog(log);
  // Counted at accept: Node closes the socket before any HTTP is read.
  server.maxConnections = limits.maxConnections;
  server.on("drop", (d) =>
    refusals.note(d?.remoteAddress ?? "?", `MAX_CONNECTIONS=${limits.maxConnections}`),
  );
  if (limits.maxConnectionsPerIp > 0) limitPerAddress(server, limits.maxConnectionsPerIp, refusals.note);
}

/** Keeps at most `max` open connections per remote address; the count drops as each one closes. */
function limitPerAddress(server: Server, max: number, refused: (ip: string, why: string) => void): void {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const ip = socket.remoteAddress;
    // Already gone (reset before Node got to it): nothing to count.
    if (ip === undefined) return;
    const count = (open.get(ip) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      refused(ip, `MAX_CONNECTIONS_PER_IP=${max}`);
      return;
    }
    open.set(ip, count);
    socket.once("close", () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left === 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
}

function refusalLog(log: FastifyBaseLogger) {
  let lastAt = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return {
    note: (ip: string, why: string) => {
      unlogged++;
      const now = Date.now();
      if (now - lastAt < REFUSAL_LOG_MS) return;
      log.warn(
        { ip, refused: unlogged },
        `refused ${unlogged} connection(s), the last from ${ip}: over ${why} (logged at most every ${REFUSAL_LOG_MS / 1000} s)`,
      );
      lastAt = now;
      unlogged = 0;
    },
  };
}
