import { sql } from "kysely";
import type { MerchantStanding, Metric, Summary, TickerRow } from "../contract/index.js";
import { NOT_REPORTING_AFTER_POLLS } from "../contract/limits.js";
import { rfc3339 } from "../time/instant.js";
import type { Db } from "./db.js";
import { rankingColumns } from "./product-leaderboard.js";
import { round2, toTickerRow } from "./shapes.js";
import { sinceDoors } from "./since-doors.js";
import {
  merchantExists,
  type Only,
  ofMerchant,
  ofSource,
  ofSourceMerchants,
  type Source,
} from "./source-filter.js";
import { windowSplit } from "./windows.js";

export { getProductLeaderboard } from "./product-leaderboard.js";

export type { Only } from "./source-filter.js";

/**
 * Totals come from the running totals (O(merchants)); only the rate looks at sales, through sale_date.
 * With a source, the sales figures (totals, average, rates, fiat) are that source's; the merchant and
 * product counts stay everyone's.
 */
export async function getSummary(
  db: Db,
  opts: { now: number; rateWindowMs: number; pollIntervalMs: number; source?: Source },
): Promise<Summary> {
  return (await summaryOf(db, { ...opts, merchantId: undefined })) as Summary;
}

/**
 * The summary as `/v1/summary` reads it: with a merchant, every figure is that merchant's alone (its
 * sales, its products, the merchant counts 1 or 0: a booth screen's), and null when there is no such
 * merchant.
 */
export function readSummary(
  db: Db,
  opts: { now: number; rateWindowMs: number; pollIntervalMs: number } & Only,
): Promise<Summary | null> {
  return summaryOf(db, opts);
}

async function summaryOf(
  db: Db,
  opts: { now: number; rateWindowMs: number; pollIntervalMs: number } & Only,
): Promise<Summary | null> {
  const mine = ofSource(opts.source);
  // Heard from last: a merchant that never polled successfully has been silent since it was added.
  const heard = sql<number>`coalesce(last_polled_at, created_at)`;
  const silent = sql<boolean>`enabled = 1 and last_error is not null and ${heard} < ${
    opts.now - NOT_REPORTING_AFTER_POLLS * opts.pollIntervalMs
  }`;
  const merchants = await db
    .selectFrom("merchants")
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      eb.fn.coalesce(eb.fn.sum<number>("enabled"), eb.lit(0)).as("active"),
      sql<number>`coalesce(sum(case when enabled = 1 and last_error is null then 1 end), 0)`.as("reporting"),
      sql<number | null>`max(case when enabled = 1 then last_polled_at end)`.as("lastPolled"),
      sql<number>`coalesce(sum(case when ${silent} then 1 end), 0)`.as("silent"),
      sql<number | null>`max(case when ${silent} then ${heard} end)`.as("silentSince"),
      sql<number>`coalesce(sum(case when ${mine} then total_transactions end), 0)`.as("transactions"),
      sql<number>`coalesce(sum(case when ${mine} then total_volume_sats end), 0)`.as("volume"),
    ])
    .where(ofMerchant(opts.merchantId, sql.ref("id")))
    .executeTakeFirstOrThrow();
  if (opts.merchantId !== undefined && Number(merchants.total) === 0) return null;
  const products = await db
    .selectFrom("products")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("active", "=", 1)
    .where("deleted", "=", 0)
    .where(ofMerchant(opts.merchantId))
    .executeTakeFirstOrThrow();
  const recent = await salesTotalSince(db, opts.now - opts.rateWindowMs, opts);
  const fiat = await db
    .selectFrom("fiat_totals")
    .select((eb) => ["currency", eb.fn.sum<number>("amount").as("amount")])
    .where(ofSourceMerchants(opts.source))
    .where(ofMerchant(opts.merchantId))
    .groupBy("currency")
    .orderBy("currency")
    .execute();

  const doors = await sinceDoors(db, opts, salesTotalSince);
  const transactions = Number(merchants.transactions);
  const volume = Number(merchants.volume);
  const minutes = opts.rateWindowMs / 60_000;
  return {
    total_transactions: transactions,
    total_volume_sats: volume,
    average_transaction_size: transactions === 0 ? 0 : round2(volume / transactions),
    active_merchants: Number(merchants.active),
    reporting_merchants: Number(merchants.reporting),
    total_merchants: Number(merchants.total),
    unique_products: Number(products.n),
    transactions_per_minute: round2(recent.transactions / minutes),
    volume_per_minute: round2(recent.volumeSats / minutes),
    rate_window_seconds: opts.rateWindowMs / 1000,
    fiat_volume: fiat.map((f) => ({ currency: f.currency, amount: round2(Number(f.amount)) })),
    ...freshness(merchants),
    ...(doors ? { since_doors: doors } : {}),
  };
}

/** The summary's optional freshness fields, each present only when it has a value. */
function freshness(m: { lastPolled: number | null; silent: number; silentSince: number | null }) {
  const silent = Number(m.silent);
  return {
    ...(m.lastPolled === null ? {} : { last_polled_at: rfc3339(Number(m.lastPolled)) }),
    ...(silent === 0 || m.silentSince === null
      ? {}
      : { not_reporting_merchants: silent, not_reporting_since: rfc3339(Number(m.silentSince)) }),
  };
}

