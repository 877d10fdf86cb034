/** The mock's data: what a sale is asked to be, the merchants, and the ground truth tests compare with. */
import type { Catalogue, Product } from "./catalogue.js";
import type { Profile } from "./profiles.js";
import type { Rng } from "./random.js";
import type { SaleStore } from "./sale-store.js";

export interface SaleLineSpec {
  productId: number;
  quantity: number;
}

export interface SaleSpec {
  /** An amount-only (keypad) sale of this many sats; excludes `lines`. */
  amountSats?: number;
  lines?: SaleLineSpec[];
  /** ms epoch, default now; never after now. */
  date?: number;
}

export interface GroundTruthLine {
  productId: number;
  name: string;
  quantity: number;
  unitSats: number;
  /** Fiat unit price (USD). */
  unitPrice: number;
}

export interface GroundTruthSale {
  merchantId: string;
  saleId: number;
  /** ms epoch. */
  date: number;
  amountSats: number;
  /** USD, to the cent. */
  fiatAmount: number;
  currency: "usd";
  /** Empty for amount-only sales. */
  lines: GroundTruthLine[];
  /** False once a reset made the upstream forget it. */
  served: boolean;
}

export interface GroundTruthProduct {
  productId: number;
  name: string;
  active: boolean;
  price: number;
  totalTransactions: number;
  totalUnitsSold: number;
  totalRevenueSats: number;
  totalRevenueFiat: number;
}

export interface MerchantTruth {
  id: string;
  publicKey: string;
  name: string;
  createdAt: number;
  products: GroundTruthProduct[];
  /** Every sale ever generated, in generation order (ascending SaleId). */
  sales: GroundTruthSale[];
}

export interface GroundTruth {
  merchants: MerchantTruth[];
}

export interface Merchant {
  readonly index: number;
  readonly id: string;
  readonly numericId: number;
  readonly publicKey: string;
  readonly name: string;
  readonly profile: Profile;
  readonly createdAt: number;
  /** Sub-millisecond digits of `created_at`, which upstream prints to the microsecond. */
  readonly createdMicros: number;
  readonly walletId: number;
  readonly catalogue: Catalogue;
  readonly productById: Map<number, Product>;
  readonly sales: SaleStore;
  /** Sales before this index were forgotten by a reset. */
  servedFrom: number;
  servedSats: number;
  nextSaleId: number;
  /** Bumped on every change, so serialised bodies can be cached until then. */
  version: number;
  /** Draws for addSale, addHistory, tick() and the start-up history. */
  readonly rng: Rng;
  /** Draws for the timed live generation only. */
  readonly liveRng: Rng;
}

export interface MarketOptions {
  seed: number;
  merchants: number;
  now: () => number;
  /** Added to every merchant's seeded first SaleId (default 0); see MockUpstreamOptions.saleIdOffset. */
  saleIdOffset?: number;
}
