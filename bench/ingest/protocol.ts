/**
 * The IPC messages between the benchmark and its mock-upstream child. The mock runs in its own process
 * so building and sending bodies never takes CPU from the process being measured.
 */

/** Arguments of the child, passed as one JSON argv entry. */
export interface MockChildOptions {
  merchants: number;
  seed: number;
}

export type MockCommand =
  /** Bulk-loads `count` sales dated within `spanMs` before now into each listed merchant. */
  | { cmd: "addHistory"; ids: string[]; count: number; spanMs: number }
  /** Adds `count` random sales dated now to each listed merchant. */
  | { cmd: "addSale"; ids: string[]; count: number }
  /** GETs each listed merchant's body once (bodies are cached until the merchant changes) and discards it. */
  | { cmd: "warm"; ids: string[]; concurrency: number };

export type MockRequest = MockCommand & { seq: number };

export interface MockReply {
  seq: number;
  /** Sales added, or bytes served by a warm-up. */
  result?: number;
  error?: string;
}

export interface MockReady {
  ready: true;
  url: string;
  merchants: { id: string; publicKey: string; name: string }[];
}
