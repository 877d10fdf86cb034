/**
 * Reading an upstream answer's body, as the chunks arrive: an ordinary body is kept whole (its digest
 * lets an unchanged one skip parsing altogether); a long history's is parsed as it streams and its
 * sales handed on in batches, so memory holds a batch, never the history.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { IncomingSale } from "../store/poll-contents.js";
import { AnswerTooLarge, BodySyntaxError, OversizedPart } from "./body-errors.js";
import { countUpstreamBytes } from "./byte-meter.js";
import { type ParsedPoll, PayloadError } from "./payload.js";
import { readAhead } from "./read-ahead.js";
import { StreamedPayload } from "./streamed-payload.js";
import type { UpstreamTimer } from "./upstream-timer.js";

/**
 * Bodies up to this size are read whole, as ever; larger ones (by their declared length, or once the
 * bytes received pass it) are parsed as they stream. Read whole, a body is held as bytes, string,
 * parsed tree and sales at once: the server's peak RSS in a cold poll was 1,193 MB for a 336 MiB
 * million-sale body, 109 MB for an 8 MiB one (100 MB for an empty history), while a streamed body
 * peaks at 113-116 MB whatever its length (33 and 336 MiB, bench/memory-cold-poll.ts). At 8 MiB five
 * polls at once (POLL_CONCURRENCY's default) stay near the 150 MB budget, and all but very long
 * histories (8 MiB is about 24,000 sales) stay below it, where an unchanged re-poll is recognised by
 * its digest without parsing; a streamed body is always parsed (its sales are stored as they come).
 */
export const STREAM_ABOVE_BYTES = 8 * 1024 * 1024;
/**
 * Most a streamed body's envelope (everything but its sales, kept until the end and then parsed
 * whole), or one of its sales, may hold: what a body read whole may be, so it costs no more memory.
 * A real envelope, the catalogue, is a few kilobytes; a real sale, well under one.
 */
export const MAX_PART_BYTES = STREAM_ABOVE_BYTES;
/** How far the socket is read ahead of a streamed body's parse (read-ahead.ts). */
const READ_AHEAD_BYTES = 2 * 1024 * 1024;
/** Sales per batch of a streamed body: a few thousand keep each batch's transaction and memory small. */
export const SALES_PER_BATCH = 2000;

/** Where a streamed body's sales go, batch by batch, while it arrives; the body waits for each. */
export type SaleBatches = (sales: IncomingSale[]) => Promise<void>;

/** A rejection that `batches` itself raised: passed on as it is, not taken for the upstream's fault. */
export class BatchFailure extends Error {
  constructor(readonly reason: unknown) {
    super("storing a batch of sales failed");
  }
}

/** A body read whole (`bytes`), or parsed as it streamed (`parsed`: the sales not handed to a batch yet). */
export type Body = { status: number; digest: string } & (
  | { bytes: Buffer; parsed?: undefined }
  | { parsed: ParsedPoll; bytes?: undefined }
);

export interface BodyReading {
  timer: UpstreamTimer;
  /** Without it, a streamed body's sales are all kept for the result. */
  batches: SaleBatches | undefined;
  /** Bodies above this many bytes are parsed as they stream (STREAM_ABOVE_BYTES but in tests). */
  streamAbove: number;
  /** Past this many bytes (declared or received) the answer is refused: AnswerTooLarge. */
  maxBytes: number;
  /** MAX_PART_BYTES but in tests. */
  maxPartBytes: number;
}

