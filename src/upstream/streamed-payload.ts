/**
 * The `/user-pos` answer read as it streams in (sales-scanner.ts finds the sales in the chunks), to
 * exactly what parsePosPayload makes of the whole body: the same sales, products and skipped rows,
 * by the same row functions (payload.ts). The sales come out in batches while the body arrives, so
 * a long history is never held whole; the envelope and the products are checked once it has ended.
 */
import type { IncomingSale } from "../store/poll-contents.js";
import {
  arrayField,
  envelopeData,
  type ParsedPoll,
  PayloadError,
  readProducts,
  SaleReader,
} from "./payload.js";
import { SalesScanner } from "./sales-scanner.js";

export class StreamedPayload {
  private readonly reader = new SaleReader();
  private readonly scanner: SalesScanner;
  private batch: IncomingSale[] = [];
  private readonly full: IncomingSale[][] = [];

  /**
   * `batchSize`: sales per batch handed out by `takeBatches`; `maxPartBytes`: most the envelope, or
   * one sale, may hold (OversizedPart past it, body-errors.ts).
   */
  constructor(
    private readonly batchSize: number,
    maxPartBytes?: number,
  ) {
    this.scanner = new SalesScanner((elements, list) => this.take(elements, list), maxPartBytes);
  }

  /** Reads one chunk of the body; throws BodySyntaxError (body-errors.ts) on what is not JSON. */
  write(chunk: Buffer): void {
    this.scanner.write(chunk);
  }

  /** The batches of `batchSize` sales completed so far, each handed out once. */
  takeBatches(): IncomingSale[][] {
    return this.full.splice(0);
  }

  /**
   * After the last chunk: the poll with the sales not handed out in a batch yet. Throws PayloadError
   * for an envelope parsePosPayload refuses, and one that lists its sales more than once in a way
   * that makes a later list the one parsePosPayload would read (only the first is read here).
   */
  end(): ParsedPoll {
    const data = envelopeData(this.scanner.end());
    const marker = arrayField(data, "sales");
    if (marker.length > 0 && marker[0] !== 0)
      throw new PayloadError("upstream body has more than one sales list");
    const sales = this.batch;
    this.batch = [];
    const { skipped } = this.reader;
    const products = readProducts(data, skipped);
    return { sales, products, skipped: skipped.rows, skippedCount: skipped.count };
  }

  private take(elements: unknown[], list: number): void {
    // Only the first list is read; any later one is checked as JSON by the scanner and left.
    if (list !== 0) return;
    for (const raw of elements) {
      const sale = this.reader.read(raw);
      if (sale === null) continue;
      this.batch.push(sale);
      if (this.batch.length >= this.batchSize) {
        this.full.push(this.batch);
        this.batch = [];
      }
    }
  }
}
