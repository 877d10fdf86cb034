import type { FiatVolume, SinceDoors } from "../contract/index.js";
import { rfc3339 } from "../time/instant.js";
import type { Db } from "./db.js";
import { doorsOpenedAt } from "./event.js";
import { round2 } from "./shapes.js";
import { type Only, ofMerchant, ofSource } from "./source-filter.js";

/** Sales dated at or after an instant, from raw sales and rollups (dashboard.ts salesTotalSince). */
type SalesTotalSince = (
  db: Db,
  sinceMs: number,
  only: Only,
) => Promise<{ transactions: number; volumeSats: number }>;

/**
 * The summary's since-doors totals, or undefined while the doors time is not set. Counts and sats come
 * from the rollups (as cheap as the rate window). Fiat has no rollup: it adds up the raw sales since the
 * doors opened through the sale_date index, so it costs as many rows as the day has sales (a few
 * thousand at an event; an all-time summary never pays it).
 */
export async function sinceDoors(
  db: Db,
  only: Only,
  salesTotalSince: SalesTotalSince,
): Promise<SinceDoors | undefined> {
  const doors = await doorsOpenedAt(db);
  if (doors === null) return undefined;
  const total = await salesTotalSince(db, doors, only);
  return {
    doors_opened_at: rfc3339(doors),
    total_transactions: total.transactions,
    total_volume_sats: total.volumeSats,
    average_transaction_size: total.transactions === 0 ? 0 : round2(total.volumeSats / total.transactions),
    fiat_volume: await fiatOfSales(db, doors, undefined, only),
  };
}

/** Fiat by currency of the raw sales dated in [fromMs, toMs) (no end: up to now), through sale_date. */
export async function fiatOfSales(
  db: Db,
  fromMs: number,
  toMs: number | undefined,
  only: Only,
): Promise<FiatVolume[]> {
  let q = db
    .selectFrom("transactions")
    .select((eb) => ["currency", eb.fn.sum<number>("fiat_amount").as("amount")])
    .where("sale_date", ">=", fromMs)
    .where("currency", "is not", null)
    .where("fiat_amount", "is not", null)
    .where(ofSource(only.source))
    .where(ofMerchant(only.merchantId));
  if (toMs !== undefined) q = q.where("sale_date", "<", toMs);
  const fiat = await q.groupBy("currency").orderBy("currency").execute();
  return fiat.map((f) => ({ currency: f.currency ?? "", amount: round2(Number(f.amount)) }));
}
