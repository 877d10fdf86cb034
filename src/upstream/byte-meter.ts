/**
 * Bytes of answers read from upstream sources, by source, since they were last taken: the readers
 * (response-body.ts, sources/http-json.ts) add to it as chunks arrive, and whoever reports them
 * (the ingest thread with each poll's outcome, the metrics on a scrape) takes the counts. One per
 * thread: a plain map, adding costs a lookup per chunk.
 */
const counted = new Map<string, number>();

export function countUpstreamBytes(source: string, bytes: number): void {
  counted.set(source, (counted.get(source) ?? 0) + bytes);
}

/** The counts since the last take, by source (empty when nothing was read); counting starts again. */
export function takeUpstreamBytes(): Record<string, number> {
  const taken = Object.fromEntries(counted);
  counted.clear();
  return taken;
}
