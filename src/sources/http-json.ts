/**
 * One JSON GET of a source's API (BTCPay Greenfield, LNbits), bounded by the client's timeout and
 * MAX_UPSTREAM_BYTES, cancelled with the poller. Answers are small pages, so the body is read whole
 * (PayWithFlash's streamed reading, upstream/client.ts, is for its one-answer million-sale histories).
 * Failures become UpstreamErrors in plain words that never hold a header, so never a key.
 */

import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { formatByteSize } from "../config/byte-size.js";
import { storableStrings } from "../store/storable-text.js";
import { formatDuration } from "../time/duration.js";
import { countUpstreamBytes } from "../upstream/byte-meter.js";
import { describeNetworkError, UpstreamError } from "../upstream/client.js";
import { UpstreamTimer } from "../upstream/upstream-timer.js";

export interface JsonRequest {
  /** Named in errors: "BTCPay", "LNbits". */
  sourceName: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** An answer: its status and its body parsed as JSON (undefined when it is not JSON, e.g. an HTML 502). */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

export async function getJson(url: string, req: JsonRequest): Promise<JsonAnswer> {
  const abort = new AbortController();
  const timer = new UpstreamTimer(req.timeoutMs, () => abort.abort());
  const cancel = () => abort.abort();
  if (req.signal?.aborted) cancel();
  else req.signal?.addEventListener("abort", cancel, { once: true });
  try {
    const res = await request(url, req.headers, abort.signal);
    const bytes = await readAll(res, req.maxBytes ?? Number.POSITIVE_INFINITY, req.sourceName);
    return { status: res.statusCode ?? 0, body: parseOrUndefined(bytes) };
  } catch (e) {
    if (e instanceof UpstreamError) throw e;
    if (timer.timedOut)
      throw new UpstreamError(`${req.sourceName} timed out after ${formatDuration(req.timeoutMs)}`);
    if (req.signal?.aborted) throw new UpstreamError("poll cancelled: shutting down");
    throw new UpstreamError(`${req.sourceName} request failed: ${describeNetworkError(e)}`);
  } finally {
    timer.clear();
    req.signal?.removeEventListener("abort", cancel);
  }
}

function request(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const get = url.startsWith("https:") ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const r = get(url, { signal, headers: { accept: "application/json", ...headers } }, resolve);
    r.on("error", reject);
  });
}

async function readAll(res: IncomingMessage, maxBytes: number, sourceName: string): Promise<Buffer> {
  const tooLarge = () =>
    new UpstreamError(`${sourceName} answer larger than MAX_UPSTREAM_BYTES (${formatByteSize(maxBytes)})`);
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    length += chunk.length;
    countUpstreamBytes(sourceName.toLowerCase(), chunk.length);
    if (length > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/**
 * Every string of the answer made storable (store/storable-text.ts) as it is parsed: BTCPay's and
 * LNbits' clients read every answer here, pages of at most a few hundred rows, so this one reviver
 * covers whatever their parsers keep (names, keys, currencies) without a check in each of them.
 */
function parseOrUndefined(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"), storableStrings);
  } catch {
    return undefined;
  }
}

/** A base URL and a path joined with one slash: operators paste URLs with and without a trailing one. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}${path}`;
}
