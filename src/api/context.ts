import type { Config } from "../config/config.js";
import type { Db } from "../store/db.js";
import type { Reader } from "../store/reader.js";
import type { ReadCache } from "./read-cache.js";

/** What the routes need from the running service, passed in (never read from globals). */
export interface AppContext {
  /** The writer connection: admin changes. */
  db: Db;
  /** Dashboard reads (on the reader worker in the service), answered through `cache`. */
  reader: Reader;
  cache: ReadCache;
  config: Pick<
    Config,
    "adminToken" | "corsOrigins" | "tickerLimit" | "leaderboardLimit" | "rateWindowMs" | "maxStreamClients"
  >;
  now: () => number;
  /** Asks for an immediate poll of one merchant (the poller's refetch). */
  refetch: (merchantId: string) => void;
}
