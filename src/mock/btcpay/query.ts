/**
 * The invoices list query as Greenfield reads it: `status` repeated and case-insensitive (`complete`
 * and `confirmed` mean Settled; unknown values are dropped, and with none left there is no filter),
 * `startDate`/`endDate` unix seconds inclusive on createdTime (anything else: 422 "Invalid unix
 * timestamp"; start after end: 422), `skip`/`take` (no take: everything), `includeArchived`,
 * `includePaymentMethods`.
 */
import type { InvoiceStatus, MockInvoice } from "./world.js";

export interface ListQuery {
  statuses: Set<InvoiceStatus> | null;
  startDate: number | null;
  endDate: number | null;
  skip: number;
  take: number | null;
  includeArchived: boolean;
  includePaymentMethods: boolean;
}

export type QueryProblem = { path: string; message: string }[];

const STATUS_NAMES: Record<string, InvoiceStatus> = {
  new: "New",
  processing: "Processing",
  expired: "Expired",
  invalid: "Invalid",
  settled: "Settled",
  complete: "Settled",
  confirmed: "Settled",
};

export function readListQuery(params: URLSearchParams): ListQuery | QueryProblem {
  const problems: QueryProblem = [];
  const statuses = new Set<InvoiceStatus>();
  for (const s of params.getAll("status")) {
    const known = STATUS_NAMES[s.trim().toLowerCase()];
    if (known) statuses.add(known);
  }
  const date = (name: string): number | null => {
    const v = params.get(name);
    if (v === null || v === "") return null;
    if (!/^-?\d{1,12}$/.test(v.trim())) {
      problems.push({ path: name, message: "Invalid unix timestamp" });
      return null;
    }
    return Number(v);
  };
  const count = (name: string): number | null => {
    const v = params.get(name);
    if (v === null || v === "") return null;
    if (!/^\d{1,9}$/.test(v.trim())) {
      problems.push({ path: name, message: `The value '${v.slice(0, 40)}' is not valid.` });
      return null;
    }
    return Number(v);
  };
  const startDate = date("startDate");
  const endDate = date("endDate");
  if (startDate !== null && endDate !== null && startDate > endDate) {
    problems.push({ path: "startDate", message: "startDate should not be above endDate" });
    problems.push({ path: "endDate", message: "endDate should not be below startDate" });
  }
  const skip = count("skip") ?? 0;
  const take = count("take");
  if (problems.length > 0) return problems;
  return {
    statuses: statuses.size > 0 ? statuses : null,
    startDate,
    endDate,
    skip,
    take,
    includeArchived: params.get("includeArchived")?.toLowerCase() === "true",
    includePaymentMethods: params.get("includePaymentMethods")?.toLowerCase() === "true",
  };
}

/** The page the query selects from invoices already sorted newest first. */
export function selectPage(sorted: readonly MockInvoice[], q: ListQuery): MockInvoice[] {
  const matching = sorted.filter(
    (i) =>
      (q.statuses === null || q.statuses.has(i.status)) &&
      (q.startDate === null || i.createdTime >= q.startDate) &&
      (q.endDate === null || i.createdTime <= q.endDate),
  );
  return matching.slice(q.skip, q.take === null ? undefined : q.skip + q.take);
}
