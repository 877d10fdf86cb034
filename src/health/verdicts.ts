/**
 * The admin's data health verdicts (GET /v1/admin/data-health), pure: how fresh a merchant's data is
 * against the interval its poller keeps to now, and whether its stored sales agree with the product
 * totals its source reports. The store reads the figures; store/shapes.ts puts these beside them.
 */

/**
 * fresh: its latest poll succeeded, at most FRESH_WITHIN effective intervals ago; late: its last
 * success is at most LATE_WITHIN effective intervals old (older than fresh, or its latest poll failed
 * and the backoff explains the wait); stale: older. never: polled but never successfully; not_polled:
 * disabled, or fed by a webhook (nothing is polled, so there is no interval to be late against).
 */
export type Freshness = "fresh" | "late" | "stale" | "never" | "not_polled";

/** One interval, plus a poll cycle's own length and the stamp of an unchanged poll written at its end. */
export const FRESH_WITHIN = 2;
/** Two or three polls missed: worth a look before the screens show it. */
export const LATE_WITHIN = 4;

export interface FreshnessInput {
  /** Whether the poller reads the merchant on its schedule (enabled and of a polled source). */
  polled: boolean;
  /** Its last successful poll (epoch ms), null when none ever succeeded. */
  lastPolledAt: number | null;
  /** Whether its latest poll failed (consecutive failures > 0). */
  failing: boolean;
  now: number;
  /** POLL_INTERVAL plus the longest wait its backoff gives after its consecutive failures. */
  effectiveIntervalMs: number;
}

export function freshness(f: FreshnessInput): Freshness {
  if (!f.polled) return "not_polled";
  if (f.lastPolledAt === null) return "never";
  const age = Math.max(0, f.now - f.lastPolledAt);
  if (!f.failing && age <= FRESH_WITHIN * f.effectiveIntervalMs) return "fresh";
  if (age <= LATE_WITHIN * f.effectiveIntervalMs) return "late";
  return "stale";
}

/** One product's figures: the source's cumulative ones, or what the stored sales add up to. */
export interface ProductFigure {
  productId: number;
  name: string;
  transactions: number;
  revenueSats: number;
}

export interface ProductDifference {
  productId: number;
  name: string;
  source: { transactions: number; revenueSats: number };
  stored: { transactions: number; revenueSats: number };
}

export interface ProductComparison {
  verdict: "agree" | "disagree";
  /** Products on either side. */
  compared: number;
  /** Every product whose figures differ, largest sats difference first. */
  differences: ProductDifference[];
  /** Stored minus source, summed over every product. */
  transactionsDifference: number;
  revenueSatsDifference: number;
}

/**
 * Compares the source's product totals with the stored sales' (the product rollups), product by
 * product: a product on one side only counts as zero on the other. Names come from the source's
 * catalogue when it lists the product, else from the stored side.
 */
export function compareProducts(
  source: readonly ProductFigure[],
  stored: readonly ProductFigure[],
): ProductComparison {
  const byId = new Map<number, ProductDifference>();
  const entry = (p: ProductFigure) => {
    let e = byId.get(p.productId);
    if (!e) {
      e = { productId: p.productId, name: p.name, source: zero(), stored: zero() };
      byId.set(p.productId, e);
    }
    return e;
  };
  for (const p of source) add(entry(p).source, p);
  for (const p of stored) add(entry(p).stored, p);
  const differences: ProductDifference[] = [];
  let transactionsDifference = 0;
  let revenueSatsDifference = 0;
  for (const e of byId.values()) {
    const dt = e.stored.transactions - e.source.transactions;
    const ds = e.stored.revenueSats - e.source.revenueSats;
    transactionsDifference += dt;
    revenueSatsDifference += ds;
    if (dt !== 0 || ds !== 0) differences.push(e);
  }
  differences.sort((a, b) => satsGap(b) - satsGap(a) || txGap(b) - txGap(a) || a.productId - b.productId);
  return {
    verdict: differences.length === 0 ? "agree" : "disagree",
    compared: byId.size,
    differences,
    transactionsDifference,
    revenueSatsDifference,
  };
}

const zero = () => ({ transactions: 0, revenueSats: 0 });
function add(to: { transactions: number; revenueSats: number }, p: ProductFigure): void {
  to.transactions += p.transactions;
  to.revenueSats += p.revenueSats;
}
const satsGap = (d: ProductDifference) => Math.abs(d.stored.revenueSats - d.source.revenueSats);
const txGap = (d: ProductDifference) => Math.abs(d.stored.transactions - d.source.transactions);
