/**
 * What a write tells the other instances sharing its database (issue 18, live push on every instance):
 * which sales and milestones it stored, or which operator's change it made. Only ids travel; receivers
 * read the rest from the database, which the write has committed by the time they hear of it.
 * SQLite has no other instance, so its writer announces nothing (WriterDb.announce is then a no-op);
 * PostgreSQL's sends these through NOTIFY (store/postgres/announce.ts).
 */
import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Sales a transaction stored (poll, streamed batch, keyed poll, webhook) and milestones it fired. */
export interface SalesNews {
  kind: "sales";
  merchantId: string;
  /** The merchant's sale ids this transaction inserted (any number: the sender caps what travels). */
  saleIds: readonly number[];
  /** Ids of the milestone triggers it recorded. */
  triggerIds: readonly number[];
  /** A webhook's sale: receivers refresh their cached answers before announcing it (the WiFi scene). */
  webhook?: boolean;
}

/** An operator's change (access.ts CHANGES): its name and, when it has one, the id it concerns. */
export interface ChangeNews {
  kind: "change";
  change: string;
  id?: string | number;
}

export type News = SalesNews | ChangeNews;

/**
 * Sends `news` on `on`: inside a transaction it goes out when that commits and never on rollback;
 * outside any, at once. Rejects as the connection's statements do.
 */
export type Announcer = (on: Kysely<Database>, news: News) => Promise<void>;

/**
 * The news of a transaction that stored `sales` and fired `triggers`, or undefined when it changed
 * nothing a screen shows. `otherChange` (products, a sale taken back) is news without ids: receivers
 * refresh their cached answers and summary.
 */
export function salesNews(
  merchantId: string,
  sales: readonly { saleId: number }[],
  triggers: readonly { id: number }[],
  otherChange = false,
): SalesNews | undefined {
  if (sales.length === 0 && triggers.length === 0 && !otherChange) return undefined;
  return {
    kind: "sales",
    merchantId,
    saleIds: sales.map((s) => s.saleId),
    triggerIds: triggers.map((t) => t.id),
  };
}

/** Announces what salesNews makes of a transaction's writes, if anything. */
export async function announceSales(
  db: { announce(on: Kysely<Database>, news: News): Promise<void> },
  trx: Kysely<Database>,
  news: SalesNews | undefined,
): Promise<void> {
  if (news) await db.announce(trx, news);
}
