import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the receiver got it: the exact body bytes and the headers. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  deliveryId: string;
  json: unknown;
}

/** What the receiver does with a request: answer with a status, or never answer (until closed). */
export type Reply = number | "hang";

/**
 * A real HTTP receiver on 127.0.0.1 for outgoing webhooks. `reply` decides each answer (default 200);
 * `seen` holds every request in arrival order; `waitFor(n)` resolves once n have arrived.
 */
export async function startReceiver(reply: (r: Received, nth: number) => Reply = () => 200) {
  const seen: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const hung: ServerResponse[] = [];
  const state = { reply };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const r: Received = {
        path: req.url ?? "",
        headers: req.headers,
        raw,
        deliveryId: String(req.headers["x-delivery-id"] ?? ""),
        json: JSON.parse(raw.toString("utf8")),
      };
      seen.push(r);
      const answer = state.reply(r, seen.length);
      if (answer === "hang") hung.push(res);
      else res.writeHead(answer, { "content-type": "text/plain" }).end("ok");
      for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    seen,
    state,
    waitFor: (n: number) =>
      new Promise<void>((resolve) => {
        if (seen.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Whether `X-Signature` is `sha256=` the HMAC-SHA256 of exactly these bytes with the secret. */
export function signatureValid(r: Received, secret: string): boolean {
  const header = String(r.headers["x-signature"] ?? "");
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(r.raw).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Resolves once `check` holds, polling every 20 ms (gives up after `ms` with the last error). */
export async function eventually<T>(check: () => Promise<T> | T, ms = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() - started > ms) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
