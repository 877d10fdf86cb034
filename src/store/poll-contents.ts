/**
 * What a poll of a point-of-sale source brings, in the product's words: the merchant's sales with their
 * lines, and its product figures. Every source (PayWithFlash today; BTCPay, LNbits later) maps its own
 * answer to these and writes it through the same poll transaction (poll-transaction.ts).
 */

/** One line of a sale: a product, how many, at what unit price. */
export interface SaleLine {
  productId: number;
  name: string;
  quantity: number;
  unitSats: number;
}

/** A sale as the source reports it; its id is unique per merchant. */
export interface IncomingSale {
  saleId: number;
  /** Where the sale was made (the source's channel name, lower case; "unknown" when it gives none). */
  origin: string;
  /** UTC epoch milliseconds. */
  date: number;
  amountSats: number;
  fiatAmount: number | null;
  currency: string | null;
  lines: SaleLine[];
}

/**
 * A sale of a source keyed by strings (a BTCPay invoice id, an LNbits payment hash): `externalId` is its
 * identity, and `saleId` the number it would rather be stored under (the store picks the next free
 * one when another key holds it).
 */
export interface KeyedSale extends IncomingSale {
  externalId: string;
}

/**
 * A sale the source has taken back (a BTCPay invoice marked invalid, possibly after it was settled and
 * stored): the store removes it if it holds it, and ignores it otherwise.
 */
export interface WithdrawnSale {
  externalId: string;
  saleId: number;
  reason: string;
}

/** A product with the source's cumulative figures, which replace the stored ones on every poll. */
export interface ProductFigures {
  productId: number;
  name: string;
  currency: string | null;
  price: string | null;
  totalTransactions: number;
  totalUnitsSold: number;
  totalRevenueSats: number;
  active: boolean;
  deleted: boolean;
}

/** A merchant's whole history as one poll returned it. */
export interface PollContents {
  sales: IncomingSale[];
  products: ProductFigures[];
  /** Malformed rows the answer had, which the parse skipped (the admin's data health shows them). */
  skippedCount?: number;
}

/** A body byte-for-byte equal to the one stored last time: only its digest, not parsed again. */
export interface UnchangedPoll {
  unchanged: true;
  digest: string;
}

/**
 * What a poll brought: its contents, or only the digest of a body identical to the one stored last
 * time (the client skips parsing it). `digest` is stored so the next identical body can be skipped.
 */
export type FetchedPoll = (PollContents & { unchanged?: false; digest?: string }) | UnchangedPoll;
