import { MAX_SALE_IDS, MAX_TRIGGER_IDS } from "../../cluster/live-news.js";
import { LIVE_CHANNEL, notifyVia } from "../../cluster/notify-message.js";
import type { Announcer, News } from "../announce.js";

/**
 * PostgreSQL's announcer: a NOTIFY on the writing connection, sent as `instanceId` so that this
 * instance's own listener skips what it has published locally already.
 */
export function postgresAnnouncer(instanceId: string, channel: string = LIVE_CHANNEL): Announcer {
  return (on, news) => notifyVia(on, channel, { ...encodeNews(news), origin: instanceId });
}

/** The kind and payload notifyVia sends for `news`. */
export function encodeNews(news: News): { kind: string; payload: unknown } {
  if (news.kind === "change")
    return { kind: "change", payload: { c: news.change, ...(news.id === undefined ? {} : { id: news.id }) } };
  const { saleIds, triggerIds } = news;
  return {
    kind: "sales",
    payload: {
      m: news.merchantId,
      ...(saleIds.length <= MAX_SALE_IDS ? { s: saleIds } : { n: saleIds.length }),
      ...(triggerIds.length <= MAX_TRIGGER_IDS ? { t: triggerIds } : { tn: triggerIds.length }),
      ...(news.webhook ? { w: 1 } : {}),
    },
  };
}
