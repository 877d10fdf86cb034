import { createHash } from "node:crypto";
import { formatDuration } from "../config/duration.js";
import { type ParsedPoll, PayloadError, parsePosPayload } from "./payload.js";

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
export type FetchResult =
  | (ParsedPoll & { unchanged?: false; digest: string })
  | { unchanged: true; digest: string };

export type FetchMerchant = (merchant: MerchantCredentials, signal?: AbortSignal) => Promise<FetchResult>;

/**
 * Fetches and parses a merchant's whole catalogue and history. The timeout covers the body too.
 * Upstream has no paging, so most re-polls return the same bytes as last time: those are recognised
 * by digest and skip parsing, which is most of a poll's cost.
 */
export function createUpstreamClient(opts: UpstreamClientOptions): FetchMerchant {
  return async (merchant, signal) => {
    const url = `${opts.baseUrl}/user-pos/${encodeURIComponent(merchant.id)}?user_public_key=${encodeURIComponent(merchant.publicKey)}`;
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    let bytes: Uint8Array;
    let status: number;
    try {
      const res = await fetch(url, { signal: combined, headers: { accept: "application/json" } });
      status = res.status;
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (timeout.aborted)
        throw new UpstreamError(`upstream timed out after ${formatDuration(opts.timeoutMs)}`);
      if (signal?.aborted) throw new UpstreamError("poll cancelled: shutting down");
      throw new UpstreamError(`upstream request failed: ${describeNetworkError(e)}`);
    }
    if (status < 200 || status > 299) throw new UpstreamError(`upstream responded ${status}`);
    const digest = createHash("sha1").update(bytes).digest("base64");
    if (merchant.bodyDigest === digest) return { unchanged: true, digest };
    let text: string | undefined = decoder.decode(bytes);
    // Big histories are hundreds of MB: let the raw bytes go before the parse allocates the objects.
    bytes = new Uint8Array(0);
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

const decoder = new TextDecoder();

function describeNetworkError(e: unknown): string {
  // undici wraps the socket error in `cause`; its code (ECONNREFUSED, ECONNRESET) is what helps operators.
  const cause = (e as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return e instanceof Error ? e.message : String(e);
}
