/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL, so a test can do to a client's connection what the
 * network or a restart does: cut it, refuse new ones for a while, or go silent without closing it.
 */
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** Connections made through the proxy so far. */
  readonly accepted: number;
  /** Ends every connection through the proxy (as a restart or a reset does). */
  cut(): void;
  /** Stops listening: new connections are refused until accept(). */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  /** Existing connections stop carrying anything, both ways, and stay open (a partition). */
  freeze(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let accepted = 0;
  const server = net.createServer((inbound) => {
    accepted++;
    const outbound = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    pairs.add(pair);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", end).on("close", end);
    outbound.on("error", end).on("close", end);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
  };
  const refuse = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut,
    refuse: async () => {
      const closed = refuse();
      cut();
      await closed;
    },
    accept: () => listen(port),
    freeze: () => {
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    close: async () => {
      const closed = server.listening ? refuse() : Promise.resolve();
      cut();
      await closed;
    },
  };
}
