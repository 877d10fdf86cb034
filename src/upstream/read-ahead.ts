/**
 * A response's chunks, read from the socket ahead of their use, up to a bound. A streamed body is
 * parsed and stored as it comes, far slower than it arrives: with the response paused meanwhile (what
 * iterating it does), upstream could only write as far as the socket's small kernel buffers and then
 * waited for each chunk to be taken, about 115 ms a 100k-sale poll spent idle.
 */
import type { IncomingMessage } from "node:http";

export async function* readAhead(res: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  res.on("data", (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued > maxBytes) res.pause();
    notify();
  });
  res.on("end", () => {
    ended = true;
    notify();
  });
  res.on("error", (e) => {
    failure ??= e;
    notify();
  });
  // A connection cut mid-body ends the response without "end" (and not always with "error").
  res.on("close", () => {
    if (!res.complete)
      failure ??= Object.assign(new Error("connection closed mid-body"), { code: "ECONNRESET" });
    notify();
  });
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.length;
        if (res.isPaused() && queued <= maxBytes / 2) res.resume();
        yield chunk;
      } else if (failure !== undefined) throw failure;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // Left early (a body that is not JSON, a batch that failed): the rest is not wanted.
    if (!ended) res.destroy();
  }
}
