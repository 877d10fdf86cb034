/**
 * The LNbits mock's HTTP face as a request handler a host server can mount: it answers
 * `/api/v1/payments…` and `/api/v1/wallet` and returns false for every other path. Errors are
 * FastAPI's `{"detail": …}`: no key 401 "No Api Key provided.", an unknown key 404 "Wallet not found.",
 * a bad parameter 400 (shared/spec/pos-sources.md, "LNbits").
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { paymentJson } from "./format.js";
import type { MockPayment, MockWallet } from "./model.js";

/** Per-wallet trouble, by the wallet's invoice key. */
export interface LnbitsFault {
  /** Answer with this status and `{"detail": "Injected failure"}`. */
  status?: number;
  /** Answer 502 with an HTML page, as a proxy in front of a dead LNbits does. */
  html?: boolean;
  /** Never answer (until the server stops). */
  hang?: boolean;
  latencyMs?: number;
}

/** One request as the mock saw it: tests count what a poll cost. */
export interface LnbitsRequestRecord {
  path: string;
  query: string;
  /** The wallet the key named, if any. */
  walletId: string | null;
  status: number;
  /** Payments in the answer. */
  rows: number;
}

interface Reply {
  status: number;
  body: unknown;
  rows?: number;
  html?: string;
}

const PAYMENT_PATH = /^\/api\/v1\/payments\/([^/]+)$/;
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT_14 = 10;

export class LnbitsApi {
  readonly wallets = new Map<string, MockWallet>();
  readonly faults = new Map<string, LnbitsFault>();
  readonly requests: LnbitsRequestRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Called as each request arrives, before it is answered (tests add payments between two pages). */
  onRequest: ((r: LnbitsRequestRecord) => void) | null = null;

  constructor(readonly now: () => number) {}

  /** True when the path is this mock's (and the request is answered, or left hanging by a fault). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://mock.invalid");
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== "/api/v1/wallet" && path !== "/api/v1/payments" && !path.startsWith("/api/v1/payments/"))
      return false;
    req.resume();
    const key = headerKey(req) ?? url.searchParams.get("api-key");
    const wallet = key === null ? undefined : this.walletOfKey(key);
    const record: LnbitsRequestRecord = {
      path,
      query: url.search,
      walletId: wallet?.id ?? null,
      status: 0,
      rows: 0,
    };
    this.requests.push(record);
    this.onRequest?.(record);
    const fault = wallet ? this.faults.get(wallet.inkey) : undefined;
    if (fault?.hang) return true;
    const answer = () => {
      const reply = req.method === "GET" ? this.route(path, url, key, wallet, fault) : notAllowed();
      record.status = reply.status;
      record.rows = reply.rows ?? 0;
      send(res, reply);
    };
    if ((fault?.latencyMs ?? 0) > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!res.destroyed) answer();
      }, fault?.latencyMs);
      this.timers.add(t);
    } else answer();
    return true;
  }

  /** Ends delayed answers (the host server closes the sockets). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  walletOfKey(key: string): MockWallet | undefined {
    for (const w of this.wallets.values()) if (w.inkey === key || w.adminkey === key) return w;
    return undefined;
  }

  private route(
    path: string,
    url: URL,
    key: string | null,
    wallet: MockWallet | undefined,
    fault: LnbitsFault | undefined,
  ): Reply {
    if (fault?.html) return { status: 502, body: null, html: BAD_GATEWAY };
    if (fault?.status !== undefined) return { status: fault.status, body: { detail: "Injected failure" } };
    const single = PAYMENT_PATH.exec(path);
    // The single-payment lookup works with and without a key (LNbits' api_payment).
    if (single && single[1] !== "paginated")
      return this.onePayment(decodeURIComponent(single[1] ?? ""), wallet);
    if (key === null) return { status: 401, body: { detail: "No Api Key provided." } };
    if (!wallet) return { status: 404, body: { detail: "Wallet not found." } };
    if (path === "/api/v1/wallet")
      return { status: 200, body: { name: wallet.name, balance: balanceMsat(wallet) } };
    return this.list(wallet, url.searchParams, path.endsWith("/paginated"));
  }

  private list(w: MockWallet, q: URLSearchParams, paginated: boolean): Reply {
    // `/payments` lists success and pending only; `/paginated` lists failed ones too.
    const all = w.payments.filter((p) => paginated || p.status !== "failed");
    if (w.version === "0.x") {
      const rows = sortPayments(all, "time", "desc").map((p) => paymentJson(w, p));
      return { status: 200, body: paginated ? { data: rows, total: rows.length } : rows, rows: rows.length };
    }
    const limit = intParam(q, "limit");
    const offset = intParam(q, "offset");
    if (limit === "bad" || offset === "bad")
      return { status: 400, body: { detail: "limit and offset must be integers" } };
    if (w.version === "1.4" && limit !== null && limit > MAX_LIMIT)
      return { status: 400, body: { detail: `limit must be at most ${MAX_LIMIT}` } };
    const sortby = q.get("sortby") ?? "time";
    const direction = q.get("direction") === "asc" ? "asc" : "desc";
    const sorted = sortPayments(all, sortby, direction);
    const from = offset ?? 0;
    const count = limit ?? (w.version === "1.4" ? DEFAULT_LIMIT_14 : sorted.length);
    const rows = sorted.slice(from, from + count).map((p) => paymentJson(w, p));
    return { status: 200, body: paginated ? { data: rows, total: all.length } : rows, rows: rows.length };
  }

  /** `{paid, preimage, details}`: details only for the key's own wallet, 404 when not found. */
  private onePayment(hash: string, wallet: MockWallet | undefined): Reply {
    const pool = wallet ? [wallet] : [...this.wallets.values()];
    for (const w of pool) {
      const p = w.payments.find((x) => x.hash === hash.toLowerCase());
      if (!p) continue;
      const paid = p.status === "success";
      const base: Record<string, unknown> = { paid, preimage: paid ? "0".repeat(64) : null };
      if (p.status === "failed") base.status = "failed";
      if (wallet) base.details = paymentJson(w, p);
      return { status: 200, body: base, rows: wallet ? 1 : 0 };
    }
    return { status: 404, body: { detail: "Payment does not exist." } };
  }
}

const BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>";

function notAllowed(): Reply {
  return { status: 405, body: { detail: "Method Not Allowed" } };
}

function headerKey(req: IncomingMessage): string | null {
  const v = req.headers["x-api-key"];
  return typeof v === "string" && v !== "" ? v : null;
}

function intParam(q: URLSearchParams, name: string): number | null | "bad" {
  const v = q.get(name);
  if (v === null) return null;
  return /^\d+$/.test(v) ? Number(v) : "bad";
}

function sortPayments(list: MockPayment[], sortby: string, direction: "asc" | "desc"): MockPayment[] {
  const keyOf = (p: MockPayment): number => {
    if (sortby === "updated_at") return p.updatedMs;
    if (sortby === "amount") return p.amountMsat;
    return p.createdMs;
  };
  const sign = direction === "asc" ? 1 : -1;
  // Ties keep insertion order newest first, as a database's row order would for equal times.
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => sign * (keyOf(a.p) - keyOf(b.p) || a.i - b.i))
    .map((x) => x.p);
}

function balanceMsat(w: MockWallet): number {
  return w.payments.reduce((sum, p) => sum + (p.status === "success" ? p.amountMsat + p.feeMsat : 0), 0);
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.html !== undefined) {
    res.writeHead(reply.status, { "content-type": "text/html" }).end(reply.html);
    return;
  }
  const text = JSON.stringify(reply.body);
  res
    .writeHead(reply.status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    })
    .end(text);
}
