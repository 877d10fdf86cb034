import type { Db } from "./db.js";
import { getMerchantSourceSettings } from "./merchants.js";

/** What a source's webhook route needs to know of the merchant a delivery names. */
export interface WebhookTarget {
  source: string;
  enabled: boolean;
  /** The merchant's `webhook_secret` from its source settings; null when it has none. */
  webhookSecret: string | null;
}

/**
 * The merchant a BTCPay or LNbits delivery names, undefined when there is none. Only the secret crosses
 * to the HTTP thread, never the API key: the route needs nothing else to check a delivery.
 */
export async function getWebhookTarget(db: Db, id: string): Promise<WebhookTarget | undefined> {
  const row = await getMerchantSourceSettings(db, id);
  if (!row) return undefined;
  const secret = (row.settings as { webhook_secret?: unknown } | null)?.webhook_secret;
  return {
    source: row.source,
    enabled: row.enabled,
    webhookSecret: typeof secret === "string" && secret !== "" ? secret : null,
  };
}
