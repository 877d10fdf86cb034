import type { Kysely, Transaction } from "kysely";
import { dueMilestones, type Totals } from "../milestones/evaluate.js";
import type { ParsedPoll, UpstreamSale } from "../upstream/payload.js";
import type { Db } from "./db.js";
import type { Database } from "./schema.js";
import { type MilestoneTrigger, type TickerRow, toTickerRow, toTrigger } from "./shapes.js";

export interface PollResult {
  /** Sales stored by this poll, newest first, in the ticker's shape. */
  newSales: TickerRow[];
  triggers: MilestoneTrigger[];
  totals: Totals;
}

// SQLite allows 32,766 bound parameters per statement; stay well under it.
const SALE_CHUNK = 2000;
const LINE_CHUNK = 2000;
const PRODUCT_CHUNK = 1000;
const PRODUCT_FIELDS = [
  "name",
  "currency",
  "price",
  "total_transactions",
  "total_units_sold",
  "total_revenue_sats",
  "active",
  "deleted",
] as const;

/**
 * Everything one successful poll changes, in one transaction: new sales and their lines (sales already
 * stored are left alone), the merchant's products, running totals, poll state and milestones. A crash
 * leaves all of it or none. Returns undefined when the merchant was deleted while it was being polled.
 */
export async function applyPoll(
  db: Db,
  merchantId: string,
  poll: ParsedPoll,
  now: number,
): Promise<PollResult | undefined> {
  return db.transaction().execute(async (trx) => {
    const merchant = await trx
      .selectFrom("merchants")
      .select(["alias"])
      .where("id", "=", merchantId)
      .executeTakeFirst();
    if (!merchant) return undefined;

    const fresh = await newSalesOnly(trx, merchantId, poll.sales);
    await insertSales(trx, merchantId, fresh, now);
    await upsertProducts(trx, merchantId, poll, now);

    let volume = 0;
    const fiat = new Map<string, number>();
    for (const s of fresh) {
      volume += s.amountSats;
      if (s.currency !== null && s.fiatAmount !== null) {
        fiat.set(s.currency, (fiat.get(s.currency) ?? 0) + s.fiatAmount);
      }
    }
    await trx
      .updateTable("merchants")
      .set((eb) => ({
        total_transactions: eb("total_transactions", "+", fresh.length),
        total_volume_sats: eb("total_volume_sats", "+", volume),
        last_polled_at: now,
        last_error: null,
        consecutive_failures: 0,
      }))
      .where("id", "=", merchantId)
      .execute();
    for (const [currency, amount] of fiat) {
      await trx
        .insertInto("fiat_totals")
        .values({ merchant_id: merchantId, currency, amount })
        .onConflict((oc) =>
          oc.columns(["merchant_id", "currency"]).doUpdateSet((eb) => ({
            amount: eb("fiat_totals.amount", "+", eb.ref("excluded.amount")),
          })),
        )
        .execute();
    }

    const totals = await readTotals(trx);
    const triggers = await fireDueMilestones(trx, totals, now);
    const newSales = fresh
      .map((s) =>
        toTickerRow({
          sale_id: s.saleId,
          merchant_id: merchantId,
          merchant_alias: merchant.alias,
          amount_sats: s.amountSats,
          sale_date: s.date,
          fiat_amount: s.fiatAmount,
          currency: s.currency,
        }),
      )
      .sort((a, b) =>
        a.sale_date < b.sale_date ? 1 : a.sale_date > b.sale_date ? -1 : b.sale_id - a.sale_id,
      );
    return { newSales, triggers, totals };
  });
}

async function newSalesOnly(
  trx: Transaction<Database>,
  merchantId: string,
  sales: UpstreamSale[],
): Promise<UpstreamSale[]> {
  if (sales.length === 0) return [];
  const known = await trx
    .selectFrom("transactions")
    .select("sale_id")
    .where("merchant_id", "=", merchantId)
    .execute();
  if (known.length === 0) return sales;
  const ids = new Set(known.map((r) => r.sale_id));
  return sales.filter((s) => !ids.has(s.saleId));
}

