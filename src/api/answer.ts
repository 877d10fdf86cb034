import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

const JSON_TYPE = "application/json; charset=utf-8";
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Below this a compressed copy is not kept: an answer of a few hundred bytes fits in one packet either
 * way, and compressing it would cost more than it saves.
 */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * How long a shared cache (a reverse proxy, a CDN) may keep sending an answer while it fetches a new
 * one. The server's own read cache sends an answer up to 5 s old while it refreshes (READ_CACHE in
 * service.ts), so 5 s more at the proxy keeps a screen at most a few seconds behind, well inside the
 * web app's 4–5 s refetch gap; a longer window would only show staler figures after a restart.
 */
export const STALE_WHILE_REVALIDATE_S = 5;
export const PUBLIC_CACHE = `public, max-age=1, stale-while-revalidate=${STALE_WHILE_REVALIDATE_S}`;

/**
 * A public read's answer as the read cache keeps it: the JSON body, serialised once, its strong ETag
 * (a hash of the body, computed once per cache fill, not per request) and, for bodies of at least
 * COMPRESS_MIN_BYTES, gzip and brotli copies made once beside it. Each encoding is its own
 * representation and so has its own strong tag (RFC 9110 8.8.3: a strong validator changes with the
 * bytes sent).
 */
export interface Answer {
  body: Buffer;
  etag: string;
  gzip?: Buffer;
  br?: Buffer;
}

export async function makeAnswer(body: Buffer): Promise<Answer> {
  const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
  if (body.length < COMPRESS_MIN_BYTES) return { body, etag };
  // On libuv's thread pool, off the event loop. Brotli at quality 5 compresses JSON about as well as
  // gzip -9 plus a tenth, at a fraction of quality 11's cost (answers are refreshed several times a second).
  const [gz, br] = await Promise.all([
    gzipAsync(body, { level: 6 }),
    brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  ]);
  return { body, etag, gzip: gz, br };
}

/**
 * Sends a cached answer: 304 (no body, the same validators) when the request's If-None-Match names the
 * representation that would be sent, else the body in the best encoding the client accepts.
 */
export function sendAnswer(req: FastifyRequest, reply: FastifyReply, answer: Answer): void {
  const compressed = answer.gzip !== undefined;
  const encoding = compressed ? acceptedEncoding(req.headers["accept-encoding"]) : undefined;
  const etag = encoding === undefined ? answer.etag : `${answer.etag.slice(0, -1)}-${encoding}"`;
  reply.header("cache-control", PUBLIC_CACHE).header("etag", etag);
  if (compressed) addVary(reply, "Accept-Encoding");
  if (ifNoneMatch(req.headers["if-none-match"], etag)) {
    reply.code(304).send();
    return;
  }
  if (encoding === undefined) {
    // A Buffer with a JSON type is sent as it is, not serialised again; its length is known.
    reply.type(JSON_TYPE).send(answer.body);
    return;
  }
  reply
    .type(JSON_TYPE)
    .header("content-encoding", encoding)
    .send(encoding === "br" ? answer.br : answer.gzip);
}

/** Adds a field to Vary, keeping what earlier hooks put there (CORS's `Origin`). */
function addVary(reply: FastifyReply, field: string): void {
  const vary = reply.getHeader("vary");
  if (vary === undefined || vary === "") reply.header("vary", field);
  else if (!String(vary).toLowerCase().includes(field.toLowerCase()))
    reply.header("vary", `${vary}, ${field}`);
}

const ETAG = /\*|(?:W\/)?"([^"]*)"/g;

/**
 * If-None-Match against the current tag with RFC 9110's weak comparison (13.1.2): `W/"x"` matches `"x"`,
 * `*` matches any current representation; a list matches if any member does.
 */
export function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = etag.slice(etag.startsWith("W/") ? 3 : 1, -1);
  for (const m of header.matchAll(ETAG)) {
    if (m[0] === "*" || m[1] === opaque) return true;
  }
  return false;
}

const encodings = new Map<string, "br" | "gzip" | undefined>();

/**
 * The coding to send for an Accept-Encoding (RFC 9110 12.5.3): brotli or gzip by their q-values (brotli
 * on a tie: smaller), `*` standing for any not named, none when neither is acceptable. Screens send one
 * of a handful of strings, so answers are remembered (a bounded few).
 */
export function acceptedEncoding(header: string | undefined): "br" | "gzip" | undefined {
  if (!header) return undefined;
  const known = encodings.get(header);
  if (known !== undefined || encodings.has(header)) return known;
  const q: Record<string, number> = {};
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q[name.trim()] = Number.isFinite(value) ? value : 0;
  }
  const br = q.br ?? q["*"] ?? 0;
  const gz = q.gzip ?? q["x-gzip"] ?? q["*"] ?? 0;
  const chosen = br > 0 && br >= gz ? "br" : gz > 0 ? "gzip" : undefined;
  if (encodings.size >= 64) encodings.clear();
  encodings.set(header, chosen);
  return chosen;
}
