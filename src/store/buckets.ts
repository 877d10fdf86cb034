/**
 * Time buckets of the rollups (UTC hours, and minutes for the recent past) and what a poll's sales add
 * to each bucket. Pure: the poll transaction writes the results with its prepared upserts.
 */

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/**
 * How far back from a poll's time its sales also go into the per-minute rollups. Windows starting
 * within it (5m, 1h) read whole minutes there instead of up to an hour of raw sales; older minutes are
 * dropped, so the minute tables stay at this span of sales whatever the history's length.
 */
export const MINUTE_ROLLUP_SPAN_MS = 2 * HOUR_MS;

/** Start of the bucket holding `ms`; floor, so dates before 1970 land in the right bucket too. */
export function bucketOf(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

/** First bucket boundary at or after `ms`. */
export function nextBoundary(ms: number, bucketMs: number): number {
  return Math.ceil(ms / bucketMs) * bucketMs;
}

/** Sales per bucket: one upsert per bucket the poll touches, however many sales. */
export function salesPerBucket(
  sales: readonly { date: number; amountSats: number }[],
  bucketMs: number,
): Map<number, { transactions: number; volumeSats: number }> {
  const byBucket = new Map<number, { transactions: number; volumeSats: number }>();
  for (const s of sales) {
    const b = bucketOf(s.date, bucketMs);
    const agg = byBucket.get(b);
    if (agg) {
      agg.transactions += 1;
      agg.volumeSats += s.amountSats;
    } else byBucket.set(b, { transactions: 1, volumeSats: s.amountSats });
  }
  return byBucket;
}

/** What one product's lines in one bucket add to a product rollup. */
export interface ProductBucket {
  bucket: number;
  productId: number;
  /** Sales containing the product: a sale listing it twice counts once. */
  transactions: number;
  volumeSats: number;
}

/**
 * Sale lines per bucket and product (one merchant's sales). A sale lies in one bucket, so per-bucket
 * counts of the sales containing a product add up exactly over any run of buckets.
 */
export function productSalesPerBucket(
  sales: readonly {
    date: number;
    lines: readonly { productId: number; quantity: number; unitSats: number }[];
  }[],
  bucketMs: number,
): ProductBucket[] {
  // By bucket, then product: no key string built per line (a first poll can bring millions of lines).
  const byBucket = new Map<number, Map<number, ProductBucket>>();
  const result: ProductBucket[] = [];
  const seenInSale = new Set<number>();
  for (const s of sales) {
    if (s.lines.length === 0) continue;
    const bucket = bucketOf(s.date, bucketMs);
    let products = byBucket.get(bucket);
    if (!products) {
      products = new Map();
      byBucket.set(bucket, products);
    }
    seenInSale.clear();
    for (const l of s.lines) {
      let agg = products.get(l.productId);
      if (!agg) {
        agg = { bucket, productId: l.productId, transactions: 0, volumeSats: 0 };
        products.set(l.productId, agg);
        result.push(agg);
      }
      if (!seenInSale.has(l.productId)) {
        seenInSale.add(l.productId);
        agg.transactions += 1;
      }
      agg.volumeSats += lineSats(l.quantity, l.unitSats);
    }
  }
  return result;
}

/** Above this a double has no fraction, and SQLite's round() returns it as it is. */
const NO_FRACTION_ABOVE = 2 ** 52;

/**
 * A line's sats exactly as SQL's round(quantity * unit_sats) gives them (the raw windowed count):
 * SQLite adds a half and truncates, which Math.round does not match for every double near .5.
 */
export function lineSats(quantity: number, unitSats: number): number {
  const x = quantity * unitSats;
  return x > NO_FRACTION_ABOVE ? x : Math.trunc(x + 0.5);
}
