import { connect, type Socket } from "node:net";

/** A plain TCP client that writes bytes by hand (slow senders, half-sent requests) and records what comes back. */
export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far. */
  text(): string;
  /** Milliseconds from the start of connect() to the socket's close. */
  closed: Promise<number>;
  /** Writes `chunk` every `everyMs` until the socket closes. */
  trickle(chunk: string, everyMs: number): void;
  /** Resolves once the received text matches; rejects if the socket closes first. */
  received(pattern: RegExp, ms?: number): Promise<void>;
}

const open: Socket[] = [];

export function rawConnect(port: number): Promise<RawClient> {
  const started = Date.now();
  const socket = connect(port, "127.0.0.1");
  open.push(socket);
  let data = "";
  let isClosed = false;
  const waiters = new Set<() => void>();
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    data += chunk;
    for (const w of [...waiters]) w();
  });
  // A socket the server destroys at accept may end with a reset: that is a close like any other here.
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) =>
    socket.once("close", () => {
      isClosed = true;
      for (const w of [...waiters]) w();
      resolve(Date.now() - started);
    }),
  );
  const client: RawClient = {
    socket,
    text: () => data,
    closed,
    trickle(chunk, everyMs) {
      const timer = setInterval(() => {
        if (socket.writable) socket.write(chunk);
      }, everyMs);
      socket.once("close", () => clearInterval(timer));
    },
    received(pattern, ms = 5000) {
      return new Promise((resolve, reject) => {
        const settle = (error?: Error) => {
          waiters.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(data)) settle();
          else if (isClosed) settle(new Error(`closed without ${pattern}; got ${JSON.stringify(data)}`));
        };
        const timer = setTimeout(
          () => settle(new Error(`no ${pattern} in ${JSON.stringify(data)} within ${ms} ms`)),
          ms,
        );
        waiters.add(check);
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(client));
    socket.once("error", reject);
  });
}

/** Destroys every raw client still open (afterEach). */
export function destroyRawClients(): void {
  for (const s of open.splice(0)) s.destroy();
}
