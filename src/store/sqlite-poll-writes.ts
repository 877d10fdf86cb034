/**
 * PollWrites (poll-seam.ts) on SQLite: the statements prepared once on the writer connection
 * (poll-statements.ts), run synchronously. The one writer connection is every transaction's, so the
 * transaction an instance is bound to needs no passing on: one instance serves them all.
 */
import type { IncomingSale, ProductFigures } from "./poll-contents.js";
import type {
  BucketSums,
  Delivery,
  MerchantPollState,
  PollRecord,
  PollWrites,
  ProductBucketSums,
  ProductSums,
} from "./poll-seam.js";
import type { PollStatements } from "./poll-statements.js";

/** Sales stored between two yields to the event loop. */
const SALE_CHUNK = 2000;
/** Products stored between two yields to the event loop. */
const PRODUCT_CHUNK = 2000;

/** Lets HTTP requests run between the chunks of a big poll; reads use their own connection meanwhile. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SqlitePollWrites implements PollWrites {
  constructor(private readonly st: PollStatements) {}

  async merchantPollState(merchantId: string): Promise<MerchantPollState | undefined> {
    return this.st.merchant.get(merchantId) as MerchantPollState | undefined;
  }

  async stamp(times: ReadonlyMap<string, number>): Promise<void> {
    for (const [id, at] of times) this.st.stamp.run(at, id, at);
  }

  async maxSaleId(merchantId: string): Promise<number | null> {
    return this.st.maxSaleId.get(merchantId) as number | null;
  }

  async storedBlock(merchantId: string, lo: number, hi: number): Promise<{ n: number; sum: number }> {
    return this.st.storedBlock.get(merchantId, lo, hi) as { n: number; sum: number };
  }

  async storedSales(merchantId: string, saleIds: readonly number[]): Promise<Set<number>> {
    // One indexed lookup each is what SQLite does fastest here: no round trip to save.
    const stored = new Set<number>();
    for (const id of saleIds) if (this.st.storedSale.get(merchantId, id) !== undefined) stored.add(id);
    return stored;
  }

  async insertSales(merchantId: string, sales: IncomingSale[], now: number): Promise<IncomingSale[]> {
    // Upstream lists sales newest first. Stored oldest first, every index (merchant + sale id, dates) is
    // appended to at its end instead of split at its start: about 4 % faster on a million-sale history,
    // and the row ids then follow the sale ids (the ticker's tie-break on equal dates).
    const count = sales.length;
    const last = count - 1;
    const backwards = count > 1 && (sales[0] as IncomingSale).saleId > (sales[last] as IncomingSale).saleId;
    const skipped = new Set<IncomingSale>();
    for (let i = 0; i < count; i += SALE_CHUNK) {
      const end = Math.min(i + SALE_CHUNK, count);
      for (let j = i; j < end; j++) {
        const s = sales[backwards ? last - j : j] as IncomingSale;
        if (!this.insertSale(merchantId, s, now)) skipped.add(s);
      }
      if (end < count) await yieldToEventLoop();
    }
    return skipped.size === 0 ? sales : sales.filter((s) => !skipped.has(s));
  }

  /** One sale and its lines; false when the sale was stored already (and its lines with it). */
  private insertSale(merchantId: string, s: IncomingSale, now: number): boolean {
    const st = this.st;
    // Sales are filtered against stored ids first, but another writer's (or a duplicate id in one
    // answer) must never fail the poll, nor count twice.
    const r = st.sale.run(
      merchantId,
      s.saleId,
      s.origin,
      s.date,
      s.amountSats,
      s.fiatAmount,
      s.currency,
      now,
    );
    if (r.changes === 0) return false;
    for (let n = 0; n < s.lines.length; n++) {
      const l = s.lines[n] as IncomingSale["lines"][number];
      st.line.run(merchantId, s.saleId, n, l.productId, l.name, l.quantity, l.unitSats);
    }
    return true;
  }

  async addToHourRollups(merchantId: string, hours: readonly BucketSums[]): Promise<void> {
    for (const h of hours) this.st.addToHour.run(h.bucket, merchantId, h.transactions, h.volumeSats);
  }

  async addToProductHourRollups(merchantId: string, hours: readonly ProductBucketSums[]): Promise<void> {
    for (const p of hours)
      this.st.addToProductHour.run(p.bucket, merchantId, p.productId, p.transactions, p.volumeSats);
  }

  async addToProductTotals(merchantId: string, products: readonly ProductSums[]): Promise<void> {
    for (const p of products)
      this.st.addToProductTotal.run(merchantId, p.productId, p.transactions, p.volumeSats);
  }

  async minuteCoverage(): Promise<number> {
    return this.st.minuteCoverage.get() as number;
  }

  async moveMinuteCoverage(from: number): Promise<void> {
    this.st.setMinuteCoverage.run(from);
    this.st.dropMinutesBefore.run(from);
    this.st.dropProductMinutesBefore.run(from);
  }

  async addToMinuteRollups(merchantId: string, minutes: readonly BucketSums[]): Promise<void> {
    for (const m of minutes) this.st.addToMinute.run(m.bucket, merchantId, m.transactions, m.volumeSats);
  }

  async addToProductMinuteRollups(merchantId: string, minutes: readonly ProductBucketSums[]): Promise<void> {
    for (const p of minutes)
      this.st.addToProductMinute.run(p.bucket, merchantId, p.productId, p.transactions, p.volumeSats);
  }

  async addToFiatTotals(merchantId: string, amounts: ReadonlyMap<string, number>): Promise<void> {
    for (const [currency, amount] of amounts) this.st.addFiat.run(merchantId, currency, amount);
  }

  async addToTotals(merchantId: string, transactions: number, volumeSats: number): Promise<void> {
    this.st.addTotals.run(transactions, volumeSats, merchantId);
  }

  async recordPoll(merchantId: string, p: PollRecord): Promise<void> {
    this.st.recordPoll.run(p.transactions, p.volumeSats, p.now, p.digest, p.skipped, p.skipped, merchantId);
  }

  async upsertProducts(
    merchantId: string,
    products: readonly ProductFigures[],
    now: number,
  ): Promise<boolean> {
    let changed = false;
    for (let i = 0; i < products.length; i++) {
      const p = products[i] as ProductFigures;
      const result = this.st.product.run(
        merchantId,
        p.productId,
        p.name,
        p.currency,
        p.price,
        p.totalTransactions,
        p.totalUnitsSold,
        p.totalRevenueSats,
        p.active ? 1 : 0,
        p.deleted ? 1 : 0,
        now,
      );
      if (result.changes > 0) changed = true;
      if ((i + 1) % PRODUCT_CHUNK === 0 && i + 1 < products.length) await yieldToEventLoop();
    }
    return changed;
  }

  async saleHooks(): Promise<{ id: number; created_at: number }[]> {
    return this.st.saleHooks.all() as { id: number; created_at: number }[];
  }

  async enqueueDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    for (const d of deliveries)
      this.st.enqueueDelivery.run(d.deliveryId, d.webhookId, d.event, d.body, d.at, d.at);
  }

  async armedMilestones(): Promise<boolean> {
    return Boolean(this.st.armedMilestones.get());
  }
}
