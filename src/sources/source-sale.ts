/**
 * What a source's parser hands on, in the store's words (store/poll-contents.ts), for sources whose
 * sales are keyed by strings (a BTCPay invoice id, an LNbits payment hash): each sale keeps its key as
 * `externalId` and carries the number it would rather be stored under. Picking a free number when two
 * keys want the same one is the store's job, as storeWebhookSale does for the WiFi webhook.
 */
import { createHash } from "node:crypto";
import type { KeyedSale, WithdrawnSale } from "../store/poll-contents.js";
import { saleIdOfHash } from "../store/webhook-sale.js";
import { type SkippedRow, SkippedRows } from "../upstream/payload.js";

/** A sale as a keyed source reports it: `saleId` is the preferred number for `externalId`. */
export type SourceSale = KeyedSale;
export type { WithdrawnSale };

/** One answer of a keyed source, parsed. */
export interface SourceParse {
  sales: SourceSale[];
  withdrawn: WithdrawnSale[];
  /** Rows that are well formed but are not sales (unpaid, outgoing, not bitcoin): neither kept nor skipped. */
  notCounted: number;
  /** The first MAX_KEPT_SKIPS malformed rows, as payload.ts keeps them. */
  skipped: SkippedRow[];
  skippedCount: number;
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The number a key that is not a payment hash (a BTCPay invoice id) prefers: the first 52 bits of its
 * SHA-256, 0 … 2^52 − 1, read as saleIdOfHash reads a payment hash (which LNbits sales use directly, so
 * that one payment gets one number whether the WiFi webhook or a poll brings it).
 */
export function saleIdOfKey(key: string): number {
  return saleIdOfHash(sha256Hex(key));
}

/**
 * A product id for a merchant-local product key (a BTCPay item id, a TPoS item title): the first 52
 * bits of its SHA-256, the same on every poll and every server, below 2^53 like every id.
 */
export function productIdOfKey(key: string): number {
  return saleIdOfHash(sha256Hex(key));
}

function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}

// Before 2009 there was no bitcoin, and past 9999 there is no RFC 3339: neither is a payment's time.
const MIN_TIME_S = Date.UTC(2009, 0, 1) / 1000;
const MAX_TIME_S = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

/** Unix seconds (a JSON number, fractions allowed) as epoch ms; null when not a plausible time. */
export function unixSecondsToMs(v: unknown): number | null {
  if (typeof v !== "number" || !Number.isFinite(v) || v < MIN_TIME_S || v > MAX_TIME_S) return null;
  return Math.round(v * 1000);
}

/** A non-empty trimmed string in lower case, or null. */
export function lowerOrNull(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" ? null : t.toLowerCase();
}

/** A fiat amount kept to the cent, as the store shows fiat. */
export function roundFiat(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Collects a parse's results; a key seen twice in one answer (a page that shifted) is skipped once. */
export class SourceParseBuilder {
  readonly sales: SourceSale[] = [];
  readonly withdrawn: WithdrawnSale[] = [];
  notCounted = 0;
  readonly skipped = new SkippedRows();
  private readonly seen = new Set<string>();

  /** False (and the row skipped) when the key was already listed in this answer. */
  firstSighting(key: string): boolean {
    if (this.seen.has(key)) {
      this.skipped.push({ kind: "sale", id: key, reason: "listed twice in one answer" });
      return false;
    }
    this.seen.add(key);
    return true;
  }

  /** Records a malformed row; null, for a reader to return. */
  skip(id: string, reason: string): null {
    this.skipped.push({ kind: "sale", id, reason });
    return null;
  }

  result(): SourceParse {
    return {
      sales: this.sales,
      withdrawn: this.withdrawn,
      notCounted: this.notCounted,
      skipped: this.skipped.rows,
      skippedCount: this.skipped.count,
    };
  }
}

/** A key as it may be shown in a skipped row: long or odd ones cut. */
export function displayKey(v: unknown): string {
  const s = typeof v === "string" || typeof v === "number" ? String(v) : "?";
  return s.length > 70 ? `${s.slice(0, 70)}…` : s;
}
