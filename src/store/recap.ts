import type {
  MerchantStanding,
  MilestoneTrigger,
  ProductStanding,
  Recap,
  Summary,
  Timeseries,
  TimeseriesBucket,
} from "../contract/index.js";
import { rfc3339 } from "../time/instant.js";
import { HOUR_MS, MINUTE_MS } from "./buckets.js";
import { getMerchantLeaderboard, getSummary } from "./dashboard.js";
import type { Db } from "./db.js";
import { doorsOpenedAt } from "./event.js";
import { listTriggers } from "./milestones.js";
import { getProductLeaderboard } from "./product-leaderboard.js";
import { round2 } from "./shapes.js";
import { fiatOfSales } from "./since-doors.js";
import { getTimeseries } from "./timeseries.js";

const TOP_PRODUCTS = 10;
/** Timeline bucket sizes, smallest first: the first giving at most TIMELINE_BUCKETS buckets is used. */
const TIMELINE_STEPS = [1, 5, 15, 30, 60, 120, 180, 360, 720, 1440, 10080].map((m) => m * MINUTE_MS);
/** About what one printed page's chart shows legibly. */
const TIMELINE_BUCKETS = 96;
const MAX_TRIGGERS = 1000;
/** No limit: SQLite's LIMIT takes a 64-bit integer. */
const EVERY = Number.MAX_SAFE_INTEGER;

export interface RecapArgs {
  now: number;
  rateWindowMs: number;
  pollIntervalMs: number;
  fromMs?: number | undefined;
  toMs?: number | undefined;
}

/**
 * The event's recap over [from, to), from the dashboard's own reads: they count sales dated since an
 * instant (rollups, a minute of raw sales at most), so a range ending before now is the reading since
 * `from` less the reading since `to`, merchant by merchant and product by product. Only fiat, which
 * has no dated rollup, adds up the range's raw sales.
 */
export async function readRecap(db: Db, args: RecapArgs): Promise<Recap> {
  const to = args.toMs ?? args.now;
  let from = args.fromMs ?? (await doorsOpenedAt(db)) ?? (await firstSaleDate(db)) ?? to - HOUR_MS;
  if (from >= to) from = to - HOUR_MS;
  const ended = to < args.now;
  const merchants = await rangeOf(
    (sinceMs) => getMerchantLeaderboard(db, { metric: "transactions", sinceMs, limit: EVERY }),
    (m) => m.merchant_id,
    { from, to, ended },
  );
  const products = await rangeOf(
    (sinceMs) =>
      getProductLeaderboard(db, { metric: "transactions", sinceMs, limit: ended ? EVERY : TOP_PRODUCTS }),
    (p) => `${p.merchant_id} ${p.product_id}`,
    { from, to, ended },
  );
  const timeline = await getTimeseries(db, coveringBuckets(from, to, timelineBucket(to - from)));
  const hourly =
    timeline.bucket_seconds * 1000 === HOUR_MS
      ? timeline
      : await getTimeseries(db, coveringBuckets(from, to, HOUR_MS));
  const summary = await getSummary(db, args);
  return {
    from: rfc3339(from),
    to: rfc3339(to),
    totals: await totals(db, summary, merchants, { from, to }),
    merchants,
    top_products: products.slice(0, TOP_PRODUCTS),
    busiest_hour: busiest(hourly.buckets),
    timeline,
    milestones: await triggersIn(db, from, to),
  };
}

type Standing = MerchantStanding | ProductStanding;

/**
 * A leaderboard over [from, to): the standings since `from`, less those since `to` when the range has
 * ended, re-ranked by transactions, then sats, then key; standings with no sale in the range go.
 */
async function rangeOf<S extends Standing>(
  since: (sinceMs: number) => Promise<S[]>,
  key: (s: S) => string,
  range: { from: number; to: number; ended: boolean },
): Promise<S[]> {
  const rows = await since(range.from);
  if (!range.ended) return rows;
  const later = new Map((await since(range.to)).map((s) => [key(s), s]));
  return rows
    .map((s) => {
      const l = later.get(key(s));
      return l
        ? { ...s, transactions: s.transactions - l.transactions, volume_sats: s.volume_sats - l.volume_sats }
        : s;
    })
    .filter((s) => s.transactions > 0)
    .sort(
      (a, b) =>
        b.transactions - a.transactions ||
        b.volume_sats - a.volume_sats ||
        (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
    );
}

/** The summary's fields over the range: its sales figures, rates as the range's average per minute. */
async function totals(
  db: Db,
  summary: Summary,
  merchants: MerchantStanding[],
  range: { from: number; to: number },
): Promise<Summary> {
  const transactions = merchants.reduce((n, m) => n + m.transactions, 0);
  const volume = merchants.reduce((n, m) => n + m.volume_sats, 0);
  const minutes = (range.to - range.from) / MINUTE_MS;
  return {
    total_transactions: transactions,
    total_volume_sats: volume,
    average_transaction_size: transactions === 0 ? 0 : round2(volume / transactions),
    active_merchants: summary.active_merchants,
    reporting_merchants: summary.reporting_merchants,
    total_merchants: summary.total_merchants,
    unique_products: summary.unique_products,
    transactions_per_minute: round2(transactions / minutes),
    volume_per_minute: round2(volume / minutes),
    rate_window_seconds: (range.to - range.from) / 1000,
    fiat_volume: await fiatOfSales(db, range.from, range.to, {}),
    ...(summary.last_polled_at === undefined ? {} : { last_polled_at: summary.last_polled_at }),
  };
}

async function firstSaleDate(db: Db): Promise<number | undefined> {
  const row = await db
    .selectFrom("transactions")
    .select((eb) => eb.fn.min<number>("sale_date").as("first"))
    .executeTakeFirst();
  return row?.first ?? undefined;
}

function timelineBucket(rangeMs: number): number {
  return TIMELINE_STEPS.find((b) => rangeMs / b <= TIMELINE_BUCKETS) ?? (TIMELINE_STEPS.at(-1) as number);
}

/** getTimeseries' arguments for whole `bucketMs` buckets from the one holding `from` to the one holding to − 1 ms. */
function coveringBuckets(from: number, to: number, bucketMs: number) {
  const first = Math.floor(from / bucketMs) * bucketMs;
  const last = Math.floor((to - 1) / bucketMs) * bucketMs;
  return { now: last, windowMs: last - first + bucketMs, bucketMs };
}

function busiest(buckets: Timeseries["buckets"]): TimeseriesBucket | null {
  let best: TimeseriesBucket | null = null;
  for (const b of buckets) if (b.transactions > (best?.transactions ?? 0)) best = b;
  return best;
}

/** The triggers fired in [from, to), oldest first. */
async function triggersIn(db: Db, from: number, to: number): Promise<MilestoneTrigger[]> {
  const newestFirst = await listTriggers(db, { sinceMs: from, limit: MAX_TRIGGERS });
  return newestFirst.filter((t) => Date.parse(t.triggered_at) < to).reverse();
}
