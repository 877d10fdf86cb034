/**
 * The ingest hot path's writes and reads, whatever the engine: every poll, streamed batch and webhook
 * sale goes through these, so their number per poll must not grow with its sales. Each method takes a
 * whole batch (a poll's sales, its hours, its products) and is one statement's round trip or a few on
 * an engine that pays one per statement (PostgreSQL), never one per sale. Everything is async for that
 * engine's sake; SQLite's implementation (sqlite-poll-writes.ts) runs synchronous prepared statements.
 * An instance is bound to the transaction it writes in (WriterDb.pollWrites(trx)): an engine with a
 * pool must run each statement on that transaction's own connection.
 */

import type { IncomingSale, ProductFigures } from "./poll-contents.js";

/** The merchant's state an unchanged poll looks at. */
export interface MerchantPollState {
  alias: string;
  body_digest: string | null;
  last_error: string | null;
}

/** What one bucket (hour or minute) of a merchant's sales adds to its rollup. */
export interface BucketSums {
  bucket: number;
  transactions: number;
  volumeSats: number;
}

/** What one product's sales in one bucket add to its rollup. */
export interface ProductBucketSums extends BucketSums {
  productId: number;
}

/** What a product's sales add to its all-time sums. */
export interface ProductSums {
  productId: number;
  transactions: number;
  volumeSats: number;
}

/** A successful poll's poll state and what its sales add to the merchant's running totals. */
export interface PollRecord {
  transactions: number;
  volumeSats: number;
  now: number;
  /** The body's digest; null keeps the stored one (a keyed source has none). */
  digest: string | null;
  /** Malformed rows the answer had; null keeps last time's count (an unchanged body). */
  skipped: number | null;
}

/** One outgoing webhook delivery to enqueue (outbox.ts). */
export interface Delivery {
  deliveryId: string;
  webhookId: number;
  event: string;
  body: string;
  /** When it is enqueued and first due. */
  at: number;
}

export interface PollWrites {
  /** The merchant's alias and poll state, undefined when it does not exist (deleted meanwhile). */
  merchantPollState(merchantId: string): Promise<MerchantPollState | undefined>;
  /** Poll times of unchanged polls (merchant id to time); a time never moves a merchant's back. */
  stamp(times: ReadonlyMap<string, number>): Promise<void>;

  /** The highest stored sale id of the merchant, null when it has none. */
  maxSaleId(merchantId: string): Promise<number | null>;
  /** How many sales are stored with ids in lo..hi (inclusive), and the sum of their ids. */
  storedBlock(merchantId: string, lo: number, hi: number): Promise<{ n: number; sum: number }>;
  /** Which of these sale ids are stored already. */
  storedSales(merchantId: string, saleIds: readonly number[]): Promise<Set<number>>;
  /**
   * Stores the sales of a PayWithFlash poll with their lines; one already stored (another writer's,
   * or a duplicate within `sales`) is skipped, not an error. Resolves to the sales this call really
   * inserted, in the order given (the array itself when it inserted them all): rollups, totals,
   * deliveries and ticker rows are computed from them only, so no sale counts twice.
   */
  insertSales(merchantId: string, sales: IncomingSale[], now: number): Promise<IncomingSale[]>;

  addToHourRollups(merchantId: string, hours: readonly BucketSums[]): Promise<void>;
  addToProductHourRollups(merchantId: string, hours: readonly ProductBucketSums[]): Promise<void>;
  addToProductTotals(merchantId: string, products: readonly ProductSums[]): Promise<void>;
  /** Where the minute rollups' covered span starts (epoch ms): later sales are in them. */
  minuteCoverage(): Promise<number>;
  /** Moves the covered span's start up to `from` and drops the minutes before it. */
  moveMinuteCoverage(from: number): Promise<void>;
  addToMinuteRollups(merchantId: string, minutes: readonly BucketSums[]): Promise<void>;
  addToProductMinuteRollups(merchantId: string, minutes: readonly ProductBucketSums[]): Promise<void>;

  /** Adds to the merchant's fiat totals, per currency. */
  addToFiatTotals(merchantId: string, amounts: ReadonlyMap<string, number>): Promise<void>;
  /** Adds to the merchant's running totals (a streamed poll's batch, a webhook sale). */
  addToTotals(merchantId: string, transactions: number, volumeSats: number): Promise<void>;
  /** Adds to the running totals and records a successful poll (time, digest, error cleared). */
  recordPoll(merchantId: string, poll: PollRecord): Promise<void>;
  /** Replaces the stored product figures with these; resolves whether any row changed. */
  upsertProducts(merchantId: string, products: readonly ProductFigures[], now: number): Promise<boolean>;

  /** The webhooks subscribed to sales, with when each was registered. */
  saleHooks(): Promise<{ id: number; created_at: number }[]>;
  enqueueDeliveries(deliveries: readonly Delivery[]): Promise<void>;
  /** Whether any milestone is enabled and not triggered yet (most polls then skip the milestone check). */
  armedMilestones(): Promise<boolean>;
}
