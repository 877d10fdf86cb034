/**
 * A sale pushed by a webhook (the venue's WiFi upgrades, paid through an LNbits pay link) rather than
 * polled: stored in one transaction exactly as a poll's sales are (poll-writes.ts: running totals,
 * hour and minute rollups; milestones as poll-transaction.ts fires them), on the one writer.
 */
import { type Kysely, sql } from "kysely";
import type { MilestoneTrigger } from "../contract/index.js";
import { salesNews } from "./announce.js";
import type { WriterDb } from "./db.js";
import { fireDueMilestones } from "./due-milestones.js";
import { enqueueSales } from "./outbox.js";
import type { IncomingSale } from "./poll-contents.js";
import { type PollResult, tickerRows } from "./poll-transaction.js";
import { addToRollups, addToTotals } from "./poll-writes.js";
import type { Database } from "./schema.js";

/** The merchant every WiFi sale belongs to, created with the first one (a fresh database lists none). */
export const WIFI_MERCHANT = {
  id: "wifi",
  public_key: "wifi_payments",
  alias: "WiFi Upgrades",
  source: "wifi",
} as const;
const SALE_ORIGIN = "lnbits";

/** One paid invoice, as the webhook route read it. */
export interface WebhookSale {
  /** 64 lower-case hex digits: the payment's identity, stored as the sale's external_id. */
  paymentHash: string;
  amountSats: number;
  /** UTC epoch ms. */
  date: number;
}

export type WebhookStoreResult =
  | { kind: "stored"; saleId: number; result: PollResult; milestoneError?: string }
  | { kind: "duplicate"; saleId: number }
  /** A merchant `wifi` exists but is polled (an operator made it): its id is taken. */
  | { kind: "conflict"; source: string };

/** Hex digits of the hash the sale id is read from: 13 × 4 = 52 bits, below 2^53 in every JavaScript client. */
const SALE_ID_HEX_DIGITS = 13;

/**
 * The sale id a payment hash is stored under: the integer value of its first 13 hex digits (0 to
 * 2^52 − 1), exact as a JavaScript number. Another payment whose hash starts with the same 13 digits
 * (one in 2^52 for any two) takes the next free id instead, see storeWebhookSale.
 */
export function saleIdOfHash(paymentHash: string): number {
  return Number.parseInt(paymentHash.slice(0, SALE_ID_HEX_DIGITS), 16);
}

/**
 * Stores one webhook sale, at most once per payment hash (a redelivery stores nothing), creating the
 * wifi merchant if missing, all in one transaction with its totals and rollups. Milestones are fired
 * in a savepoint: if that fails, the sale is kept and the error returned for the caller to log.
 */
export function storeWebhookSale(db: WriterDb, sale: WebhookSale, now: number): Promise<WebhookStoreResult> {
  let adding = false;
  const write = () =>
    db.transaction().execute(async (trx): Promise<WebhookStoreResult> => {
      const merchant = await wifiMerchant(trx, now);
      if (merchant.source !== WIFI_MERCHANT.source) return { kind: "conflict", source: merchant.source };
      const stored = await storedSaleId(trx, sale.paymentHash);
      if (stored !== undefined) return { kind: "duplicate", saleId: stored };

      adding = true;
      const saleId = await freeSaleId(trx, saleIdOfHash(sale.paymentHash));
      // Another instance may be storing the same payment (a redelivery it received) at this moment: on
      // PostgreSQL this insert then waits for it and, once it committed, stores nothing. SQLite's one
      // writer never gets here with the payment stored.
      const inserted = await trx
        .insertInto("transactions")
        .values({
          merchant_id: WIFI_MERCHANT.id,
          sale_id: saleId,
          sale_origin: SALE_ORIGIN,
          sale_date: sale.date,
          amount_sats: sale.amountSats,
          fiat_amount: null,
          currency: null,
          created_at: now,
          source: WIFI_MERCHANT.source,
          external_id: sale.paymentHash,
        })
        .onConflict((oc) => oc.doNothing())
        .returning("sale_id")
        .executeTakeFirst();
      if (!inserted) return raced(trx, sale.paymentHash);
      const incoming: IncomingSale = {
        saleId,
        origin: SALE_ORIGIN,
        date: sale.date,
        amountSats: sale.amountSats,
        fiatAmount: null,
        currency: null,
        lines: [],
      };
      const pw = db.pollWrites(trx);
      await addToRollups(pw, WIFI_MERCHANT.id, [incoming], now);
      await addToTotals(pw, WIFI_MERCHANT.id, [incoming]);
      const alias = merchant.alias;
      const keyed = [{ ...incoming, externalId: sale.paymentHash }];
      await enqueueSales(pw, { id: WIFI_MERCHANT.id, alias, source: WIFI_MERCHANT.source }, keyed, now);
      const milestones = (await pw.armedMilestones()) ? await fireInSavepoint(trx, now) : { triggers: [] };
      const news = salesNews(WIFI_MERCHANT.id, keyed, milestones.triggers);
      if (news) await db.announce(trx, { ...news, webhook: true });
      const newSales = tickerRows(WIFI_MERCHANT.id, alias, keyed, WIFI_MERCHANT.source);
      const result = { storedCount: 1, newSales, triggers: milestones.triggers, changed: true };
      return { kind: "stored", saleId, result, ...milestones };
    });
  return db.writeHealth.track(write, () => adding);
}

