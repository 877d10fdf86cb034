/**
 * Reading a store's invoices page by page (`take` + `skip`, newest createdTime first). `skip` counts
 * from the newest, so an invoice created between two pages pushes the rest down and the next page
 * starts with one already read: invoices are de-duplicated by id. Pages overlap by a few rows too, so
 * an invoice archived meanwhile (it vanishes and pulls the rest up) cannot make one slip between pages.
 * The read ends at a short page, or at a page with nothing new (a server that ignores `skip`).
 */
import type { BtcpaySettings } from "../../contract/index.js";
import { UpstreamError } from "../../upstream/client.js";
import { isObj } from "../source-sale.js";
import { type GreenfieldRequest, greenfieldGet } from "./greenfield.js";

/** Invoices per page: a few hundred kilobytes with payment methods inlined. */
export const PAGE_SIZE = 200;
/** Rows each page repeats of the one before. */
const PAGE_OVERLAP = 5;
/**
 * Only these statuses can be a sale or take one back; New, Processing and Expired (PaidLate included)
 * never count, so they are not fetched at all. A Processing invoice is seen once it settles.
 */
export const WANTED_STATUSES = ["Settled", "Invalid"] as const;

export interface InvoicePages {
  /** By id, each invoice once: the last page's copy of one read twice. */
  byId: Map<string, unknown>;
  /** Rows without a string id, left for the parser to skip and count. */
  unkeyed: unknown[];
  requests: number;
}

export async function readInvoicePages(
  settings: BtcpaySettings,
  startDate: number | undefined,
  req: GreenfieldRequest,
): Promise<InvoicePages> {
  const pages: InvoicePages = { byId: new Map(), unkeyed: [], requests: 0 };
  const path = `/api/v1/stores/${encodeURIComponent(settings.store_id)}/invoices`;
  for (let skip = 0; ; skip += PAGE_SIZE - PAGE_OVERLAP) {
    const body = await greenfieldGet(
      settings,
      path,
      { status: WANTED_STATUSES, startDate, skip, take: PAGE_SIZE, includePaymentMethods: true },
      "invoices",
      req,
    );
    pages.requests++;
    if (!Array.isArray(body)) throw new UpstreamError("BTCPay invoices answer is not a JSON array");
    let fresh = 0;
    for (const raw of body) {
      const id = isObj(raw) && typeof raw.id === "string" ? raw.id : null;
      if (id === null) pages.unkeyed.push(raw);
      else {
        if (!pages.byId.has(id)) fresh++;
        pages.byId.set(id, raw);
      }
    }
    if (body.length < PAGE_SIZE || fresh === 0) return pages;
  }
}
