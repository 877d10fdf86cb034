import { createHash } from "node:crypto";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { formatDuration } from "../time/duration.js";
import { type ParsedPoll, PayloadError, parsePosPayload, type UnchangedPoll } from "./payload.js";

/** One merchant's poll failed; the message is what operators see as `last_error`. Never contains the key. */
export class UpstreamError extends Error {}

export interface UpstreamClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

export interface MerchantCredentials {
  id: string;
  publicKey: string;
  /** Digest of the body stored last time; an identical body is then not parsed at all. */
  bodyDigest?: string | null | undefined;
}

/** A parsed body with its digest, or just the digest when it equals `bodyDigest`. */
export type FetchResult = (ParsedPoll & { unchanged?: false; digest: string }) | UnchangedPoll;

export type FetchMerchant = (merchant: MerchantCredentials, signal?: AbortSignal) => Promise<FetchResult>;

/**
 * Fetches and parses a merchant's whole catalogue and history. The timeout covers the body too.
 * Upstream has no paging, so most re-polls return the same bytes as last time: those are recognised
 * by digest and skip parsing, which is most of a poll's cost.
 */
export function createUpstreamClient(opts: UpstreamClientOptions): FetchMerchant {
  return async (merchant, signal) => {
    const url = `${opts.baseUrl}/user-pos/${encodeURIComponent(merchant.id)}?user_public_key=${encodeURIComponent(merchant.publicKey)}`;
    // One controller whose timer is cleared as soon as the request ends: AbortSignal.timeout keeps its
    // timer (and AbortSignal.any its listeners) alive for the whole timeout, which with hundreds of
    // polls a second kept thousands of them in memory.
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, opts.timeoutMs);
    const cancel = () => abort.abort();
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    let status: number;
    let bytes: Buffer;
    let digest: string;
    try {
      ({ status, bytes, digest } = await get(url, abort.signal));
    } catch (e) {
      if (timedOut) throw new UpstreamError(`upstream timed out after ${formatDuration(opts.timeoutMs)}`);
      if (signal?.aborted) throw new UpstreamError("poll cancelled: shutting down");
      throw new UpstreamError(`upstream request failed: ${describeNetworkError(e)}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", cancel);
    }
    if (status < 200 || status > 299) throw new UpstreamError(`upstream responded ${status}`);
    if (merchant.bodyDigest === digest) return { unchanged: true, digest };
    let text: string | undefined = bytes.toString("utf8");
    // Big histories are hundreds of MB: let the raw bytes go before the parse allocates the objects.
    bytes = Buffer.alloc(0);
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
  };
}

/** A declared length above this is not trusted with one allocation up front (the chunks are joined instead). */
const MAX_PREALLOCATED = 1024 * 1024 * 1024;

/**
 * GET with node:http(s) rather than fetch: on bodies of tens of MB, fetch's web streams and copies
 * cost about twice as much. The signal aborts the request and the body alike. The body and its digest
 * are built as the chunks arrive, between the network's reads: a million-sale history is 350 MB, and
 * hashing and joining it afterwards took 0.4 s of the poll.
 */
function get(url: string, signal: AbortSignal): Promise<{ status: number; bytes: Buffer; digest: string }> {
  const request = url.startsWith("https:") ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = request(url, { signal, headers: { accept: "application/json" } }, (res) => {
      const hash = createHash("sha1");
      const declared = Number(res.headers["content-length"]);
      // With a declared length the chunks are copied into place as they come (Node's parser delivers
      // no more than that length); otherwise they are joined at the end.
      const whole = declared > 0 && declared <= MAX_PREALLOCATED ? Buffer.allocUnsafe(declared) : undefined;
      let filled = 0;
      const parts: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        if (whole) filled += chunk.copy(whole, filled);
        else parts.push(chunk);
      });
      res.on("end", () => {
        const bytes = whole ? whole.subarray(0, filled) : Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, bytes, digest: hash.digest("base64") });
      });
      res.on("error", reject);
      // A connection cut mid-body ends the response without "end".
      res.on("close", () => {
        if (!res.complete)
          reject(Object.assign(new Error("connection closed mid-body"), { code: "ECONNRESET" }));
      });
    });
    req.on("error", reject);
  });
}

function describeNetworkError(e: unknown): string {
  // The socket's code (ECONNREFUSED, ECONNRESET) is what helps operators.
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") return code;
  return e instanceof Error ? e.message : String(e);
}
