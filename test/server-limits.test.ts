// Timeouts and connection caps against real sockets on 127.0.0.1: slow senders are answered 408 and
// closed within their configured bound, idle keep-alive sockets are closed, a live stream outlives
// every bound, and one address (or everyone together) can hold only so many connections.
// The bounds are configured small; each assertion is against the configured value plus a margin.
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../src/config/config.js";
import { checkIntervalMs } from "../src/http/server-limits.js";
import { createService, type Service } from "../src/service.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import { destroyRawClients, type RawClient, rawConnect } from "./support/raw-client.js";
import { openStream, type SseClient, waitFor } from "./support/sse.js";

/** Slack for a shared, busy machine between a bound passing and the close reaching the client. */
const MARGIN_MS = 1000;
/** Node keeps an idle keep-alive socket this much past the advertised timeout (its own constant). */
const NODE_KEEP_ALIVE_BUFFER_MS = 1000;

const SMALL: Partial<Config> = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 800,
  keepAliveTimeoutMs: 400,
  connectionTimeoutMs: 600,
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  destroyRawClients();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(overrides: Partial<Config> = {}) {
  const config = testConfig({ ...SMALL, ...overrides });
  const logs = captureLogger();
  const service: Service = await createService(config, { log: logs.log, ingest: "inline" });
  await service.app.listen({ host: "127.0.0.1", port: 0 });
  const streams: SseClient[] = [];
  cleanups.push(async () => {
    for (const s of streams) s.close();
    await service.stop();
  });
  const port = (service.app.server.address() as AddressInfo).port;
  return {
    config,
    service,
    port,
    logs,
    stream: async () => {
      const s = await openStream(`http://127.0.0.1:${port}/v1/stream`);
      streams.push(s);
      return s;
    },
  };
}

const LOGIN_HEAD =
  "POST /v1/admin/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";

/** A served request on `c` (keep-alive): the socket has been accepted and counted. */
async function health(c: RawClient, nth = 1): Promise<void> {
  c.socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  await c.received(new RegExp(`(HTTP/1.1 200 OK[^]*?){${nth}}`));
}

