/**
 * One poll of a keyed source (BTCPay, LNbits: sources/) stored in one transaction, as applyPoll stores
 * a PayWithFlash poll: new sales with their lines, rollups, running totals, the merchant's products
 * (added up from the lines: these sources keep no cumulative product figures), sales the source took
 * back (withdraw-sales.ts), the client's state for its next poll and milestones. A crash leaves all of
 * it or none, so the state never runs ahead of the sales it stands for.
 */
import type { Kysely } from "kysely";
import { announceSales, salesNews } from "./announce.js";
import type { WriterDb } from "./db.js";
import { fireDueMilestones } from "./due-milestones.js";
import { takeMerchantTurn } from "./engine.js";
import { enqueueSales } from "./outbox.js";
import type { KeyedSale, ProductFigures, WithdrawnSale } from "./poll-contents.js";
import { checkFence, type PollFence } from "./poll-fence.js";
import { type PollResult, tickerRows } from "./poll-transaction.js";
import { addToRollups, recordPollTotals } from "./poll-writes.js";
import type { Database } from "./schema.js";
import { addLinesToProducts, withdrawSales } from "./withdraw-sales.js";

export interface SourcePollContents {
  /** The client's parse (sources/source-sale.ts SourceParse): its sales and take-backs. */
  parse: { sales: KeyedSale[]; withdrawn: readonly WithdrawnSale[]; skippedCount?: number };
  /** The source's cumulative product figures, when it has them; else products come from the lines. */
  products?: ProductFigures[] | undefined;
  /** The client's state for its next poll, stored as JSON with the sales. */
  state: unknown;
}

export type SourcePollResult = PollResult & { withdrawnCount: number };

/** Keys looked up per query (SQLite allows 32,766 parameters; a short IN list plans best). */
const KEY_CHUNK = 500;

/**
 * Stores one keyed poll; undefined when the merchant was deleted while it was being polled. A leased
 * poll's `fence` is checked before the commit (poll-fence.ts): LeaseLost, nothing stored, when the
 * lease is another instance's by then.
 */
export function applySourcePoll(
  db: WriterDb,
  merchantId: string,
  poll: SourcePollContents,
  now: number,
  fence?: PollFence,
): Promise<SourcePollResult | undefined> {
  let adding = false;
  const write = () =>
    db.transaction().execute(async (trx): Promise<SourcePollResult | undefined> => {
      const merchant = await trx
        .selectFrom("merchants")
        .select(["alias", "source"])
        .where("id", "=", merchantId)
        .executeTakeFirst();
      if (!merchant) return undefined;
      db.pollTimes.forget(merchantId);
      const pw = db.pollWrites(trx);
      await takeMerchantTurn(trx, merchantId);
      const stored = await storedKeys(trx, merchantId, poll.parse.sales);
      const fresh = poll.parse.sales.filter((s) => !stored.has(s.externalId));
      adding = fresh.length > 0;
      await insertKeyedSales(trx, merchantId, merchant.source, fresh, now);
      await enqueueSales(pw, { id: merchantId, ...merchant }, fresh, now);
      await addToRollups(pw, merchantId, fresh, now);
      const productsChanged = poll.products
        ? await pw.upsertProducts(merchantId, poll.products, now)
        : await addLinesToProducts(trx, merchantId, fresh, now);
      const withdrawnCount = await withdrawSales(trx, pw, merchantId, poll.parse.withdrawn);
      await recordPollTotals(pw, merchantId, fresh, null, now, poll.parse.skippedCount ?? 0);
      await trx
        .updateTable("merchants")
        .set({ sync_state: JSON.stringify(poll.state ?? null) })
        .where("id", "=", merchantId)
        .execute();
      const triggers = (await pw.armedMilestones()) ? await fireDueMilestones(trx, now) : [];
      const other = productsChanged || withdrawnCount > 0;
      await announceSales(db, trx, salesNews(merchantId, fresh, triggers, other));
      await checkFence(trx, merchantId, fence);
      return {
        storedCount: fresh.length,
        newSales: tickerRows(merchantId, merchant.alias, fresh, merchant.source),
        triggers,
        changed: fresh.length > 0 || productsChanged || triggers.length > 0 || withdrawnCount > 0,
        withdrawnCount,
      };
    });
  return db.writeHealth.track(write, () => adding);
}

/** The keys of this poll already stored for the merchant (the unique index on external_id). */
async function storedKeys(
  trx: Kysely<Database>,
  merchantId: string,
  sales: readonly KeyedSale[],
): Promise<Set<string>> {
  const stored = new Set<string>();
  for (let i = 0; i < sales.length; i += KEY_CHUNK) {
    const keys = sales.slice(i, i + KEY_CHUNK).map((s) => s.externalId);
    const rows = await trx
      .selectFrom("transactions")
      .select("external_id")
      .where("merchant_id", "=", merchantId)
      .where("external_id", "in", keys)
      .execute();
    for (const r of rows) if (r.external_id !== null) stored.add(r.external_id);
  }
  return stored;
}

/**
 * Inserts the new sales under their preferred numbers, or the next free one above when another key
 * holds it (two keys sharing 52 bits of their hash: one in 2^52 for any two). The number each sale
 * got is written back into it, for the rollups and the ticker.
 */
async function insertKeyedSales(
  trx: Kysely<Database>,
  merchantId: string,
  source: string,
  fresh: KeyedSale[],
  now: number,
): Promise<void> {
  for (const s of fresh) {
    s.saleId = await freeSaleId(trx, merchantId, s.saleId);
    await trx
      .insertInto("transactions")
      .values({
        merchant_id: merchantId,
        sale_id: s.saleId,
        sale_origin: s.origin,
        sale_date: s.date,
        amount_sats: s.amountSats,
        fiat_amount: s.fiatAmount,
        currency: s.currency,
        created_at: now,
        source,
        external_id: s.externalId,
      })
      .execute();
    if (s.lines.length > 0)
      await trx
        .insertInto("sale_lines")
        .values(
          s.lines.map((l, n) => ({
            merchant_id: merchantId,
            sale_id: s.saleId,
            line_no: n,
            product_id: l.productId,
            name: l.name,
            quantity: l.quantity,
            unit_sats: l.unitSats,
          })),
        )
        .execute();
  }
}

async function freeSaleId(trx: Kysely<Database>, merchantId: string, wanted: number): Promise<number> {
  for (let id = wanted; Number.isSafeInteger(id); id++) {
    const taken = await trx
      .selectFrom("transactions")
      .select("sale_id")
      .where("merchant_id", "=", merchantId)
      .where("sale_id", "=", id)
      .executeTakeFirst();
    if (!taken) return id;
  }
  throw new Error(`no free sale id left for merchant ${merchantId}`);
}
