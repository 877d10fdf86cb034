/**
 * A body of any length written on the fly: a prefix, one short unit over and over, a suffix, so that
 * gigabytes cost the writer no memory. Shared by the benchmark's hostile upstream and the tests' fake
 * upstream; what the prefix, unit and suffix hold is each caller's own upstream JSON.
 */
import type { ServerResponse } from "node:http";

export interface FloodBody {
  prefix: string;
  /** Repeated until the body is `bytes` long (the last few bytes short of a whole unit are spaces). */
  unit: string;
  suffix?: string;
  /** Endless when absent. */
  bytes?: number;
}

/**
 * Writes the body (after the caller's writeHead) in 64 KiB pieces as fast as the client takes them;
 * stops when the client hangs up. Whole units only, the rest of the length in spaces before the
 * suffix, so that JSON stays JSON. `sent` hears of every chunk's size.
 */
export async function writeFlood(
  res: ServerResponse,
  b: FloodBody,
  sent?: (bytes: number) => void,
): Promise<void> {
  const unit = Buffer.from(b.unit);
  const piece = Buffer.alloc(Math.ceil(65536 / unit.length) * unit.length);
  for (let i = 0; i < piece.length; i += unit.length) unit.copy(piece, i);
  const suffix = Buffer.from(b.suffix ?? "");
  let left = (b.bytes ?? Number.POSITIVE_INFINITY) - Buffer.byteLength(b.prefix) - suffix.length;
  let closed = false;
  res.on("close", () => {
    closed = true;
  });
  // A write racing the client's hang-up fails; the flood just stops.
  res.on("error", () => {});
  const write = (chunk: Buffer | string) =>
    new Promise<void>((resolve) => {
      sent?.(Buffer.byteLength(chunk));
      if (res.write(chunk)) resolve();
      else {
        const go = () => {
          res.off("drain", go).off("close", go);
          resolve();
        };
        res.on("drain", go).on("close", go);
      }
    });
  await write(b.prefix);
  while (left >= unit.length && !closed) {
    const part = left >= piece.length ? piece : piece.subarray(0, left - (left % unit.length));
    left -= part.length;
    await write(part);
  }
  if (!closed) res.end(Buffer.concat([Buffer.alloc(left, " "), suffix]));
}
