import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { writeFlood } from "../../bench/support/flood-body.js";

/**
 * A scriptable stand-in for the upstream, for poller tests that need exact failures (hang, reset,
 * 500, garbage). Bodies are written here as literal upstream JSON, never from the client's types.
 */
export type Behaviour =
  | { kind: "json"; body: unknown; delayMs?: number }
  | { kind: "status"; status: number; body?: string }
  | { kind: "raw"; body: string }
  /** A body sent in separate writes, with or without a declared length (else chunked encoding). */
  | { kind: "pieces"; body: string; pieces: number; declareLength: boolean }
  | { kind: "hang" }
  | { kind: "reset" }
  /** Headers and the first bytes of a body, then nothing more (stall) or a cut connection. */
  | { kind: "partial"; after: "stall" | "cut" }
  /** A real body's first `bytes` bytes, its whole length declared, then a cut connection. */
  | { kind: "cut"; body: string; bytes: number }
  /**
   * `prefix`, `unit` over and over, `suffix`: `bytes` long in all (the last few short of a unit are
   * spaces) or endless, chunked unless `declare` gives a Content-Length (which may differ).
   */
  | {
      kind: "flood";
      prefix: string;
      unit: string;
      suffix?: string;
      bytes?: number;
      declare?: number;
      status?: number;
    }
  /**
   * `body` with its length declared: the first `fastBytes` (default none) at once, then `chunkBytes`
   * (default 1) every `everyMs`.
   */
  | { kind: "trickle"; body: string; everyMs: number; fastBytes?: number; chunkBytes?: number }
  | { kind: "redirect"; status: number; location: string }
  /**
   * A Content-Length that lies: `declared` bytes announced, `body` sent on the raw socket (Node's
   * server refuses to), then the connection closed or left open.
   */
  | { kind: "lying"; body: string; declared: number; after: "close" | "stall" };

export interface FakeUpstream {
  url: string;
  set(merchantId: string, behaviour: Behaviour): void;
  /** Requests seen per merchant, in order, with their start and end times and body bytes written. */
  requests: { merchantId: string; key: string | null; start: number; end?: number; sent: number }[];
  /** Requests for a merchant currently being answered. */
  active(merchantId: string): number;
  maxActive(merchantId: string): number;
  close(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const behaviours = new Map<string, Behaviour>();
  const requests: FakeUpstream["requests"] = [];
  const active = new Map<string, number>();
  const maxActive = new Map<string, number>();
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/user-pos\/([^/]+)$/.exec(url.pathname);
    if (!m?.[1]) {
      res.writeHead(404).end();
      return;
    }
    const merchantId = decodeURIComponent(m[1]);
    const entry: FakeUpstream["requests"][number] = {
      merchantId,
      key: url.searchParams.get("user_public_key"),
      start: Date.now(),
      sent: 0,
    };
    requests.push(entry);
    const n = (active.get(merchantId) ?? 0) + 1;
    active.set(merchantId, n);
    maxActive.set(merchantId, Math.max(n, maxActive.get(merchantId) ?? 0));
    const done = () => {
      entry.end = Date.now();
      active.set(merchantId, (active.get(merchantId) ?? 1) - 1);
    };
    res.on("close", done);
    const b = behaviours.get(merchantId) ?? { kind: "status", status: 404, body: '{"success":false}' };
    switch (b.kind) {
      case "json": {
        const send = () =>
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(b.body));
        if (b.delayMs) setTimeout(send, b.delayMs);
        else send();
        return;
      }
      case "status":
        res.writeHead(b.status, { "content-type": "application/json" }).end(b.body ?? "{}");
        return;
      case "raw":
        res.writeHead(200, { "content-type": "application/json" }).end(b.body);
        return;
      case "pieces": {
        const bytes = Buffer.from(b.body);
        res.writeHead(200, {
          "content-type": "application/json",
          ...(b.declareLength ? { "content-length": String(bytes.length) } : {}),
        });
        const size = Math.ceil(bytes.length / b.pieces);
        const next = (at: number) => {
          if (at >= bytes.length) {
            res.end();
            return;
          }
          res.write(bytes.subarray(at, at + size));
          setTimeout(() => next(at + size), 2);
        };
        next(0);
        return;
      }
      case "hang":
        return;
      case "reset":
        req.socket.destroy();
        return;
      case "cut": {
        const bytes = Buffer.from(b.body);
        res.writeHead(200, { "content-type": "application/json", "content-length": String(bytes.length) });
        // Cut once the client has taken every byte written (it reads a long body at its own pace).
        res.write(bytes.subarray(0, b.bytes), () => setTimeout(() => req.socket.destroy(), 20));
        return;
      }
      case "flood":
        void flood(res, b, entry);
        return;
      case "trickle": {
        const bytes = Buffer.from(b.body);
        res.writeHead(200, { "content-type": "application/json", "content-length": String(bytes.length) });
        let at = b.fastBytes ?? 0;
        res.write(bytes.subarray(0, at));
        const next = () => {
          const from = at;
          at += b.chunkBytes ?? 1;
          res.write(bytes.subarray(from, at));
          if (at >= bytes.length) res.end();
          else timer = setTimeout(next, b.everyMs);
        };
        let timer = setTimeout(next, 0);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      case "redirect":
        res.writeHead(b.status, { location: b.location }).end();
        return;
      case "lying": {
        const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${b.declared}\r\n\r\n`;
        req.socket.write(head + b.body, () => {
          if (b.after === "close") setTimeout(() => req.socket.destroy(), 20);
        });
        return;
      }
      case "partial":
        res.writeHead(200, { "content-type": "application/json", "content-length": "100000" });
        res.write('{"success":true,"data":{"sales":[');
        if (b.after === "cut") setTimeout(() => req.socket.destroy(), 20);
        return;
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (id, b) => behaviours.set(id, b),
    requests,
    active: (id) => active.get(id) ?? 0,
    maxActive: (id) => maxActive.get(id) ?? 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A flood's head, then its body as it is written (see bench/support/flood-body.ts). */
async function flood(
  res: ServerResponse,
  b: Extract<Behaviour, { kind: "flood" }>,
  entry: { sent: number },
): Promise<void> {
  res.writeHead(b.status ?? 200, {
    "content-type": "application/json",
    ...(b.declare === undefined ? {} : { "content-length": String(b.declare) }),
  });
  await writeFlood(res, b, (bytes) => {
    entry.sent += bytes;
  });
}

/** A well-formed upstream body in the real format (see shared/spec/upstream-paywithflash.md). */
export function posBody(sales: unknown[], products: unknown[] = []): unknown {
  return {
    success: true,
    status_code: 200,
    message: "PoS fetched successfully",
    data: {
      id: 173,
      name: "test",
      currency: "usd",
      created_at: "2025-08-22T12:56:20.213735",
      total_transactions: sales.length,
      total_revenue_sats: "0",
      wallet_id: "3483",
      products,
      sales,
    },
  };
}

/** One upstream sale row, with string sats and a microsecond `+00:00` date. */
export function saleRow(id: number, sats: number | string, date: string, lines: unknown[] = []): unknown {
  return {
    SaleId: id,
    SaleOrigin: "pos",
    SaleOriginId: 173,
    SaleDate: date,
    Currency: "usd",
    TotalCostSats: String(sats),
    TotalCostCurrency: (Number(sats) / 1000).toFixed(2),
    TotalTaxAmount: 0.0,
    Products: lines,
  };
}