/**
 * The wifi merchant, created with the first sale. Two instances may create it at once on PostgreSQL:
 * the second's insert waits for the first's and stores nothing, and both read the row that is there.
 */
async function wifiMerchant(trx: Kysely<Database>, now: number): Promise<{ alias: string; source: string }> {
  const read = () =>
    trx
      .selectFrom("merchants")
      .select(["alias", "source"])
      .where("id", "=", WIFI_MERCHANT.id)
      .executeTakeFirst();
  const found = await read();
  if (found) return found;
  await trx
    .insertInto("merchants")
    .values({
      id: WIFI_MERCHANT.id,
      public_key: WIFI_MERCHANT.public_key,
      alias: WIFI_MERCHANT.alias,
      enabled: 1,
      last_polled_at: null,
      last_error: null,
      body_digest: null,
      source: WIFI_MERCHANT.source,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  const created = await read();
  if (!created) throw new Error("the wifi merchant vanished as it was created");
  return created;
}

async function storedSaleId(trx: Kysely<Database>, paymentHash: string): Promise<number | undefined> {
  const row = await trx
    .selectFrom("transactions")
    .select("sale_id")
    .where("merchant_id", "=", WIFI_MERCHANT.id)
    .where("external_id", "=", paymentHash)
    .executeTakeFirst();
  return row?.sale_id;
}

/**
 * The insert stored nothing: another instance stored this payment first (a duplicate), or, one in
 * 2^52, another payment sharing the first 13 hex digits took the id; that one fails, and the
 * sender's redelivery finds the next free id.
 */
async function raced(trx: Kysely<Database>, paymentHash: string): Promise<WebhookStoreResult> {
  const stored = await storedSaleId(trx, paymentHash);
  if (stored !== undefined) return { kind: "duplicate", saleId: stored };
  throw new Error("a concurrent webhook sale took this sale id; the redelivery stores it");
}

/** `wanted`, or the next id above it no wifi sale holds yet (two hashes sharing their first 13 digits). */
async function freeSaleId(trx: Kysely<Database>, wanted: number): Promise<number> {
  let id = wanted;
  for (;;) {
    const taken = await trx
      .selectFrom("transactions")
      .select("sale_id")
      .where("merchant_id", "=", WIFI_MERCHANT.id)
      .where("sale_id", "=", id)
      .executeTakeFirst();
    if (!taken) return id;
    id++;
    // Past 2^53 ids stop being exact; reaching it would take billions of colliding payments.
    if (!Number.isSafeInteger(id)) throw new Error("no free sale id left for a wifi sale");
  }
}

/**
 * Milestones the sale made due. A failure to fire them rolls back to the savepoint (no half-fired
 * milestone) and is returned, not thrown: the payment is a sale all the same, and the next stored
 * sale evaluates them again.
 */
async function fireInSavepoint(
  trx: Kysely<Database>,
  now: number,
): Promise<{ triggers: MilestoneTrigger[]; milestoneError?: string }> {
  await sql`savepoint webhook_milestones`.execute(trx);
  try {
    const triggers = await fireDueMilestones(trx, now);
    await sql`release webhook_milestones`.execute(trx);
    return { triggers };
  } catch (e) {
    await sql`rollback to webhook_milestones`.execute(trx);
    await sql`release webhook_milestones`.execute(trx);
    return { triggers: [], milestoneError: e instanceof Error ? e.message : String(e) };
  }
}
