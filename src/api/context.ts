import type { Config } from "../config/config.js";
import type { StoreAccess } from "../store/access.js";
import type { WriteFailure } from "../store/write-health.js";
import type { ReadCache } from "./read-cache.js";

/** What the routes need from the running service, passed in (never read from globals). */
export interface AppContext {
  /** Reads and operators' changes (on the ingest thread in the service); dashboard reads go through `cache`. */
  store: StoreAccess;
  cache: ReadCache;
  config: Pick<
    Config,
    "adminToken" | "corsOrigins" | "tickerLimit" | "leaderboardLimit" | "rateWindowMs" | "maxStreamClients"
  >;
  now: () => number;
  /**
   * Polls one merchant now (the poller's refetch); false when there is no such merchant. One call,
   * so an operator's refetch waits for one hop to the ingest thread, not a lookup and then a request.
   */
  refetch: (merchantId: string) => Promise<boolean>;
  /** Why writes are failing now (a full disk), as ingest last reported; undefined while they succeed. */
  storageFailure?: () => WriteFailure | undefined;
}