describe("slow senders", () => {
  it("headers trickled a line at a time → 408 and closed within HEADERS_TIMEOUT", async () => {
    const { config, port } = await serve();
    const bound = config.headersTimeoutMs + checkIntervalMs(config);
    const clients = await Promise.all(Array.from({ length: 20 }, () => rawConnect(port)));
    for (const c of clients) {
      c.socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n");
      // Never idle, so this is the header bound at work, not CONNECTION_TIMEOUT.
      c.trickle("X-Slow: y\r\n", 50);
    }
    const closedAfter = await Promise.all(clients.map((c) => c.closed));
    for (const [i, ms] of closedAfter.entries()) {
      expect(ms).toBeGreaterThanOrEqual(config.headersTimeoutMs);
      expect(ms).toBeLessThan(bound + MARGIN_MS);
      expect(clients[i]?.text()).toMatch(/^HTTP\/1\.1 408 /);
    }
  });

  it("a connection that sends nothing is closed within HEADERS_TIMEOUT", async () => {
    const { config, port } = await serve({ connectionTimeoutMs: 60_000 });
    const c = await rawConnect(port);
    const ms = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(config.headersTimeoutMs);
    expect(ms).toBeLessThan(config.headersTimeoutMs + checkIntervalMs(config) + MARGIN_MS);
    expect(c.text()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("the login's body trickled a byte at a time → 408 and closed within REQUEST_TIMEOUT", async () => {
    const { config, port } = await serve();
    const clients = await Promise.all(Array.from({ length: 20 }, () => rawConnect(port)));
    for (const c of clients) {
      c.socket.write(`${LOGIN_HEAD}{"token": "`);
      c.trickle("x", 50);
    }
    const closedAfter = await Promise.all(clients.map((c) => c.closed));
    for (const [i, ms] of closedAfter.entries()) {
      expect(ms).toBeGreaterThanOrEqual(config.requestTimeoutMs);
      expect(ms).toBeLessThan(config.requestTimeoutMs + checkIntervalMs(config) + MARGIN_MS);
      expect(clients[i]?.text()).toMatch(/^HTTP\/1\.1 408 /);
    }
    // Refused before the route saw them: none counted as a failed login (20 would be over the limit).
    const body = JSON.stringify({ token: TEST_TOKEN });
    const login = await rawConnect(port);
    login.socket.write(LOGIN_HEAD.replace("100000", String(body.length)) + body);
    await login.received(/^HTTP\/1\.1 200 /);
  });

  it("a sender that goes quiet mid-request is closed after CONNECTION_TIMEOUT", async () => {
    const { config, port } = await serve({ headersTimeoutMs: 5000, requestTimeoutMs: 5000 });
    const c = await rawConnect(port);
    c.socket.write("GET /v1/health HTTP/1.1\r\n");
    const ms = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(config.connectionTimeoutMs);
    expect(ms).toBeLessThan(config.connectionTimeoutMs + MARGIN_MS);
  });
});

describe("keep-alive", () => {
  it("an idle keep-alive socket can be reused, then is closed after KEEP_ALIVE_TIMEOUT", async () => {
    // A whole second, so that the advertised Keep-Alive header says 1 (Node rounds down to seconds).
    const { config, port } = await serve({ keepAliveTimeoutMs: 1000 });
    const c = await rawConnect(port);
    await health(c);
    expect(c.text()).toContain("Keep-Alive: timeout=1");
    await new Promise((r) => setTimeout(r, config.keepAliveTimeoutMs / 2));
    await health(c, 2);
    const answeredAt = Date.now();
    await c.closed;
    const idle = Date.now() - answeredAt;
    expect(idle).toBeLessThan(config.keepAliveTimeoutMs + NODE_KEEP_ALIVE_BUFFER_MS + MARGIN_MS);
  });
});

describe("the live stream", () => {
  it("stays open, quiet, past every bound, and still receives", async () => {
    const { config, service, stream } = await serve();
    const s = await stream();
    expect(s.status).toBe(200);
    let ended = false;
    void s.ended.then(() => {
      ended = true;
    });
    const longest = Math.max(
      config.headersTimeoutMs,
      config.requestTimeoutMs,
      config.keepAliveTimeoutMs + NODE_KEEP_ALIVE_BUFFER_MS,
      config.connectionTimeoutMs,
    );
    // Nothing at all is sent in this time (the heartbeat is 15 s away).
    await new Promise((r) => setTimeout(r, longest + checkIntervalMs(config) + 300));
    expect(ended).toBe(false);
    expect(service.hub.clientCount).toBe(1);
    service.hub.publish("reset", {});
    await waitFor(() => s.events.some((e) => e.event === "reset"));
    expect(ended).toBe(false);
  });
});

describe("connection caps", () => {
  it("MAX_CONNECTIONS_PER_IP: one more connection is closed at accept; a freed slot is usable again", async () => {
    const { service, port, stream, logs } = await serve({
      ...longTimeouts,
      maxConnectionsPerIp: 3,
    });
    const s = await stream();
    const a = await rawConnect(port);
    const b = await rawConnect(port);
    await health(a);
    await health(b);

    const over = await rawConnect(port);
    over.socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    await over.closed;
    expect(over.text()).toBe("");
    expect(logs.messages()).toContainEqual(
      expect.stringMatching(/refused 1 connection.*MAX_CONNECTIONS_PER_IP=3/),
    );

    // Those already open are untouched.
    await health(a, 2);
    service.hub.publish("reset", {});
    await waitFor(() => s.events.some((e) => e.event === "reset"));

    // Once one closes, its slot is free (the server sees the close a moment after the client does).
    b.socket.destroy();
    await b.closed;
    let served = false;
    for (let i = 0; i < 50 && !served; i++) {
      const next = await rawConnect(port);
      next.socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
      served = await next.received(/^HTTP\/1\.1 200 /).then(
        () => true,
        () => false,
      );
    }
    expect(served).toBe(true);
  });

  it("MAX_CONNECTIONS bounds everyone together; MAX_CONNECTIONS_PER_IP=0 is no bound per address", async () => {
    const { port, logs } = await serve({
      ...longTimeouts,
      maxConnectionsPerIp: 0,
      maxStreamClients: 2,
      maxConnections: 3,
    });
    const clients = [await rawConnect(port), await rawConnect(port), await rawConnect(port)];
    for (const c of clients) await health(c);
    const over = await rawConnect(port);
    over.socket.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    await over.closed;
    expect(over.text()).toBe("");
    expect(logs.messages()).toContainEqual(expect.stringMatching(/refused 1 connection.*MAX_CONNECTIONS=3/));
  });
});

/** For the cap tests: nothing closes on its own while they run. */
const longTimeouts: Partial<Config> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  connectionTimeoutMs: 10_000,
};
