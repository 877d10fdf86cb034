/**
 * An upstream that answers one merchant with a hostile body of any length, written on the fly (a
 * prefix, one short unit repeated, a suffix) so that gigabytes cost it no memory. What each body
 * holds is spelled out here as upstream JSON, never taken from the service's parser.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { writeFlood } from "./flood-body.js";

export interface HostileBody {
  status: number;
  prefix: string;
  /** Repeated until the body is `bytes` long (the last few bytes short of a whole unit are spaces). */
  unit: string;
  suffix: string;
  bytes: number;
  /** With a Content-Length header (else chunked, so only the real count can stop it). */
  declareLength: boolean;
}

/** The hostile answers the benchmark sends, by what they aim at. */
export const HOSTILE_KINDS = {
  /** An error page where JSON belongs: the "50 MB junk body". */
  "not JSON": { status: 200, prefix: "<html><body>", unit: "junk junk ", suffix: "</body></html>" },
  /** JSON, but all of it outside the sales: a scanner keeps what is not sales until the end. */
  "one long string outside the sales": {
    status: 200,
    prefix: '{"success":true,"data":{"sales":[],"products":[],"note":"',
    unit: "abcdefghij",
    suffix: '"}}',
  },
  /** One sale that never ends: its bytes wait for its closing brace. */
  "one endless sale": {
    status: 200,
    prefix: '{"success":true,"data":{"products":[],"sales":[{"SaleId":1,"Note":"',
    unit: "abcdefghij",
    suffix: '"}]}}',
  },
  /** Rows that are all skipped: each one a skipped-row record unless only a few are kept. */
  "only malformed rows": {
    status: 200,
    prefix: '{"success":true,"data":{"products":[],"sales":[',
    unit: '{"SaleId":"x"},',
    suffix: '{"SaleId":"x"}]}}',
  },
  /** A failure whose body is long: read and dropped. */
  "a 500 with a long body": { status: 500, prefix: "", unit: "error! ", suffix: "" },
} as const satisfies Record<string, Omit<HostileBody, "bytes" | "declareLength">>;

export type HostileKind = keyof typeof HOSTILE_KINDS;

export interface HostileUpstream {
  url: string;
  /** What every merchant is answered from now on. */
  set(body: HostileBody): void;
  close(): Promise<void>;
}

export async function startHostileUpstream(): Promise<HostileUpstream> {
  let body: HostileBody | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (!body || !req.url?.startsWith("/user-pos/")) res.writeHead(404).end();
    else void send(res, body);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (b) => {
      body = b;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The hostile body after its head; see flood-body.ts. */
async function send(res: ServerResponse, b: HostileBody): Promise<void> {
  res.writeHead(b.status, {
    "content-type": "application/json",
    ...(b.declareLength ? { "content-length": String(b.bytes) } : {}),
  });
  await writeFlood(res, b);
}
