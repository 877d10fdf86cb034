/**
 * The Greenfield routes of the mock, as a request handler another node:http server can mount
 * (`handle(req, res)` answers /api/v1/* and returns true, anything else false). Auth is
 * `Authorization: token KEY` (or `bearer`): no or unknown key → 401 `unauthenticated`; a key without
 * the route's permission for the store (or for another store) → 403 `missing-permission`. Per-store
 * faults (a status, an HTML 502, a hang, latency) stand in for outages.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { invoiceJson, paymentMethodsJson, posAppJson, storeJson } from "./format.js";
import { readListQuery, selectPage } from "./query.js";
import type { BtcpayWorld, MockKey } from "./world.js";

export interface StoreFault {
  /** Answer with this status and a JSON error. */
  status?: number;
  /** Answer 502 with an HTML page, as a reverse proxy does when BTCPay is down. */
  html?: boolean;
  /** Never answer (until the mock stops). */
  hang?: boolean;
  latencyMs?: number;
}

/** One request the mock answered, for tests to count what a client asked for. */
export interface SeenRequest {
  path: string;
  query: URLSearchParams;
  storeId: string | null;
  status: number;
  /** Invoices in the answer (a list's length, 1 for one invoice). */
  invoices: number;
}

const VIEW_STORE = "btcpay.store.canviewstoresettings";
const VIEW_INVOICES = "btcpay.store.canviewinvoices";
const MODIFY_STORE = "btcpay.store.canmodifystoresettings";
/** Permissions that include others, as BTCPay's policy tree has them. */
const IMPLIED: Record<string, string[]> = {
  [MODIFY_STORE]: [VIEW_STORE, VIEW_INVOICES, "btcpay.store.canmodifyinvoices"],
  "btcpay.store.canmodifyinvoices": [VIEW_INVOICES],
};

type Answer = { status: number; body: unknown; invoices?: number };

export class BtcpayHandler {
  readonly seen: SeenRequest[] = [];
  readonly faults = new Map<string, StoreFault>();
  /** Told about each request once its answer is decided (tests change the store between pages here). */
  onRequest: ((r: SeenRequest) => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly hanging = new Set<ServerResponse>();

  constructor(private readonly world: BtcpayWorld) {}

  /** True when the request was the mock's (an /api/v1/ path), answered or held by a fault. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://mock");
    if (!url.pathname.startsWith("/api/v1/")) return false;
    const route = this.route(req, url);
    const storeId = route.storeId;
    const fault = storeId === null ? undefined : this.faults.get(storeId);
    const record = (a: Answer) => {
      const seen: SeenRequest = {
        path: url.pathname,
        query: url.searchParams,
        storeId,
        status: a.status,
        invoices: a.invoices ?? 0,
      };
      this.seen.push(seen);
      // Before the answer goes out: a test can change the store between two pages of one poll.
      this.onRequest?.(seen);
    };
    if (fault?.hang) {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      record({ status: 0, body: null });
      return true;
    }
    const answer: Answer = fault?.html
      ? { status: 502, body: undefined }
      : fault?.status !== undefined
        ? { status: fault.status, body: { code: "fault", message: `injected ${fault.status}` } }
        : route.answer();
    record(answer);
    const send = () => write(res, answer);
    if (fault?.latencyMs) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        send();
      }, fault.latencyMs);
      this.timers.add(t);
    } else send();
    return true;
  }

  /** Ends held answers and pending latency timers (the mock is stopping). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  private route(req: IncomingMessage, url: URL): { storeId: string | null; answer: () => Answer } {
    const parts = url.pathname.split("/").slice(3).map(safeDecode);
    const base = `http://${req.headers.host ?? "127.0.0.1"}`;
    if (req.method !== "GET")
      return { storeId: null, answer: () => error(405, "method-not-allowed", "Only GET is mocked") };
    if (parts[0] === "health" && parts.length === 1)
      return { storeId: null, answer: () => ({ status: 200, body: { synchronized: true } }) };
    if (parts[0] === "apps" && parts[1] === "pos" && parts.length === 3) {
      const app = this.world.apps.get(parts[2] as string);
      return {
        storeId: app?.storeId ?? null,
        answer: () => {
          const denied = this.authorize(req, app?.storeId ?? null, MODIFY_STORE);
          if (denied) return denied;
          return app
            ? { status: 200, body: posAppJson(app) }
            : error(404, "app-not-found", "The app with specified ID was not found");
        },
      };
    }
    if (parts[0] !== "stores" || parts.length < 2)
      return { storeId: null, answer: () => error(404, "not-found", "Not found") };
    const storeId = parts[1] as string;
    return { storeId, answer: () => this.storeRoute(req, storeId, parts.slice(2), url.searchParams, base) };
  }

  private storeRoute(
    req: IncomingMessage,
    storeId: string,
    rest: string[],
    params: URLSearchParams,
    base: string,
  ): Answer {
    const permission = rest.length === 0 ? VIEW_STORE : VIEW_INVOICES;
    const denied = this.authorize(req, storeId, permission);
    if (denied) return denied;
    const store = this.world.stores.get(storeId);
    if (!store) return error(404, "store-not-found", "The store was not found");
    if (rest.length === 0) return { status: 200, body: storeJson(store) };
    if (rest[0] !== "invoices" || rest.length > 3 || (rest.length === 3 && rest[2] !== "payment-methods"))
      return error(404, "not-found", "Not found");
    if (rest.length === 1) {
      const q = readListQuery(params);
      if (Array.isArray(q)) return { status: 422, body: q };
      const page = selectPage(this.world.listed(storeId, q.includeArchived), q);
      const inline = q.includePaymentMethods && store.inlinePaymentMethods;
      return {
        status: 200,
        body: page.map((i) => invoiceJson(i, store, base, inline)),
        invoices: page.length,
      };
    }
    const inv = this.world.invoice(storeId, rest[1] as string);
    if (!inv) return error(404, "invoice-not-found", "The invoice was not found");
    if (rest.length === 3) return { status: 200, body: paymentMethodsJson(inv) };
    return { status: 200, body: invoiceJson(inv, store, base, false), invoices: 1 };
  }

  /** Null when the key may; else the 401 or 403 BTCPay gives. */
  private authorize(req: IncomingMessage, storeId: string | null, permission: string): Answer | null {
    const m = /^(token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const key = m ? this.world.keys.get(m[2] as string) : undefined;
    if (!key) return error(401, "unauthenticated", "Authentication is required for accessing this endpoint");
    if (grants(key, permission) && (key.stores === "*" || (storeId !== null && key.stores.has(storeId))))
      return null;
    return {
      status: 403,
      body: {
        code: "missing-permission",
        message: `Insufficient API Permissions. Please use an API key with permission "${permission}". You can create an API key in your account's settings / Api Keys.`,
        missingPermission: permission,
      },
    };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function grants(key: MockKey, permission: string): boolean {
  for (const p of key.permissions) if (p === permission || IMPLIED[p]?.includes(permission)) return true;
  return false;
}

function error(status: number, code: string, message: string): Answer {
  return { status, body: { code, message } };
}

function write(res: ServerResponse, a: Answer): void {
  if (a.body === undefined) {
    res.writeHead(a.status, { "content-type": "text/html" });
    res.end(
      "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
    );
    return;
  }
  const text = JSON.stringify(a.body);
  res.writeHead(a.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
