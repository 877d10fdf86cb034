import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { FastifyBaseLogger, FastifyServerFactory } from "fastify";
import { logRequest } from "../log/request-log.js";
import type { ReadCache } from "./read-cache.js";

type Headers = Record<string, string | number | string[] | undefined>;

/** What a route learnt answering a URL: the cache key of its validated query and how to compute it. */
export interface KnownRead {
  key: string;
  compute: () => Promise<Buffer>;
  /** The headers Fastify answered with (type, CORS), less the length, which belongs to each body. */
  headers: Headers;
}

export interface KnownReadsOptions {
  cache: ReadCache;
  log: FastifyBaseLogger;
  nextRequestId: () => string;
  /**
   * With `*` the CORS headers are the same for every request; with a list of origins they depend on
   * the request's Origin, so requests that send one always go through Fastify.
   */
  anyOrigin: boolean;
  /** Distinct URLs remembered; the oldest goes first. */
  maxUrls?: number;
}

/**
 * Dashboard screens ask for the same few URLs every few seconds. Once Fastify has validated a URL and
 * answered it from the read cache, the same URL is answered here, in front of the router, while its
 * cached body is fresh: the same status, headers, body and request line, without the routing, hooks and
 * validation that would only reach the same answer again. Anything else (another method or URL, an
 * Origin to check against a list, a stale or missing answer) goes to Fastify as usual.
 *
 * Why it exists (issue 12): in the full benchmark of 2026-12-02 the plain path (routes answering the
 * cached Buffer, one onResponse line through pino's buffer) served `/v1/summary` at 49-53 % of bare
 * node:http, against a target of 60 %, and 22 of 24 reads missed the p99 target (1.6-2.5× bare). The
 * figures of this shortcut against the plain path are in the README's benchmark section.
 */
export class KnownReads {
  private readonly known = new Map<string, KnownRead & { sentBody?: Buffer; sentHeaders?: Headers }>();

  constructor(private readonly opts: KnownReadsOptions) {}

  /** A route has just answered `req` with a 200 from the read cache. */
  learn(req: { url: string; headers: IncomingMessage["headers"] }, read: KnownRead): void {
    if (this.known.has(req.url)) return;
    // Headers answered to an Origin from a list are that Origin's own; they are not everyone's.
    if (!this.opts.anyOrigin && req.headers.origin !== undefined) return;
    this.known.set(req.url, read);
    if (this.known.size > (this.opts.maxUrls ?? 1000)) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  /** Answers the request and returns true, or returns false and leaves it to Fastify. */
  answer(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" || req.url === undefined) return false;
    const known = this.known.get(req.url);
    if (!known || (!this.opts.anyOrigin && req.headers.origin !== undefined)) return false;
    const started = performance.now();
    const body = this.opts.cache.get(known.key, known.compute);
    if (body instanceof Promise) {
      // Not fresh: Fastify's route asks the cache again and shares this computation.
      body.catch(() => {});
      return false;
    }
    if (known.sentBody !== body) {
      known.sentBody = body;
      known.sentHeaders = { ...known.headers, "content-length": body.length };
    }
    res.writeHead(200, known.sentHeaders);
    res.end(body);
    logRequest(this.opts.log, {
      reqId: this.opts.nextRequestId(),
      method: "GET",
      path: req.url,
      ip: req.socket.remoteAddress,
      status: 200,
      bytes: body.length,
      ms: performance.now() - started,
    });
    return true;
  }
}

/**
 * The server Fastify would make, with fresh answers to known URLs sent before routing. `known` is read
 * per request: the KnownReads are made after Fastify, which needs this factory first.
 */
export function serverAnsweringKnownReads(known: () => KnownReads | undefined): FastifyServerFactory {
  return (handler, opts) => {
    const server = createServer((req, res) => {
      if (!known()?.answer(req, res)) handler(req, res);
    });
    // Fastify's own server settings (keep-alive 72 s, no request or connection timeout by default).
    const { keepAliveTimeout, requestTimeout, connectionTimeout } = opts as Record<string, unknown>;
    if (typeof keepAliveTimeout === "number") server.keepAliveTimeout = keepAliveTimeout;
    if (typeof requestTimeout === "number") server.requestTimeout = requestTimeout;
    if (typeof connectionTimeout === "number") server.setTimeout(connectionTimeout);
    return server;
  };
}
