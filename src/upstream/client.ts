import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { formatByteSize } from "../config/byte-size.js";
import { formatDuration } from "../time/duration.js";
import { AnswerTooLarge, BodySyntaxError, OversizedPart } from "./body-errors.js";
import { type ParsedPoll, PayloadError, parsePosPayload, type UnchangedPoll } from "./payload.js";
import {
  BatchFailure,
  type Body,
  type BodyReading,
  MAX_PART_BYTES,
  readBody,
  type SaleBatches,
  STREAM_ABOVE_BYTES,
} from "./response-body.js";
import { UpstreamTimer } from "./upstream-timer.js";

export type { SaleBatches } from "./response-body.js";

/** One merchant's poll failed; the message is what operators see as `last_error`. Never contains the key. */
export class UpstreamError extends Error {}

export interface UpstreamClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Bodies above this many bytes are parsed as they stream (STREAM_ABOVE_BYTES when absent; tests lower it). */
  streamAboveBytes?: number;
  /**
   * MAX_UPSTREAM_BYTES: an answer longer than this, by its Content-Length or as its bytes are counted,
   * is refused and its request ended (no bound when absent).
   */
  maxBytes?: number;
  /** The most a streamed body's envelope or one of its sales may hold (MAX_PART_BYTES when absent). */
  maxPartBytes?: number;
}

export interface MerchantCredentials {
  id: string;
  publicKey: string;
  /** Digest of the body stored last time; an identical body is then not parsed at all. */
  bodyDigest?: string | null | undefined;
}

/** A parsed body with its digest, or just the digest when it equals `bodyDigest`. */
export type FetchResult = (ParsedPoll & { unchanged?: false; digest: string }) | UnchangedPoll;

/**
 * Fetches one merchant's answer. With `batches`, a long history's sales are handed over batch by
 * batch while its body streams in (response-body.ts), and the result holds only the rest; without,
 * the result holds them all. A rejection of `batches` rejects the fetch with that same error.
 */
export type FetchMerchant = (
  merchant: MerchantCredentials,
  signal?: AbortSignal,
  batches?: SaleBatches,
) => Promise<FetchResult>;

/**
 * Fetches and parses a merchant's whole catalogue and history. The timeout covers the body too (the
 * time spent waiting for it: a streamed body's parse and batches do not count, upstream-timer.ts).
 * Upstream has no paging, so most re-polls return the same bytes as last time: those are recognised
 * by digest and skip parsing, which is most of a poll's cost.
 */
export function createUpstreamClient(opts: UpstreamClientOptions): FetchMerchant {
  return async (merchant, signal, batches) => {
    const url = `${opts.baseUrl}/user-pos/${encodeURIComponent(merchant.id)}?user_public_key=${encodeURIComponent(merchant.publicKey)}`;
    const abort = new AbortController();
    const timer = new UpstreamTimer(opts.timeoutMs, () => abort.abort());
    const cancel = () => abort.abort();
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    let body: Body;
    try {
      body = await get(url, abort.signal, {
        timer,
        batches,
        streamAbove: opts.streamAboveBytes ?? STREAM_ABOVE_BYTES,
        maxBytes: opts.maxBytes ?? Number.POSITIVE_INFINITY,
        maxPartBytes: opts.maxPartBytes ?? MAX_PART_BYTES,
      });
    } catch (e) {
      if (e instanceof BatchFailure) throw e.reason;
      if (timer.timedOut)
        throw new UpstreamError(`upstream timed out after ${formatDuration(opts.timeoutMs)}`);
      if (signal?.aborted) throw new UpstreamError("poll cancelled: shutting down");
      throw bodyFailure(e) ?? new UpstreamError(`upstream request failed: ${describeNetworkError(e)}`);
    } finally {
      timer.clear();
      signal?.removeEventListener("abort", cancel);
    }
    if (body.status < 200 || body.status > 299) throw new UpstreamError(`upstream responded ${body.status}`);
    if (body.parsed) return { ...body.parsed, digest: body.digest };
    return parseWhole(body.bytes, body.digest, merchant.bodyDigest);
  };
}

/** A body read whole: skipped when it equals the one stored last time, else parsed at once. */
function parseWhole(bytes: Buffer, digest: string, stored: string | null | undefined): FetchResult {
  if (stored === digest) return { unchanged: true, digest };
  let text: string | undefined = bytes.toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
    text = undefined;
  } catch {
    throw new UpstreamError("upstream body is not JSON");
  }
  try {
    return { ...parsePosPayload(body), digest };
  } catch (e) {
    if (e instanceof PayloadError) throw new UpstreamError(e.message);
    throw e;
  }
}

/** What reading the body found wrong; a streamed body's parse in the words the whole body's parse uses. */
function bodyFailure(e: unknown): UpstreamError | undefined {
  if (e instanceof BodySyntaxError) return new UpstreamError("upstream body is not JSON");
  if (e instanceof PayloadError) return new UpstreamError(e.message);
  if (e instanceof AnswerTooLarge) {
    const why = e.declared === undefined ? "stopped reading there" : `its Content-Length is ${e.declared}`;
    return new UpstreamError(
      `upstream answer larger than MAX_UPSTREAM_BYTES (${formatByteSize(e.limit)}): ${why}`,
    );
  }
  if (e instanceof OversizedPart) {
    const limit = formatByteSize(e.limit);
    return new UpstreamError(
      e.part === "sale"
        ? `upstream answer holds a sale larger than ${limit}`
        : `upstream answer holds more than ${limit} outside its sales list`,
    );
  }
  return undefined;
}

/**
 * GET with node:http(s) rather than fetch: on bodies of tens of MB, fetch's web streams and copies
 * cost about twice as much. The signal aborts the request and the body alike. The body (or its parse)
 * and its digest are built as the chunks arrive, between the network's reads: a million-sale history
 * is 350 MB, and hashing and joining it afterwards took 0.4 s of the poll.
 */
async function get(url: string, signal: AbortSignal, reading: BodyReading): Promise<Body> {
  const request = url.startsWith("https:") ? httpsGet : httpGet;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { signal, headers: { accept: "application/json" } }, resolve);
    req.on("error", reject);
  });
  return readBody(res, reading);
}

/** A failed request in operators' words: the socket's code when it has one. */
export function describeNetworkError(e: unknown): string {
  // The socket's code (ECONNREFUSED, ECONNRESET) is what helps operators.
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") return code;
  return e instanceof Error ? e.message : String(e);
}
