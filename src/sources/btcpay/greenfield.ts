/**
 * One Greenfield GET with a store API key (`Authorization: token KEY`), its failures in the plain words
 * operators read as `last_error` or as a "test connection" answer. Never a key in a message: the key
 * travels in a header only, and getJson's errors never repeat headers.
 */
import type { BtcpaySettings } from "../../contract/index.js";
import { UpstreamError } from "../../upstream/client.js";
import { getJson, joinUrl } from "../http-json.js";
import { isObj } from "../source-sale.js";

export interface GreenfieldRequest {
  timeoutMs: number;
  maxBytes?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** A refused or failed request; `status` lets a caller tell a missing permission from an outage. */
export class GreenfieldError extends UpstreamError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Query values; an array repeats its name (`status=Settled&status=Invalid`). */
export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** What the request was for, named in errors: "invoices", "invoice", "payment methods", "store", "app". */
export type Resource = "store" | "invoices" | "invoice" | "payment methods" | "point of sale app";

const READ_INVOICES = "btcpay.store.canviewinvoices";

/**
 * The parsed body of a 200 answer; null for a 404 when `notFoundIsNull` (an invoice a webhook named that
 * is not this store's). Every other status is an UpstreamError.
 */
export async function greenfieldGet(
  settings: BtcpaySettings,
  path: string,
  query: Query,
  resource: Resource,
  req: GreenfieldRequest,
  notFoundIsNull = false,
): Promise<unknown> {
  const url = `${joinUrl(settings.base_url, path)}${queryString(query)}`;
  const answer = await getJson(url, {
    sourceName: "BTCPay",
    headers: { authorization: `token ${settings.api_key}` },
    timeoutMs: req.timeoutMs,
    maxBytes: req.maxBytes,
    signal: req.signal,
  });
  if (answer.status === 200) {
    if (answer.body === undefined) throw new UpstreamError(`BTCPay ${resource} answer is not JSON`);
    return answer.body;
  }
  if (answer.status === 404 && notFoundIsNull) return null;
  throw new GreenfieldError(
    describeStatus(answer.status, answer.body, resource, settings.store_id),
    answer.status,
  );
}

/** Plain words for a refused or failed request. */
export function describeStatus(status: number, body: unknown, resource: Resource, storeId: string): string {
  if (status === 401) return "BTCPay refused the API key (401)";
  if (status === 403) {
    const permission =
      permissionOf(body) ?? (resource === "store" ? "btcpay.store.canviewstoresettings" : READ_INVOICES);
    return `BTCPay refused access to store ${storeId} (403): the API key lacks permission ${permission} for it (or the store id is wrong)`;
  }
  if (status === 404) {
    if (resource === "point of sale app") return "BTCPay point of sale app not found (404)";
    return `BTCPay store ${storeId} not found (404)`;
  }
  if (status === 422) return `BTCPay rejected the ${resource} query (422)${validationMessage(body)}`;
  const notJson = body === undefined ? ", not JSON" : "";
  return `BTCPay responded ${status} to the ${resource} request${notJson}`;
}

/** The permission a 403 names (`missingPermission`), if it looks like one. */
function permissionOf(body: unknown): string | null {
  const p = isObj(body) ? body.missingPermission : undefined;
  return typeof p === "string" && /^[a-z][a-z.]{0,80}$/.test(p) ? p : null;
}

/** The first message of a 422's `[{"path","message"}]`, cut short and kept to plain characters. */
function validationMessage(body: unknown): string {
  const first = Array.isArray(body) ? body[0] : undefined;
  const message = isObj(first) ? first.message : undefined;
  if (typeof message !== "string") return "";
  const clean = message.replace(/[^\p{L}\p{N} .,:;'()_-]/gu, "").slice(0, 120);
  return clean === "" ? "" : `: ${clean}`;
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(name, v);
    else params.append(name, String(value));
  }
  const s = params.toString();
  return s === "" ? "" : `?${s}`;
}

/** `items` run `limit` at a time, results in order (a few requests in flight, never hundreds). */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
