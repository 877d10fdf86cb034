import type { Config } from "../config/config.js";
import type { HintAnswer, RefetchAnswer } from "../ingest/thread-protocol.js";
import type { SourceConnections } from "../sources/connections.js";
import type { SourceHint } from "../sources/source-client.js";
import type { StoreAccess } from "../store/access.js";
import type { WebhookSale, WebhookStoreResult } from "../store/webhook-sale.js";
import type { WriteFailure } from "../store/write-health.js";
import type { ReadCache } from "./read-cache.js";

/** What the routes need from the running service, passed in (never read from globals). */
export interface AppContext {
  /** Reads and operators' changes (on the ingest thread in the service); dashboard reads go through `cache`. */
  store: StoreAccess;
  cache: ReadCache;
  config: Pick<
    Config,
    | "adminToken"
    | "corsOrigins"
    | "tickerLimit"
    | "leaderboardLimit"
    | "rateWindowMs"
    | "pollIntervalMs"
    | "maxStreamClients"
  > &
    Partial<Pick<Config, "webhookSecret" | "wifiLightningAddress" | "metricsToken">>;
  now: () => number;
  /**
   * Polls one merchant now (the poller's refetch); false when there is no such merchant, "not polled"
   * when a webhook feeds it. One call, so an operator's refetch waits for one hop to the ingest
   * thread, not a lookup and then a request.
   */
  refetch: (merchantId: string) => Promise<RefetchAnswer>;
  /** Stores a webhook's sale on the one writer (ingest); the webhook answers 503 without it. */
  storeWebhookSale?: (sale: WebhookSale) => Promise<WebhookStoreResult>;
  /**
   * A BTCPay or LNbits delivery's hint: polls that merchant now, through ingest (runtime.ts hint). The
   * source webhooks answer 503 without it.
   */
  hint?: (merchantId: string, hint: SourceHint) => Promise<HintAnswer>;
  /** Tries a BTCPay or LNbits merchant's settings ("test connection"); answers 503 without it. */
  sources?: SourceConnections;
  /** Why writes are failing now (a full disk), as ingest last reported; undefined while they succeed. */
  storageFailure?: () => WriteFailure | undefined;
  /** Why this instance is not hearing the other instances' writes (cluster-push.ts); undefined while it is. */
  livePushFailure?: () => { error: string; since: number } | undefined;
}
