import type { Config } from "../config/config.js";
import type { Db } from "../store/db.js";

/** What the routes need from the running service, passed in (never read from globals). */
export interface AppContext {
  db: Db;
  config: Pick<
    Config,
    "adminToken" | "corsOrigins" | "tickerLimit" | "leaderboardLimit" | "rateWindowMs" | "maxStreamClients"
  >;
  now: () => number;
  /** Asks for an immediate poll of one merchant (the poller's refetch). */
  refetch: (merchantId: string) => void;
}
