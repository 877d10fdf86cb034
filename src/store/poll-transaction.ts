import type { MilestoneTrigger, TickerRow } from "../contract/index.js";
import { announceSales, salesNews } from "./announce.js";
import type { WriterDb } from "./db.js";
import { fireDueMilestones } from "./due-milestones.js";
import { newSalesOnly } from "./new-sales.js";
import { NEWEST_SALES_KEPT, newestOf } from "./newest-sales.js";
import { enqueueSales } from "./outbox.js";
import type { FetchedPoll, IncomingSale, PollContents } from "./poll-contents.js";
import { checkFence, type PollFence } from "./poll-fence.js";
import { POLLED_SOURCE } from "./poll-statements.js";
import { recordUnchangedPoll } from "./poll-times.js";
import { addToRollups, recordPollTotals } from "./poll-writes.js";
import { nothingStoredYet, type StoredSales } from "./sale-batches.js";
import { toTickerRow } from "./shapes.js";

export interface PollResult {
  /** How many sales this poll stored. */
  storedCount: number;
  /** The newest of them (at most NEWEST_SALES_KEPT), newest first, in the ticker's shape. */
  newSales: TickerRow[];
  triggers: MilestoneTrigger[];
  /** Whether anything a dashboard shows changed (sales, products or milestones). */
  changed: boolean;
  /** Stored sales the source took back and this poll removed (keyed sources, store/source-poll.ts). */
  withdrawnCount?: number;
}

const nothingChanged = (): PollResult => ({ storedCount: 0, newSales: [], triggers: [], changed: false });

/**
 * Everything one successful poll changes, in one transaction: new sales and their lines (sales already
 * stored are left alone), the merchant's products, running totals and rollups, poll state and
 * milestones. A crash leaves all of it or none. Returns undefined when the merchant was deleted while
 * it was being polled, and "stale" when the poll skipped an unchanged body but the stored digest no
 * longer matches (the merchant's settings changed meanwhile): the caller fetches again in full.
 * A streamed poll's final transaction passes what its batches stored (`earlier`, sale-batches.ts):
 * the result then covers the whole poll. A leased poll passes its `fence` (poll-fence.ts): the
 * transaction rolls back with LeaseLost when the lease is another instance's by its commit.
 */
export function applyPoll(
  db: WriterDb,
  merchantId: string,
  poll: PollContents & { digest?: string },
  now: number,
  opts?: ApplyPollOptions,
): Promise<PollResult | undefined>;
export function applyPoll(
  db: WriterDb,
  merchantId: string,
  poll: FetchedPoll,
  now: number,
  opts?: ApplyPollOptions,
): Promise<PollResult | "stale" | undefined>;
export async function applyPoll(
  db: WriterDb,
  merchantId: string,
  poll: FetchedPoll,
  now: number,
  opts: ApplyPollOptions = {},
): Promise<PollResult | "stale" | undefined> {
  if (poll.unchanged) {
    // Not fenced: the time it keeps is written later with others', outside any lease check, and can
    // only move last_polled_at forward (stamp), for a body whose digest is the one stored now.
    const quick = await recordUnchangedPoll(db, merchantId, poll.digest, now);
    if (quick === "kept") return nothingChanged();
    if (quick !== "full") return quick;
  }
  const adding = { sales: false };
  const { earlier = nothingStoredYet(), fence } = opts;
  return db.writeHealth.track(
    () => storePoll(db, merchantId, poll, now, { earlier, fence }, adding),
    () => adding.sales,
  );
}

export interface ApplyPollOptions {
  /** What a streamed poll's batches stored before this final transaction. */
  earlier?: StoredSales;
  /** A leased poll's check that its lease is still this instance's (poll-fence.ts). */
  fence?: PollFence | undefined;
}

/** applyPoll's transaction; `adding.sales` says whether it has new sales to add (write-health.ts). */
function storePoll(
  db: WriterDb,
  merchantId: string,
  poll: FetchedPoll,
  now: number,
  { earlier, fence }: { earlier: StoredSales; fence: PollFence | undefined },
  adding: { sales: boolean },
): Promise<PollResult | "stale" | undefined> {
  return db.transaction().execute(async (trx) => {
    const pw = db.pollWrites(trx);
    const merchant = await pw.merchantPollState(merchantId);
    if (!merchant) return undefined;
    if (poll.unchanged && merchant.body_digest !== poll.digest) return "stale";
    // This poll's time is written below; an earlier unchanged poll's must not overwrite it later.
    db.pollTimes.forget(merchantId);

    const candidates = poll.unchanged ? [] : await newSalesOnly(trx, pw, merchantId, poll.sales);
    adding.sales = candidates.length > 0;
    // Only what this transaction inserted counts: another writer may have stored some meanwhile.
    const fresh = await pw.insertSales(merchantId, candidates, now);
    await enqueueSales(pw, { id: merchantId, alias: merchant.alias, source: POLLED_SOURCE }, fresh, now);
    await addToRollups(pw, merchantId, fresh, now);
    const stored = earlier.count + fresh.length;
    const productsChanged = poll.unchanged ? false : await pw.upsertProducts(merchantId, poll.products, now);
    const skipped = poll.unchanged ? null : (poll.skippedCount ?? 0);
    await recordPollTotals(pw, merchantId, fresh, poll.digest ?? null, now, skipped);

    // A milestone created after the totals passed its threshold fires on the next poll, changed or not.
    const triggers = (await pw.armedMilestones()) ? await fireDueMilestones(trx, now) : [];
    await announceSales(db, trx, salesNews(merchantId, fresh, triggers, productsChanged));
    // A whole poll's sales can be a million: only a streamed poll's few newest are joined to them.
    const all = earlier.newest.length > 0 ? [...earlier.newest, ...fresh] : fresh;
    await checkFence(trx, merchantId, fence);
    return {
      storedCount: stored,
      newSales: tickerRows(merchantId, merchant.alias, all),
      triggers,
      changed: stored > 0 || productsChanged || triggers.length > 0,
    };
  });
}

/** What a streamed poll that failed after some batches stored: those sales, to be announced all the same. */
export function storedBeforeFailure(merchantId: string, alias: string, earlier: StoredSales): PollResult {
  return {
    storedCount: earlier.count,
    newSales: tickerRows(merchantId, alias, earlier.newest),
    triggers: [],
    changed: earlier.count > 0,
  };
}

/** The newest of the stored sales as the ticker shows them; keyed sources' sales carry their key. */
export function tickerRows(
  merchantId: string,
  alias: string,
  fresh: readonly (IncomingSale & { externalId?: string })[],
  source: string = POLLED_SOURCE,
): TickerRow[] {
  return newestOf(fresh, NEWEST_SALES_KEPT).map((s) =>
    toTickerRow({
      sale_id: s.saleId,
      merchant_id: merchantId,
      merchant_alias: alias,
      amount_sats: s.amountSats,
      sale_date: s.date,
      fiat_amount: s.fiatAmount,
      currency: s.currency,
      source,
      external_id: s.externalId ?? null,
    }),
  );
}
