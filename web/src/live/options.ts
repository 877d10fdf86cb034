// What a LiveClient is built from: the EventSource it wraps (injectable for tests), the REST calls
// it falls back to, and its timings.
import type { MilestoneTrigger, Summary, TickerRow } from "../api/types";

export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceCtor = new (url: string) => EventSourceLike;

/** The REST calls the client needs; `createPublicApi()` provides them. */
export interface LiveApi {
  summary(): Promise<Summary>;
  ticker(limit: number): Promise<TickerRow[]>;
  triggers(): Promise<MilestoneTrigger[]>;
}

export interface LiveClientOptions {
  api: LiveApi;
  /** Injected for tests; defaults to the global EventSource, null means "unsupported". */
  EventSource?: EventSourceCtor | null;
  url?: string;
  tickerLimit?: number;
  pollIntervalMs?: number;
  /** Consecutive stream errors (without an `open` in between) before falling back to polling. */
  maxStreamErrors?: number;
  /** First delay before trying the stream again while polling; doubles up to `maxStreamRetryMs`. */
  streamRetryMs?: number;
  maxStreamRetryMs?: number;
  now?: () => number;
}

/** The client's timings, defaults filled in. */
export type Timing = Required<
  Pick<LiveClientOptions, "pollIntervalMs" | "maxStreamErrors" | "streamRetryMs" | "maxStreamRetryMs">
>;

export function timingOf(o: LiveClientOptions): Timing {
  return {
    pollIntervalMs: o.pollIntervalMs ?? 5000,
    maxStreamErrors: o.maxStreamErrors ?? 3,
    streamRetryMs: o.streamRetryMs ?? 10_000,
    maxStreamRetryMs: o.maxStreamRetryMs ?? 60_000,
  };
}
