/**
 * One mock API on its own socket (the BTCPay and LNbits mocks' standalone servers): its handler first,
 * the API's own 404 for anything else, and a stop that ends every connection at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Listening {
  /** e.g. "http://127.0.0.1:41234", no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listenMock(
  handle: (req: IncomingMessage, res: ServerResponse) => boolean,
  notFoundBody: string,
  opts: { host?: string | undefined; port?: number | undefined },
): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (handle(req, res)) return;
    req.resume();
    res.writeHead(404, { "content-type": "application/json" }).end(notFoundBody);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
