/**
 * The wire form of a write's news (store/announce.ts, encoded by store/postgres/announce.ts) in a
 * NOTIFY payload, as receivers read it. Kept small, under
 * PostgreSQL's 8000 bytes whatever a poll stored: at most MAX_SALE_IDS sale ids travel; a poll that
 * stored more says only how many, and receivers read the merchant's newest sales instead (a screen
 * shows the newest anyway, and the live feed pushes at most a hundred of one poll).
 */
import type { MerchantStatus } from "../contract/index.js";
import type { ClusterMessage } from "./notify-message.js";

/** 100 ids of 16 digits and a 64-character merchant id: about 1.8 kB. */
export const MAX_SALE_IDS = 100;
export const MAX_TRIGGER_IDS = 100;

/** What a receiver reads back for a sales message. */
export interface SalesNotice {
  merchantId: string;
  /** The sales by id; undefined: "the merchant's `count` newest" (too many to list). */
  saleIds?: number[];
  count: number;
  /** The triggers by id; undefined: "the `triggerCount` newest". */
  triggerIds?: number[];
  triggerCount: number;
  webhook: boolean;
}

export interface ChangeNotice {
  change: string;
  id?: string | number;
}

const ids = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.every((x) => Number.isSafeInteger(x)) ? (v as number[]) : undefined;
const count = (v: unknown): number =>
  typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? Math.min(v, MAX_SALE_IDS) : 0;

/** A sales message from another instance, or undefined when this version cannot read it. */
export function decodeSales(m: ClusterMessage): SalesNotice | undefined {
  const p = m.payload as Record<string, unknown> | null;
  if (m.kind !== "sales" || typeof p !== "object" || p === null || typeof p.m !== "string") return undefined;
  const saleIds = ids(p.s);
  const triggerIds = ids(p.t);
  return {
    merchantId: p.m,
    ...(saleIds ? { saleIds } : {}),
    count: saleIds ? saleIds.length : count(p.n),
    ...(triggerIds ? { triggerIds } : {}),
    triggerCount: triggerIds ? triggerIds.length : count(p.tn),
    webhook: p.w === 1,
  };
}

export function decodeChange(m: ClusterMessage): ChangeNotice | undefined {
  const p = m.payload as Record<string, unknown> | null;
  if (m.kind !== "change" || typeof p !== "object" || p === null || typeof p.c !== "string") return undefined;
  const id = typeof p.id === "string" || typeof p.id === "number" ? p.id : undefined;
  return { change: p.c, ...(id === undefined ? {} : { id }) };
}

/**
 * A merchant's health as the instance that polled it published it (a `merchant` event, sent as is:
 * an id, an alias of at most 200 characters, a time), or undefined when this version cannot read it.
 */
export function decodeHealth(m: ClusterMessage): MerchantStatus | undefined {
  const p = m.payload as Record<string, unknown> | null;
  if (m.kind !== "merchant" || typeof p !== "object" || p === null) return undefined;
  const { id, alias, healthy, last_polled_at } = p;
  if (typeof id !== "string" || typeof alias !== "string" || typeof healthy !== "boolean") return undefined;
  if (last_polled_at !== undefined && typeof last_polled_at !== "string") return undefined;
  return { id, alias, ...(last_polled_at === undefined ? {} : { last_polled_at }), healthy };
}
