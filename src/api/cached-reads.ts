import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import type { ReadCache } from "./read-cache.js";
import { PreparedRequestLine } from "./request-log.js";

interface Known {
  /** The read cache's key for the validated query this exact URL asked for. */
  key: string;
  compute: () => Promise<Buffer>;
  /** What Fastify answered with (type, CORS), less the length, which belongs to each body. */
  headers: Record<string, string | number | string[] | undefined>;
}

interface Remembered extends Known {
  line: PreparedRequestLine;
  /**
   * The last body sent from here, with its complete headers, reused while the body is the same. The
   * body also as a latin1 string (its bytes, one char each): Node then sends headers and body in one
   * write instead of gathering two buffers.
   */
  sent?: { body: Buffer; bytes: string; headers: Record<string, string | number | string[] | undefined> };
}

export interface CachedReadsOptions {
  cache: ReadCache;
  log: FastifyBaseLogger;
  nextRequestId: () => string;
  /**
   * CORS headers are then the same for every request (`*`); with a list of origins they depend on
   * the request's Origin, so requests that send one always go through Fastify.
   */
  anyOrigin: boolean;
  /** Distinct URLs remembered; the oldest goes first. */
  maxUrls?: number;
}

/**
 * Dashboard screens ask for the same few URLs every few seconds. Once Fastify has validated a URL and
 * answered it from the read cache, the exact same URL is answered here, in front of the router, while
 * the cached body is fresh: same headers, same body, same log line, but none of the routing, hooks
 * and validation that would only reach the same answer again. Anything else (another method, another
 * URL, a stale or missing answer) goes to Fastify as usual.
 */
export class CachedReads {
  private readonly known = new Map<string, Remembered>();

  constructor(private readonly opts: CachedReadsOptions) {}

  /** Called by a route that has just answered `url` with a 200 from the read cache. */
  remember(url: string, known: Known): void {
    if (this.known.has(url)) return;
    this.known.set(url, { ...known, line: new PreparedRequestLine(url) });
    if (this.known.size > (this.opts.maxUrls ?? 1000)) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  has(url: string): boolean {
    return this.known.has(url);
  }

  /** Answers the request and returns true, or returns false and leaves it to Fastify. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
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
    if (known.sent?.body !== body) {
      known.sent = {
        body,
        bytes: body.toString("latin1"),
        headers: { ...known.headers, "content-length": body.length },
      };
    }
    res.writeHead(200, known.sent.headers);
    res.end(known.sent.bytes, "latin1");
    known.line.write(
      this.opts.log,
      this.opts.nextRequestId(),
      req.socket.remoteAddress,
      body.length,
      performance.now() - started,
    );
    return true;
  }
}
