/**
 * A service's live stream parts (service.ts): the hub every stream attaches to, and the feed that
 * turns what ingest reports into its events. On a shared database (PostgreSQL) the feed hands what
 * this instance stores to the cluster push, which publishes every instance's sales in commit order
 * (cluster-feed.ts), and the hub's numbers start at random so that no two instances' ids meet.
 */
import { randomInt } from "node:crypto";
import type { Config } from "../config/config.js";
import type { ClusterPush } from "./cluster-push.js";
import { LiveFeed } from "./feed.js";
import { LiveHub } from "./hub.js";

/** Sales published within this window reach each screen in one write; nobody sees 20 ms. */
const STREAM_COALESCE_MS = 20;
/**
 * A screen failing over to an instance that has not yet heard the sale it saw last waits this long for
 * it (hub.ts). Instances hear a commit within ~100 ms of each other at p99 under the default polling
 * (bench cluster-push), 300 ms at 15 times that load.
 */
const RESUME_WAIT_MS = 1000;

export function liveParts(
  config: Pick<Config, "maxStreamClients" | "streamHeartbeatMs">,
  shared: boolean,
  push: () => ClusterPush | undefined,
): { hub: LiveHub; feed: LiveFeed } {
  const hub = new LiveHub({
    maxClients: config.maxStreamClients,
    coalesceMs: STREAM_COALESCE_MS,
    heartbeatMs: config.streamHeartbeatMs,
    firstId: shared ? randomInt(1, 2 ** 47) : 0,
    resumeWaitMs: shared ? RESUME_WAIT_MS : 0,
  });
  const feed = new LiveFeed({
    hub,
    ...(shared
      ? { stored: (r) => push()?.ownStored(r), healthChanged: (s) => push()?.announceHealth(s) }
      : {}),
  });
  return { hub, feed };
}
