import { sql } from "kysely";
import { HOUR_MS, MINUTE_MS, MINUTE_ROLLUP_SPAN_MS, nextBoundary } from "./buckets.js";
import type { Db } from "./db.js";

export { HOUR_MS } from "./buckets.js";

/** Start of the UTC hour holding `ms`; floor, so dates before 1970 land in the right hour too. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** First hour boundary at or after `ms`: windows split there into raw sales before and hourly rows after. */
export function nextHourBoundary(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

/** The SQL start of the bucket holding a date column (floor, also before 1970). */
const bucketSql = (column: string, bucketMs: number) =>
  sql`${sql.ref(column)} - ((${sql.ref(column)} % ${bucketMs}) + ${bucketMs}) % ${bucketMs}`;

/**
 * A sale line's sats, rounded as lineSats (buckets.ts) and SQLite's round() do: halves away from zero,
 * in doubles, and a double above 2^52 (no fraction left) as it is. Not round(): PostgreSQL's rounds a
 * double's halves to even (2.5 to 2), and a cast to numeric first keeps only 15 digits. trunc() is
 * in both, and the same double arithmetic gives the same answer on both engines.
 */
const LINE_SATS = sql`case
  when abs(l.quantity * l.unit_sats) > 4503599627370496 then l.quantity * l.unit_sats
  when l.quantity * l.unit_sats < 0 then -trunc(0.5 - l.quantity * l.unit_sats)
  else trunc(l.quantity * l.unit_sats + 0.5) end`;

/**
 * Recomputes every precomputed figure (merchant running totals, fiat totals, hourly and minute rollups)
 * from the stored sales, in one transaction. For bulk loads and repairs; ingest keeps them current.
 */
export async function rebuildDerived(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`
      update merchants set
        total_transactions = coalesce((select count(*) from transactions t where t.merchant_id = merchants.id), 0),
        total_volume_sats = coalesce((select sum(amount_sats) from transactions t where t.merchant_id = merchants.id), 0)
    `.execute(trx);
    await sql`delete from fiat_totals`.execute(trx);
    await sql`
      insert into fiat_totals (merchant_id, currency, amount)
      select merchant_id, currency, sum(fiat_amount) from transactions
      where currency is not null and fiat_amount is not null
      group by merchant_id, currency`.execute(trx);
    await fillBucketRollups(trx, "hour", HOUR_MS, null);
    await sql`delete from product_sales_totals`.execute(trx);
    await sql`
      insert into product_sales_totals (merchant_id, product_id, transactions, volume_sats)
      select merchant_id, product_id, sum(transactions), sum(volume_sats)
      from product_sales_by_hour group by merchant_id, product_id`.execute(trx);
    await fillBucketRollups(trx, "minute", MINUTE_MS, await advanceMinuteCoverageToNewestSale(trx));
  });
}

/**
 * The minute rollups cover sales from a point on (see MINUTE_ROLLUP_SPAN_MS); after a bulk load that is
 * the span before the newest sale, unless polls already covered later. Returns the covered start.
 */
async function advanceMinuteCoverageToNewestSale(trx: Db): Promise<number> {
  const newest = await sql<{ at: number | null }>`select max(sale_date) as at from transactions`.execute(trx);
  const at = newest.rows[0]?.at;
  const from = at === null || at === undefined ? 0 : nextBoundary(at - MINUTE_ROLLUP_SPAN_MS, MINUTE_MS);
  // Never backwards. Not max(a, b): that is an aggregate on PostgreSQL, whose greatest() SQLite lacks.
  await sql`
    update minute_rollup_coverage
    set complete_from = case when complete_from > ${from} then complete_from else ${from} end`.execute(trx);
  const row = await sql<{ from: number }>`select complete_from as "from" from minute_rollup_coverage`.execute(
    trx,
  );
  return row.rows[0]?.from ?? from;
}

/**
 * Refills one level of rollups (hours: `hour`/sales_by_hour and product_sales_by_hour, or minutes) from
 * the stored sales dated at or after `fromMs` (all of them when null). Migrations 0002–0004 hold the
 * same statements, frozen as they shipped.
 */
export async function fillBucketRollups(
  trx: Db,
  level: "hour" | "minute",
  bucketMs: number,
  fromMs: number | null,
): Promise<void> {
  const merchants = sql.table(`sales_by_${level}`);
  const products = sql.table(`product_sales_by_${level}`);
  const column = sql.ref(level);
  const since = fromMs === null ? sql`` : sql`where t.sale_date >= ${fromMs}`;
  await sql`delete from ${merchants}`.execute(trx);
  await sql`
    insert into ${merchants} (${column}, merchant_id, transactions, volume_sats)
    select ${bucketSql("t.sale_date", bucketMs)}, t.merchant_id, count(*), sum(t.amount_sats)
    from transactions t ${since} group by 1, 2`.execute(trx);
  await sql`delete from ${products}`.execute(trx);
  await sql`
    insert into ${products} (${column}, merchant_id, product_id, transactions, volume_sats)
    select ${bucketSql("t.sale_date", bucketMs)}, l.merchant_id, l.product_id,
      count(distinct l.sale_id), sum(${LINE_SATS})
    from sale_lines l join transactions t on t.merchant_id = l.merchant_id and t.sale_id = l.sale_id
    ${since} group by 1, 2, 3`.execute(trx);
}
