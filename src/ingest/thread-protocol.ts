import type { Config } from "../config/config.js";
import type { ChangeName, ReadName } from "../store/access.js";
import type { PollOutcome } from "./poller.js";

/** What the ingest thread is started with: the parts of the configuration it uses, nothing secret. */
export type IngestThreadConfig = Pick<
  Config,
  | "dbPath"
  | "sourceBaseUrl"
  | "httpTimeoutMs"
  | "pollIntervalMs"
  | "pollConcurrency"
  | "logLevel"
  | "logFormat"
>;

export type ToIngestThread =
  | { kind: "read"; id: number; name: ReadName; args: unknown }
  | { kind: "change"; id: number; name: ChangeName; args: unknown }
  | { kind: "startPolling" }
  | { kind: "refetch"; id: number; merchantId: string }
  | { kind: "stop" };

export type FromIngestThread =
  | { kind: "ready" }
  | { kind: "failed"; error: string }
  | { kind: "result"; id: number; result: unknown }
  | { kind: "error"; id: number; error: string }
  | { kind: "outcome"; outcome: PollOutcome }
  | { kind: "stopped" };