export async function readBody(res: IncomingMessage, reading: BodyReading): Promise<Body> {
  const { timer, batches, streamAbove, maxBytes, maxPartBytes } = reading;
  const status = res.statusCode ?? 0;
  const declared = Number(res.headers["content-length"]);
  // A failure's body is never used: not read at all, so that a long one costs nothing.
  if (status < 200 || status > 299) {
    res.destroy();
    return { status, digest: "", bytes: Buffer.alloc(0) };
  }
  if (declared > maxBytes) {
    res.destroy();
    throw new AnswerTooLarge(maxBytes, declared);
  }
  const hash = createHash("sha1");
  const whole = new WholeBody(declared, streamAbove);
  const streaming = () => new StreamedBody(timer, batches, maxPartBytes);
  let streamed = whole.declared > streamAbove ? streaming() : undefined;
  let received = 0;
  try {
    for await (const chunk of readAhead(res, READ_AHEAD_BYTES)) {
      // Counted as it arrives: a length may be absent (chunked), and past the cap nothing is kept.
      received += chunk.length;
      countUpstreamBytes("pwf", chunk.length);
      if (received > maxBytes) throw new AnswerTooLarge(maxBytes, undefined);
      hash.update(chunk);
      if (streamed) {
        await streamed.write(chunk);
        // A turn of the event loop, in which the socket is read while this thread is busy.
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        whole.add(chunk);
        if (whole.size > streamAbove) {
          streamed = streaming();
          for (const part of whole.take()) await streamed.write(part);
        }
      }
    }
  } catch (e) {
    // A connection cut mid-body, as the socket reports it, whatever the stream made of it.
    if (!res.complete && !(e instanceof BatchFailure) && !isBodyError(e))
      throw Object.assign(new Error("connection closed mid-body"), { code: "ECONNRESET" });
    throw e;
  }
  const digest = hash.digest("base64");
  if (streamed) return { status, digest, parsed: streamed.end() };
  return { status, digest, bytes: whole.bytes() };
}

/** Leaving the body early (readAhead then destroys the response, which ends the request). */
function isBodyError(e: unknown): boolean {
  return (
    e instanceof BodySyntaxError ||
    e instanceof PayloadError ||
    e instanceof OversizedPart ||
    e instanceof AnswerTooLarge
  );
}

/**
 * The body in one Buffer. With a declared length the chunks are copied into place as they come (Node's
 * parser delivers no more than that length); otherwise they are joined at the end.
 */
class WholeBody {
  private readonly buffer: Buffer | undefined;
  private readonly parts: Buffer[] = [];
  size = 0;

  constructor(
    readonly declared: number,
    streamAbove: number,
  ) {
    this.buffer = declared > 0 && declared <= streamAbove ? Buffer.allocUnsafe(declared) : undefined;
  }

  add(chunk: Buffer): void {
    if (this.buffer) this.size += chunk.copy(this.buffer, this.size);
    else {
      this.parts.push(chunk);
      this.size += chunk.length;
    }
  }

  /** The chunks so far, let go of here. */
  take(): Buffer[] {
    return this.parts.splice(0);
  }

  bytes(): Buffer {
    return this.buffer ? this.buffer.subarray(0, this.size) : Buffer.concat(this.parts);
  }
}

/**
 * A body parsed as it streams. The time spent parsing it and storing its batches is the client's
 * own, not upstream's: the timeout does not count it (a million-sale history takes tens of seconds to
 * store, far beyond any sensible wait for upstream). Without `batches` the sales are kept for the result.
 */
class StreamedBody {
  private readonly payload: StreamedPayload;
  private readonly kept: IncomingSale[] = [];

  constructor(
    private readonly timer: UpstreamTimer,
    private readonly batches: SaleBatches | undefined,
    maxPartBytes: number,
  ) {
    this.payload = new StreamedPayload(SALES_PER_BATCH, maxPartBytes);
  }

  async write(chunk: Buffer): Promise<void> {
    this.timer.pause();
    try {
      this.payload.write(chunk);
      for (const batch of this.payload.takeBatches()) {
        if (!this.batches) this.kept.push(...batch);
        else await this.batches(batch).catch((e: unknown) => Promise.reject(new BatchFailure(e)));
      }
    } finally {
      this.timer.resume();
    }
  }

  end(): ParsedPoll {
    const parsed = this.payload.end();
    return this.batches ? parsed : { ...parsed, sales: this.kept.concat(parsed.sales) };
  }
}
