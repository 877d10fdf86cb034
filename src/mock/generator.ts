/**
 * The mock's data model: merchants, catalogues, sales and their ground truth. Pure (no I/O, no
 * timers); the clock is injected so tests can pin every date.
 */
import { buildCatalogue, type Product, pickWeighted } from "./catalogue.js";
import type {
  GroundTruth,
  GroundTruthLine,
  GroundTruthSale,
  MarketOptions,
  Merchant,
  SaleLineSpec,
  SaleSpec,
} from "./model.js";
import { merchantIdentity } from "./profiles.js";
import { intBetween, logUniform, poisson, type Rng, stochasticRound, stream } from "./random.js";
import { SaleStore } from "./sale-store.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The start-up history holds this many minutes' worth of each merchant's rate, spread over the past
 * hour: ~50 sales over the 20 profiles, so a dashboard starts non-empty yet visibly fills up.
 */
const HISTORY_RATE_MINUTES = 3;

export class Market {
  readonly merchants: Merchant[] = [];
  private readonly byId = new Map<string, Merchant>();
  private readonly now: () => number;
  private readonly ratePhases: [number, number];
  private readonly picked = new Int32Array(64);

  constructor(opts: MarketOptions) {
    this.now = opts.now;
    const rateRng = stream(opts.seed, "exchange-rate");
    this.ratePhases = [rateRng() * 2 * Math.PI, rateRng() * 2 * Math.PI];
    const start = Math.floor(this.now());
    const offset = opts.saleIdOffset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid saleIdOffset ${offset}`);
    for (let i = 0; i < opts.merchants; i++) {
      const identity = merchantIdentity(i);
      const rng = stream(opts.seed, "merchant", i);
      // Ids leave room for the largest catalogue so product ids are unique across merchants.
      const catalogue = buildCatalogue(rng, identity.profile, 400 + i * 60);
      const merchant: Merchant = {
        ...identity,
        numericId: Number(identity.id),
        createdAt: start - intBetween(rng, 30, 400) * DAY - intBetween(rng, 0, DAY - 1),
        createdMicros: intBetween(rng, 0, 999),
        walletId: 3000 + i * 3 + intBetween(rng, 0, 2),
        catalogue,
        productById: new Map(catalogue.products.map((p) => [p.id, p])),
        sales: new SaleStore(),
        servedFrom: 0,
        servedSats: 0,
        // Each merchant numbers its own sales and the ranges overlap on purpose: only
        // (merchant, SaleId) identifies a sale, and a client that forgets that should see it fail.
        nextSaleId: offset + intBetween(rng, 1000, 1999),
        version: 0,
        rng,
        // Its own stream, so live sales never depend on addSale/addHistory/tick calls in between.
        liveRng: stream(opts.seed, "live", i),
      };
      this.merchants.push(merchant);
      this.byId.set(merchant.id, merchant);
    }
  }

  /** Demo exchange rate: about 1,000 sats per USD, a few percent of slow and faster drift. */
  satsPerUsd(t: number): number {
    const slow = Math.sin((2 * Math.PI * t) / (6 * HOUR) + this.ratePhases[0]);
    const fast = Math.sin((2 * Math.PI * t) / (37 * MINUTE) + this.ratePhases[1]);
    return 1000 * (1 + 0.03 * slow + 0.01 * fast);
  }

  find(id: string): Merchant | undefined {
    return this.byId.get(id);
  }

  need(id: string): Merchant {
    const m = this.byId.get(id);
    if (m === undefined) throw new RangeError(`unknown mock merchant "${id}"`);
    return m;
  }

  /** The start-up history: a few minutes' worth of each rate, dated within the past hour. */
  seedHistory(): number {
    const now = Math.floor(this.now());
    let added = 0;
    for (const m of this.merchants) {
      const n = stochasticRound(m.rng, m.profile.salesPerMinute * HISTORY_RATE_MINUTES);
      added += this.generateMany(m, n, now, HOUR);
    }
    return added;
  }

  /**
   * One generation step: every merchant gets a Poisson number of sales for its rate over
   * `elapsedMs × speed`, dated within the last `elapsedMs` of real time, never after now.
   */
  tick(elapsedMs: number, speed: number): number {
    const now = Math.floor(this.now());
    let added = 0;
    for (const m of this.merchants) {
      const n = poisson(m.rng, (m.profile.salesPerMinute * speed * elapsedMs) / MINUTE);
      added += this.generateMany(m, n, now, elapsedMs);
    }
    return added;
  }

  /** One slot of live sales in (end − spanMs, end], from the merchants' live streams only (see live.ts). */
  liveSlot(end: number, spanMs: number, speed: number): number {
    let added = 0;
    for (const m of this.merchants) {
      const n = poisson(m.liveRng, (m.profile.salesPerMinute * speed * spanMs) / MINUTE);
      added += this.generateMany(m, n, end, spanMs, m.liveRng);
    }
    return added;
  }

  /** Bulk-loads `count` past sales dated within `spanMs` before now (benchmarks, big histories). */
  addHistory(merchantId: string, count: number, spanMs: number): number {
    const m = this.need(merchantId);
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`invalid history count ${count}`);
    if (!(spanMs >= 0) || !Number.isFinite(spanMs)) throw new RangeError(`invalid history span ${spanMs}`);
    const s = m.sales;
    s.reserve(s.length + count, s.lineLength + Math.ceil(count * m.profile.maxLines * 0.6) + 64);
    return this.generateMany(m, count, Math.floor(this.now()), spanMs);
  }

  addSale(merchantId: string, spec: SaleSpec = {}): GroundTruthSale {
    const m = this.need(merchantId);
    const now = Math.floor(this.now());
    const date = spec.date ?? now;
    if (!Number.isFinite(date) || date > now) throw new RangeError(`sale date ${date} is not a past instant`);
    if (spec.amountSats !== undefined && spec.lines !== undefined) {
      throw new RangeError("a sale has either amountSats or lines, not both");
    }
    if (spec.amountSats !== undefined) {
      const sats = spec.amountSats;
      if (!Number.isSafeInteger(sats) || sats <= 0) throw new RangeError(`invalid amountSats ${sats}`);
      const cents = Math.max(1, Math.round((sats * 100) / this.satsPerUsd(date)));
      m.sales.push(m.nextSaleId++, date, sats, cents);
      this.afterAppend(m, sats);
    } else if (spec.lines !== undefined) {
      this.appendLines(m, date, spec.lines);
    } else {
      this.generateSale(m, date);
    }
    return this.saleTruth(m, m.sales.length - 1);
  }

  /** Forgets the merchant's served sales; products and their cumulative stats stay. */
  reset(merchantId: string): number {
    const m = this.need(merchantId);
    const forgotten = m.sales.length - m.servedFrom;
    m.servedFrom = m.sales.length;
    m.servedSats = 0;
    m.version++;
    return forgotten;
  }

  truth(merchantId?: string): GroundTruth {
    const list = merchantId === undefined ? this.merchants : [this.need(merchantId)];
    return {
      merchants: list.map((m) => ({
        id: m.id,
        publicKey: m.publicKey,
        name: m.name,
        createdAt: m.createdAt,
        products: m.catalogue.products.map((p) => ({
          productId: p.id,
          name: p.name,
          active: p.active,
          price: p.priceCents / 100,
          totalTransactions: p.totalTransactions,
          totalUnitsSold: p.totalUnitsSold,
          totalRevenueSats: p.totalRevenueSats,
          totalRevenueFiat: p.totalRevenueCents / 100,
        })),
        sales: Array.from({ length: m.sales.length }, (_, i) => this.saleTruth(m, i)),
      })),
    };
  }

  saleTruth(m: Merchant, i: number): GroundTruthSale {
    const s = m.sales;
    const start = s.lineStart[i] as number;
    const lines: GroundTruthLine[] = [];
    for (let j = start; j < start + (s.lineCount[i] as number); j++) {
      const p = m.catalogue.products[s.lineProduct[j] as number] as Product;
      lines.push({
        productId: p.id,
        name: p.name,
        quantity: s.lineQuantity[j] as number,
        unitSats: s.lineUnitSats[j] as number,
        unitPrice: p.priceCents / 100,
      });
    }
    return {
      merchantId: m.id,
      saleId: s.ids[i] as number,
      date: s.dates[i] as number,
      amountSats: s.sats[i] as number,
      fiatAmount: (s.cents[i] as number) / 100,
      currency: "usd",
      lines,
      served: i >= m.servedFrom,
    };
  }

  /** `n` sales dated uniformly in (end − span, end], appended in date order so ids rise with time. */
  private generateMany(m: Merchant, n: number, end: number, spanMs: number, rng: Rng = m.rng): number {
    if (n <= 0) return 0;
    const dates = new Float64Array(n);
    for (let k = 0; k < n; k++) dates[k] = end - Math.floor(rng() * spanMs);
    dates.sort();
    for (let k = 0; k < n; k++) this.generateSale(m, dates[k] as number, rng);
    return n;
  }

  private generateSale(m: Merchant, date: number, rng: Rng = m.rng): void {
    const { profile, catalogue } = m;
    const rate = this.satsPerUsd(date);
    if (rng() < profile.anonymousShare || catalogue.active.length === 0) {
      const dollars = logUniform(rng, profile.priceMin, profile.priceMax * 1.5);
      const cents = Math.max(1, Math.round(dollars * 100));
      const sats = Math.max(1, Math.round((cents * rate) / 100));
      m.sales.push(m.nextSaleId++, date, sats, cents);
      this.afterAppend(m, sats);
      return;
    }
    // Most baskets hold one or two products; the product of two uniforms skews towards small.
    const wanted = Math.min(1 + Math.floor(rng() * rng() * profile.maxLines), catalogue.active.length);
    const picked = this.picked;
    let count = 0;
    for (let attempt = 0; count < wanted && attempt < wanted * 4; attempt++) {
      const product = catalogue.active[pickWeighted(catalogue.cumulative, rng())] as number;
      let duplicate = false;
      for (let k = 0; k < count; k++) if (picked[k] === product) duplicate = true;
      if (!duplicate) picked[count++] = product;
    }
    const i = m.sales.push(m.nextSaleId++, date, 0, 0);
    let sats = 0;
    let cents = 0;
    for (let k = 0; k < count; k++) {
      const p = catalogue.products[picked[k] as number] as Product;
      const r = rng();
      const quantity = 1 + Math.floor(r * r * profile.maxQuantity);
      const line = this.recordLine(m, p, quantity, rate);
      sats += line;
      cents += quantity * p.priceCents;
    }
    m.sales.setTotals(i, sats, cents);
    this.afterAppend(m, sats);
  }

  private appendLines(m: Merchant, date: number, lines: SaleLineSpec[]): void {
    if (lines.length === 0 || lines.length > 1000) throw new RangeError("a product sale needs 1–1000 lines");
    const products = lines.map(({ productId, quantity }) => {
      const p = m.productById.get(productId);
      if (p === undefined) throw new RangeError(`merchant ${m.id} has no product ${productId}`);
      if (!p.active) throw new RangeError(`product ${productId} is inactive and cannot be sold`);
      if (!Number.isSafeInteger(quantity) || quantity <= 0)
        throw new RangeError(`invalid quantity ${quantity}`);
      return p;
    });
    const rate = this.satsPerUsd(date);
    const i = m.sales.push(m.nextSaleId++, date, 0, 0);
    let sats = 0;
    let cents = 0;
    products.forEach((p, k) => {
      const quantity = (lines[k] as SaleLineSpec).quantity;
      sats += this.recordLine(m, p, quantity, rate);
      cents += quantity * p.priceCents;
    });
    m.sales.setTotals(i, sats, cents);
    this.afterAppend(m, sats);
  }

  /** Unit sats are whole so a sale's total is exactly the sum of its lines. */
  private recordLine(m: Merchant, p: Product, quantity: number, rate: number): number {
    const unitSats = Math.max(1, Math.round((p.priceCents * rate) / 100));
    m.sales.pushLine(p.index, quantity, unitSats);
    p.totalTransactions += 1;
    p.totalUnitsSold += quantity;
    p.totalRevenueSats += quantity * unitSats;
    p.totalRevenueCents += quantity * p.priceCents;
    return quantity * unitSats;
  }

  private afterAppend(m: Merchant, sats: number): void {
    m.servedSats += sats;
    m.version++;
  }
}