async function insertSales(
  trx: Transaction<Database>,
  merchantId: string,
  sales: UpstreamSale[],
  now: number,
): Promise<void> {
  for (let i = 0; i < sales.length; i += SALE_CHUNK) {
    const chunk = sales.slice(i, i + SALE_CHUNK);
    await trx
      .insertInto("transactions")
      .values(
        chunk.map((s) => ({
          merchant_id: merchantId,
          sale_id: s.saleId,
          sale_origin: s.origin,
          sale_date: s.date,
          amount_sats: s.amountSats,
          fiat_amount: s.fiatAmount,
          currency: s.currency,
          created_at: now,
        })),
      )
      // Never expected (sales are filtered against stored ids first), but a duplicate must never fail the poll.
      .onConflict((oc) => oc.columns(["merchant_id", "sale_id"]).doNothing())
      .execute();
  }
  const lines = sales.flatMap((s) =>
    s.lines.map((l, lineNo) => ({
      merchant_id: merchantId,
      sale_id: s.saleId,
      line_no: lineNo,
      product_id: l.productId,
      name: l.name,
      quantity: l.quantity,
      unit_sats: l.unitSats,
    })),
  );
  for (let i = 0; i < lines.length; i += LINE_CHUNK) {
    await trx
      .insertInto("sale_lines")
      .values(lines.slice(i, i + LINE_CHUNK))
      .onConflict((oc) => oc.columns(["merchant_id", "sale_id", "line_no"]).doNothing())
      .execute();
  }
}

/** Upstream product figures are cumulative: the newest poll's values replace the stored ones. */
async function upsertProducts(
  trx: Transaction<Database>,
  merchantId: string,
  poll: ParsedPoll,
  now: number,
): Promise<void> {
  for (let i = 0; i < poll.products.length; i += PRODUCT_CHUNK) {
    const chunk = poll.products.slice(i, i + PRODUCT_CHUNK);
    await trx
      .insertInto("products")
      .values(
        chunk.map((p) => ({
          merchant_id: merchantId,
          product_id: p.productId,
          name: p.name,
          currency: p.currency,
          price: p.price,
          total_transactions: p.totalTransactions,
          total_units_sold: p.totalUnitsSold,
          total_revenue_sats: p.totalRevenueSats,
          active: p.active ? 1 : 0,
          deleted: p.deleted ? 1 : 0,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(["merchant_id", "product_id"])
          .doUpdateSet((eb) => ({
            name: eb.ref("excluded.name"),
            currency: eb.ref("excluded.currency"),
            price: eb.ref("excluded.price"),
            total_transactions: eb.ref("excluded.total_transactions"),
            total_units_sold: eb.ref("excluded.total_units_sold"),
            total_revenue_sats: eb.ref("excluded.total_revenue_sats"),
            active: eb.ref("excluded.active"),
            deleted: eb.ref("excluded.deleted"),
            updated_at: eb.ref("excluded.updated_at"),
          }))
          // A re-poll that changes nothing writes nothing (and keeps updated_at meaningful).
          .where((eb) =>
            eb.or(PRODUCT_FIELDS.map((c) => eb(eb.ref(`products.${c}`), "is not", eb.ref(`excluded.${c}`)))),
          ),
      )
      .execute();
  }
}

/** Global totals from the per-merchant running totals: O(merchants), never a scan of the sales. */
export async function readTotals(db: Kysely<Database>): Promise<Totals> {
  const row = await db
    .selectFrom("merchants")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("total_transactions"), eb.lit(0)).as("transactions"),
      eb.fn.coalesce(eb.fn.sum<number>("total_volume_sats"), eb.lit(0)).as("volume"),
    ])
    .executeTakeFirstOrThrow();
  return { transactions: Number(row.transactions), volumeSats: Number(row.volume) };
}

/**
 * Marks each due milestone triggered and records the totals of that moment. The conditional update
 * is the guard: of two evaluations racing for the same milestone only one changes the row.
 */
export async function fireDueMilestones(
  trx: Kysely<Database>,
  totals: Totals,
  now: number,
): Promise<MilestoneTrigger[]> {
  const armed = await trx
    .selectFrom("milestones")
    .select(["id", "name", "type", "threshold", "enabled", "triggered_at"])
    .where("enabled", "=", 1)
    .where("triggered_at", "is", null)
    .execute();
  const due = dueMilestones(
    armed.map((m) => ({ ...m, enabled: true, triggered: false })),
    totals,
  );
  const fired: MilestoneTrigger[] = [];
  for (const m of due) {
    const claimed = await trx
      .updateTable("milestones")
      .set({ triggered_at: now, updated_at: now })
      .where("id", "=", m.id)
      .where("enabled", "=", 1)
      .where("triggered_at", "is", null)
      .executeTakeFirst();
    if (claimed.numUpdatedRows !== 1n) continue;
    const trigger = await trx
      .insertInto("milestone_triggers")
      .values({
        milestone_id: m.id,
        name: m.name,
        type: m.type,
        threshold: m.threshold,
        triggered_at: now,
        total_transactions: totals.transactions,
        total_volume_sats: totals.volumeSats,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    fired.push(toTrigger(trigger));
  }
  return fired;
}
