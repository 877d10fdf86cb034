/**
 * The HTTP face of the mock, on bare node:http: routing, public-key checks, fault injection and
 * a per-merchant cache of serialised bodies (re-serialising a million sales per poll would make
 * the mock, not the client, the bottleneck of every benchmark).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { pipeline, Readable } from "node:stream";
import { type Body, errorEnvelope, merchantBody } from "./format.js";
import type { Market } from "./generator.js";
import type { Merchant } from "./model.js";
import type { Rng } from "./random.js";

export interface GlobalFaults {
  /** Share of /user-pos requests answered 500. */
  failRate: number;
  /** Delay added before answering /user-pos requests. */
  latencyMs: number;
  /** Share of /user-pos requests answered 200 with a body that is not JSON. */
  garbageRate: number;
}

/** Per-merchant trouble; takes precedence over the global faults for that merchant. */
export interface MerchantFault {
  /** Answer with this HTTP status and a failure envelope. */
  status?: number;
  /** Answer 200 with a body that is not JSON. */
  garbage?: boolean;
  latencyMs?: number;
  /** Never answer (until the server stops). */
  hang?: boolean;
  /** Answer 200 with `{"success":false,…}`. */
  envelopeFailure?: boolean;
}

const JSON_TYPE = "application/json; charset=utf-8";
/** Cached bodies are dropped, least recently used first, beyond this many bytes. */
const CACHE_BUDGET_BYTES = 768 * 1024 * 1024;

export class MockServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly merchantFaults = new Map<string, MerchantFault>();
  private readonly cache = new Map<string, { version: number; body: Body }>();
  private cachedBytes = 0;

  constructor(
    private readonly market: Market,
    private faults: GlobalFaults,
    private readonly faultRng: Rng,
    /** Brings the market up to the clock before anything is read or changed. */
    private readonly sync: () => void = () => {},
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Destroys open sockets too, so hanging requests and keep-alive clients cannot delay shutdown. */
  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.cache.clear();
    return closed;
  }

  setGlobalFaults(faults: Partial<GlobalFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  setFault(merchantId: string, fault: MerchantFault): void {
    this.market.need(merchantId);
    this.merchantFaults.set(merchantId, { ...fault });
  }

  clearFault(merchantId: string): void {
    this.merchantFaults.delete(merchantId);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const url = new URL(req.url ?? "/", "http://mock.invalid");
    const method = req.method ?? "GET";
    const reading = method === "GET" || method === "HEAD";
    const pos = /^\/user-pos\/([^/]+)$/.exec(url.pathname);
    if (pos && reading) {
      this.userPos(decodeURIComponent(pos[1] as string), url.searchParams.get("user_public_key"), res);
    } else {
      send(res, this.route(url.pathname, method, reading));
    }
  }

  private route(path: string, method: string, reading: boolean): Reply {
    this.sync();
    if (path === "/health" && reading) return json(200, '{"status":"ok"}');
    if (path === "/admin/merchants" && reading) return json(200, this.adminList());
    const reset = /^\/admin\/merchants\/([^/]+)\/reset$/.exec(path);
    if (reset && method === "POST") {
      const id = decodeURIComponent(reset[1] as string);
      if (this.market.find(id) === undefined)
        return json(404, JSON.stringify({ error: "unknown merchant", id }));
      return json(200, JSON.stringify({ status: "ok", id, forgotten: this.market.reset(id) }));
    }
    return json(404, JSON.stringify({ error: "not found", path }));
  }

  private adminList(): string {
    return JSON.stringify(
      this.market.merchants.map((m) => ({
        id: m.id,
        public_key: m.publicKey,
        name: m.name,
        sales: m.sales.length - m.servedFrom,
        sales_generated: m.sales.length,
        products: m.catalogue.products.length,
        kind: m.profile.kind,
        sales_per_minute: m.profile.salesPerMinute,
      })),
    );
  }

  private userPos(id: string, key: string | null, res: ServerResponse): void {
    const fault = this.merchantFaults.get(id);
    // A hanging request simply stays open; close() destroys its socket.
    if (fault?.hang) return;
    const latency = fault?.latencyMs ?? this.faults.latencyMs;
    if (latency > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!res.destroyed) send(res, this.userPosReply(id, key, fault));
      }, latency);
      this.timers.add(timer);
    } else {
      send(res, this.userPosReply(id, key, fault));
    }
  }

  private userPosReply(id: string, key: string | null, fault: MerchantFault | undefined): Reply {
    if (fault?.status !== undefined)
      return json(fault.status, errorEnvelope(fault.status, "Injected failure"));
    if (fault?.garbage) return GARBAGE_REPLY;
    if (fault?.envelopeFailure) return json(200, errorEnvelope(500, "Error fetching PoS"));
    if (this.faults.failRate > 0 && this.faultRng() < this.faults.failRate) {
      return json(500, errorEnvelope(500, "Internal server error"));
    }
    if (this.faults.garbageRate > 0 && this.faultRng() < this.faults.garbageRate) return GARBAGE_REPLY;
    this.sync();
    const m = this.market.find(id);
    if (m === undefined) return json(404, errorEnvelope(404, "PoS not found"));
    if (key !== m.publicKey) return json(401, errorEnvelope(401, "Invalid user public key"));
    return { status: 200, contentType: JSON_TYPE, body: this.body(m) };
  }

  private body(m: Merchant): Body {
    const hit = this.cache.get(m.id);
    if (hit !== undefined) {
      this.cache.delete(m.id);
      if (hit.version === m.version) {
        this.cache.set(m.id, hit);
        return hit.body;
      }
      this.cachedBytes -= hit.body.bytes;
    }
    const body = merchantBody(m);
    this.cache.set(m.id, { version: m.version, body });
    this.cachedBytes += body.bytes;
    for (const [oldId, old] of this.cache) {
      if (this.cachedBytes <= CACHE_BUDGET_BYTES || oldId === m.id) break;
      this.cache.delete(oldId);
      this.cachedBytes -= old.body.bytes;
    }
    return body;
  }
}

interface Reply {
  status: number;
  contentType: string;
  body: Body;
}

function json(status: number, text: string): Reply {
  const chunk = Buffer.from(text, "utf8");
  return { status, contentType: JSON_TYPE, body: { chunks: [chunk], bytes: chunk.length } };
}

const GARBAGE_CHUNK = Buffer.from(
  "<html><head><title>502 Bad Gateway</title></head><body>upstream unavailable</body></html>\n",
);
const GARBAGE_REPLY: Reply = {
  status: 200,
  contentType: "text/html; charset=utf-8",
  body: { chunks: [GARBAGE_CHUNK], bytes: GARBAGE_CHUNK.length },
};

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": reply.body.bytes });
  const { chunks } = reply.body;
  if (res.req.method === "HEAD") res.end();
  else if (chunks.length === 1) res.end(chunks[0]);
  // Large bodies go through a stream so a slow reader gets backpressure, not a copy per request.
  else pipeline(Readable.from(chunks), res, () => {});
}
