import type { Config } from "../config/config.js";
import type { Summary } from "../contract/index.js";
import type { SourceHint } from "../sources/source-client.js";
import type { ChangeName, ReadName } from "../store/access.js";
import type { PollResult } from "../store/poll-transaction.js";
import type { WebhookSale, WebhookStoreResult } from "../store/webhook-sale.js";
import type { WriteFailure } from "../store/write-health.js";
import type { PollOutcome } from "./poller.js";
import type { Answer, Call } from "./rpc.js";

/**
 * What the ingest thread is started with: the parts of the configuration it uses. The one secret among
 * them, DATABASE_URL's password, is what opens the database the thread owns.
 */
export type IngestThreadConfig = ThreadConfigFields & {
  /** This instance's id (cluster/instance-id.ts) on PostgreSQL: the origin of what its writes announce. */
  instanceId?: string;
};

type ThreadConfigFields = Pick<
  Config,
  | "dbPath"
  | "databaseUrl"
  | "sourceBaseUrl"
  | "httpTimeoutMs"
  | "maxUpstreamBytes"
  | "pollIntervalMs"
  | "pollConcurrency"
  | "rateWindowMs"
  | "logLevel"
  | "logFormat"
  | "webhookTimeoutMs"
  | "webhookRetryBaseMs"
  | "webhookRetryCapMs"
  | "webhookMaxAttempts"
>;

/** What a refetch did: true, polling; false, no such merchant; "not polled", its sales come from a webhook. */
export type RefetchAnswer = boolean | "not polled";

/**
 * What a webhook's hint did: "started" or "coalesced" (a poll of that merchant now, or right after the
 * one in flight), "stopped" (shutting down), or why nothing was polled.
 */
export type HintAnswer = "started" | "coalesced" | "stopped" | "unknown merchant" | "not keyed" | "disabled";

/** The calls the ingest thread answers (ingest/rpc.ts), by name. */
export type IngestCalls = {
  read(a: { name: ReadName; args: unknown }): Promise<unknown>;
  change(a: { name: ChangeName; args: unknown }): Promise<unknown>;
  refetch(merchantId: string): Promise<RefetchAnswer>;
  webhookSale(sale: WebhookSale): Promise<WebhookStoreResult>;
  hint(a: { merchantId: string; hint: SourceHint }): Promise<HintAnswer>;
};

export type ToIngestThread = Call | { kind: "startPolling" } | { kind: "stop" };

export type FromIngestThread =
  | Answer
  | { kind: "ready" }
  | { kind: "failed"; error: string }
  /** A finished poll, with the upstream bytes this thread read since the last outcome (for the metrics). */
  | { kind: "outcome"; outcome: PollOutcome; upstreamBytes: Record<string, number> }
  | { kind: "summary"; summary: Summary }
  /** A webhook's sale was stored (sent before the answer to the call that stored it). */
  | { kind: "webhookSale"; result: PollResult }
  /** Writes started or stopped failing for the storage's sake; `failure` is absent once they succeed. */
  | { kind: "storage"; failure?: WriteFailure }
  /** Something a dashboard shows changed; sent before the answer to the change that caused it. */
  | { kind: "change" }
  | { kind: "stopped" };
