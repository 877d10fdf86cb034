import type { WriterDb } from "./db.js";
import type { MerchantPollState } from "./poll-seam.js";

export type { MerchantPollState };

/**
 * An unchanged body, recorded without a transaction when nothing else is due (its time joins the
 * writer's poll-time buffer, see poll-time-buffer.ts): "kept" then, "full" when the merchant's error
 * must be cleared or a milestone may fire, which the poll transaction does at once; "stale" when the
 * stored digest no longer matches, undefined when the merchant is gone.
 */
export async function recordUnchangedPoll(
  db: WriterDb,
  merchantId: string,
  digest: string,
  now: number,
): Promise<"kept" | "full" | "stale" | undefined> {
  const pw = db.pollWrites(db);
  const merchant = await pw.merchantPollState(merchantId);
  if (!merchant) return undefined;
  if (merchant.body_digest !== digest) return "stale";
  if (merchant.last_error !== null || (await pw.armedMilestones())) return "full";
  if (db.pollTimes.keep(merchantId, now)) await writePollTimes(db);
  return "kept";
}

/** Writes the poll times kept by unchanged polls, in one transaction queued behind earlier writes. */
export async function writePollTimes(db: WriterDb): Promise<void> {
  if (db.pollTimes.size === 0) return;
  await db.writeHealth.track(() =>
    db.transaction().execute(async (trx) => {
      // Taken now, when this connection's earlier writes are done: every time still kept goes out.
      await db.pollWrites(trx).stamp(db.pollTimes.take());
    }),
  );
}
