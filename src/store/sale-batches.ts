/**
 * A streamed poll (upstream/client.ts reads a long history as it arrives) writes its sales batch by
 * batch, each batch in its own transaction: its new sales and their lines, rollups and the running
 * totals, so a million-sale history never has to be held at once. The poll's state (body digest, poll
 * time, error cleared), its products, its last sales and milestones wait for the body's end and go in
 * the poll's final transaction (applyPoll, poll-transaction.ts). A poll cut short keeps the batches it
 * committed, which are real sales; without the digest the next poll reads the body again in full, and
 * the de-duplication of new-sales.ts and the unique index store each sale once.
 * Each batch is stored oldest first (insertSales), but the batches go in upstream's order, newest
 * first: row ids then follow sale ids within a batch only. The ticker breaks a tie of two sales in the
 * same millisecond by row id, so such a pair on either side of a batch boundary, thousands of sales
 * below the newest, would list the older first.
 */
import { announceSales, salesNews } from "./announce.js";
import type { WriterDb } from "./db.js";
import { newSalesOnly } from "./new-sales.js";
import { NEWEST_SALES_KEPT, newestOf } from "./newest-sales.js";
import { enqueueSales } from "./outbox.js";
import type { IncomingSale } from "./poll-contents.js";
import { checkFence, type PollFence } from "./poll-fence.js";
import { POLLED_SOURCE } from "./poll-statements.js";
import { addToRollups, addToTotals } from "./poll-writes.js";

/** What a streamed poll's batches have stored so far: how many sales, and the newest of them. */
export interface StoredSales {
  count: number;
  /** Newest first, at most NEWEST_SALES_KEPT. */
  newest: IncomingSale[];
}

export function nothingStoredYet(): StoredSales {
  return { count: 0, newest: [] };
}

/**
 * Stores one batch of a streamed poll in its own transaction and adds it to `stored`. Resolves false,
 * storing nothing, when the merchant is gone (deleted while its body streamed). A leased poll's batch
 * checks its `fence` as the final transaction does (poll-fence.ts): rejects with LeaseLost, storing
 * nothing, when the lease is another instance's by its commit.
 */
export function storeSaleBatch(
  db: WriterDb,
  merchantId: string,
  sales: IncomingSale[],
  now: number,
  stored: StoredSales,
  fence?: PollFence,
): Promise<boolean> {
  let adding = false;
  const batch = () =>
    db.transaction().execute(async (trx) => {
      const pw = db.pollWrites(trx);
      const merchant = await pw.merchantPollState(merchantId);
      if (merchant === undefined) return false;
      const candidates = await newSalesOnly(trx, pw, merchantId, sales);
      adding = candidates.length > 0;
      // Only what this transaction inserted counts: another writer may have stored some meanwhile.
      const fresh = await pw.insertSales(merchantId, candidates, now);
      await enqueueSales(pw, { id: merchantId, alias: merchant.alias, source: POLLED_SOURCE }, fresh, now);
      await addToRollups(pw, merchantId, fresh, now);
      await addToTotals(pw, merchantId, fresh);
      await announceSales(db, trx, salesNews(merchantId, fresh, []));
      await checkFence(trx, merchantId, fence);
      stored.count += fresh.length;
      stored.newest = newestOf([...stored.newest, ...fresh], NEWEST_SALES_KEPT);
      return true;
    });
  return db.writeHealth.track(batch, () => adding);
}