/** Sales dated at or after `sinceMs`: raw, minute and hour parts (see windowSplit) in one query. */
async function salesTotalSince(
  db: Db,
  sinceMs: number,
  { source, merchantId }: Only,
): Promise<{ transactions: number; volumeSats: number }> {
  const w = windowSplit(sinceMs);
  const raw = db
    .selectFrom("transactions")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("amount_sats").as("volume")])
    .where("sale_date", ">=", sinceMs)
    .where("sale_date", "<", w.rawUntil)
    .where(ofSource(source))
    .where(ofMerchant(merchantId));
  const minutes = db
    .selectFrom("sales_by_minute")
    .select((eb) => [
      eb.fn.sum<number>("transactions").as("n"),
      eb.fn.sum<number>("volume_sats").as("volume"),
    ])
    .where("minute", ">=", w.minutesFrom)
    .where("minute", "<", w.hoursFrom)
    .where(w.minutesCovered)
    .where(ofSourceMerchants(source))
    .where(ofMerchant(merchantId));
  const hours = db
    .selectFrom("sales_by_hour")
    .select((eb) => [
      eb.fn.sum<number>("transactions").as("n"),
      eb.fn.sum<number>("volume_sats").as("volume"),
    ])
    .where("hour", ">=", w.hoursFrom)
    .where(ofSourceMerchants(source))
    .where(ofMerchant(merchantId));
  const row = await db
    .selectFrom(raw.unionAll(minutes).unionAll(hours).as("w"))
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("w.n"), eb.lit(0)).as("n"),
      eb.fn.coalesce(eb.fn.sum<number>("w.volume"), eb.lit(0)).as("volume"),
    ])
    .executeTakeFirstOrThrow();
  return { transactions: Number(row.n), volumeSats: Number(row.volume) };
}

/** The ticker as `/v1/ticker` reads it: null when the merchant asked for does not exist. */
export async function readTicker(db: Db, args: { limit: number } & Only): Promise<TickerRow[] | null> {
  if (args.merchantId !== undefined && !(await merchantExists(db, args.merchantId))) return null;
  return getTicker(db, args.limit, args.source, args.merchantId);
}

/** A ticker row's columns, of `transactions as t` joined to `merchants as m` (toTickerRow's input). */
export const TICKER_COLUMNS = [
  "t.sale_id",
  "t.merchant_id",
  "m.alias as merchant_alias",
  "t.amount_sats",
  "t.sale_date",
  "t.fiat_amount",
  "t.currency",
  "t.source",
  "t.external_id",
] as const;

/**
 * Newest sales first; a source's through its (source, sale_date) index, a merchant's through its
 * (merchant_id, sale_date) one, as far as `limit` rows.
 */
export async function getTicker(
  db: Db,
  limit: number,
  source?: Source,
  merchantId?: string,
): Promise<TickerRow[]> {
  const rows = await db
    .selectFrom("transactions as t")
    .innerJoin("merchants as m", "m.id", "t.merchant_id")
    .select(TICKER_COLUMNS)
    .where(ofSource(source, sql.ref("t.source")))
    .where(ofMerchant(merchantId, sql.ref("t.merchant_id")))
    .orderBy("t.sale_date", "desc")
    .orderBy("t.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toTickerRow);
}

/**
 * Merchants ranked by the metric, the other metric and then the id breaking ties so the order is
 * stable between refreshes. `sinceMs` null means all time (running totals, no scan of sales).
 */
export async function getMerchantLeaderboard(
  db: Db,
  opts: { metric: Metric; sinceMs: number | null; limit: number; source?: Source },
): Promise<MerchantStanding[]> {
  const [first, second] = rankingColumns(opts.metric);
  if (opts.sinceMs === null) {
    const rows = await db
      .selectFrom("merchants")
      .select([
        "id as merchant_id",
        "alias",
        "total_transactions as transactions",
        "total_volume_sats as volume_sats",
      ])
      .where("total_transactions", ">", 0)
      .where(ofSource(opts.source))
      .orderBy(first, "desc")
      .orderBy(second, "desc")
      .orderBy("id")
      .limit(opts.limit)
      .execute();
    return rows;
  }
  const rows = await db
    .selectFrom(merchantSalesSince(db, opts.sinceMs, opts.source).as("w"))
    .innerJoin("merchants as m", "m.id", "w.merchant_id")
    .select((eb) => [
      "w.merchant_id",
      "m.alias",
      eb.fn.sum<number>("w.transactions").as("transactions"),
      eb.fn.sum<number>("w.volume_sats").as("volume_sats"),
    ])
    .groupBy(["w.merchant_id", "m.alias"])
    .orderBy(first, "desc")
    .orderBy(second, "desc")
    .orderBy("w.merchant_id")
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    transactions: Number(r.transactions),
    volume_sats: Number(r.volume_sats),
  }));
}

/** Per merchant, rows that add up to its sales dated at or after `sinceMs` (the split of salesTotalSince). */
function merchantSalesSince(db: Db, sinceMs: number, source: Source) {
  const w = windowSplit(sinceMs);
  const raw = db
    .selectFrom("transactions")
    .select((eb) => [
      "merchant_id",
      eb.fn.countAll<number>().as("transactions"),
      eb.fn.sum<number>("amount_sats").as("volume_sats"),
    ])
    .where("sale_date", ">=", sinceMs)
    .where("sale_date", "<", w.rawUntil)
    .where(ofSource(source))
    .groupBy("merchant_id");
  const minutes = db
    .selectFrom("sales_by_minute")
    .select(["merchant_id", "transactions", "volume_sats"])
    .where("minute", ">=", w.minutesFrom)
    .where("minute", "<", w.hoursFrom)
    .where(w.minutesCovered)
    .where(ofSourceMerchants(source));
  const hours = db
    .selectFrom("sales_by_hour")
    .select(["merchant_id", "transactions", "volume_sats"])
    .where("hour", ">=", w.hoursFrom)
    .where(ofSourceMerchants(source));
  return raw.unionAll(minutes).unionAll(hours);
}
