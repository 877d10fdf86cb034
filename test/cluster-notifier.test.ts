/**
 * Live push across instances on a real PostgreSQL (the run's throwaway cluster): two notifiers are two instances.
 * Connections a test breaks go through a TCP proxy (test/support/tcp-proxy.ts) or are ended by the
 * server (pg_terminate_backend). Waits are generous and only wait for something to happen.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ClusterNotifier, type ClusterNotifierOptions } from "../src/cluster/cluster-notifier.js";
import type { ClusterMessage } from "../src/cluster/notify-message.js";
import { type OpenedPostgres, openPostgres } from "../src/store/postgres/open.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";
import { emptyTestDatabase } from "./support/test-database.js";

const WAIT = { timeout: 10_000, interval: 20 };

let database: Awaited<ReturnType<typeof emptyTestDatabase>>;
let store: OpenedPostgres;
const running: ClusterNotifier[] = [];
const proxies: TcpProxy[] = [];
let counter = 0;

beforeAll(async () => {
  database = await emptyTestDatabase();
  store = await openPostgres(database.url, { max: 2, applicationName: "test-notify" });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.stop()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

interface Instance {
  id: string;
  notifier: ClusterNotifier;
  messages: ClusterMessage[];
  resyncs: number;
  warnings: string[];
}

/** A notifier as one instance runs it; short reconnection waits so that tests do not idle. */
function instance(name: string, overrides: Partial<ClusterNotifierOptions> = {}): Instance {
  const id = `${name}-${process.pid}-${counter++}`;
  const messages: ClusterMessage[] = [];
  const warnings: string[] = [];
  const note = (prefix: string) => (first: unknown, msg?: string) =>
    warnings.push(`${prefix}${msg ?? first}`);
  const log = { info: () => {}, warn: note(""), error: note("error: ") };
  const made: Instance = { id, messages, warnings, resyncs: 0, notifier: undefined as never };
  made.notifier = new ClusterNotifier({
    url: database.url,
    instanceId: id,
    channel: `test_${process.pid}_${counter}`,
    onMessage: (m) => messages.push(m),
    onResync: () => {
      made.resyncs++;
    },
    log: log as unknown as ClusterNotifierOptions["log"],
    reconnect: { initialMs: 10, maxMs: 100 },
    ...overrides,
  });
  running.push(made.notifier);
  return made;
}

/** Two instances on one channel, both listening; B's options may be changed. */
async function pair(overridesB: Partial<ClusterNotifierOptions> = {}) {
  const channel = `pair_${process.pid}_${counter}`;
  const a = instance("a", { channel });
  const b = instance("b", { channel, ...overridesB });
  expect(await a.notifier.start()).toBe(true);
  expect(await b.notifier.start()).toBe(true);
  return { a, b };
}

async function proxyToDatabase(): Promise<{ proxy: TcpProxy; url: string }> {
  const url = new URL(database.url);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
  proxies.push(proxy);
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

describe("cluster notifier", () => {
  it("a message sent by A reaches B, and A is not handed its own", async () => {
    const { a, b } = await pair();
    expect(await a.notifier.notify("sale", { merchant_id: "m1", sale_ids: [1, 2] })).toBe(true);
    await vi.waitFor(() => expect(b.messages).toHaveLength(1), WAIT);
    expect(b.messages[0]).toEqual({
      kind: "sale",
      payload: { merchant_id: "m1", sale_ids: [1, 2] },
      origin: a.id,
    });
    expect(await b.notifier.notify("settings", {})).toBe(true);
    // A's own message was committed before B's: had it come back, it would be first.
    await vi.waitFor(() => expect(a.messages).toHaveLength(1), WAIT);
    expect(a.messages[0]?.origin).toBe(b.id);
  });

  it("sends one statement at a time on its connection, however many notices come at once", async () => {
    const { a, b } = await pair({ pingMs: 5 });
    // Statements in flight per connection, as the driver is handed them (pg 9 will refuse a second).
    const inFlight = new Map<object, number>();
    let most = 0;
    const query = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (
      this: pg.Client,
      ...args
    ) {
      inFlight.set(this, (inFlight.get(this) ?? 0) + 1);
      most = Math.max(most, inFlight.get(this) ?? 0);
      const settled = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      const result = (query as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) result.then(settled, settled);
      return result as never;
    });
    try {
      const sent = await Promise.all(
        Array.from({ length: 20 }, (_, id) => a.notifier.notify("sale", { id })),
      );
      expect(sent.every(Boolean)).toBe(true);
      await vi.waitFor(() => expect(b.messages).toHaveLength(20), WAIT);
    } finally {
      spy.mockRestore();
    }
    expect(most).toBe(1);
    expect(b.messages.map((m) => (m.payload as { id: number }).id)).toEqual([...Array(20).keys()]);
  });

  it("an unreadable message or a failing handler is logged, and delivery goes on", async () => {
    const channel = `odd_${process.pid}_${counter}`;
    const a = instance("a", { channel });
    let calls = 0;
    const b = instance("b", {
      channel,
      onMessage: (m) => {
        if (calls++ === 0) throw new Error("handler bug");
        b.messages.push(m);
      },
    });
    await a.notifier.start();
    await b.notifier.start();
    await store.pool.query("select pg_notify($1, 'not json'), pg_notify($1, '{\"k\":1}')", [channel]);
    await a.notifier.notify("first", {});
    await a.notifier.notify("second", {});
    await vi.waitFor(() => expect(b.messages.map((m) => m.kind)).toEqual(["second"]), WAIT);
    expect(b.warnings.filter((w) => w.includes("unreadable"))).toHaveLength(2);
    expect(b.warnings.filter((w) => w.includes("handler failed"))).toHaveLength(1);
  });

  it("inside a transaction a message goes out on commit, and never on rollback", async () => {
    const { a, b } = await pair();
    await expect(
      store.db.transaction().execute(async (tx) => {
        await a.notifier.notifyIn(tx, "sale", { id: "rolled back" });
        throw new Error("the write failed");
      }),
    ).rejects.toThrow("the write failed");
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("begin");
      await a.notifier.notifyIn(client, "sale", { id: "rolled back too" });
      await client.query("rollback");
    } finally {
      await client.end();
    }
    await store.db.transaction().execute(async (tx) => {
      await a.notifier.notifyIn(tx, "sale", { id: "committed" });
      // Sent outside the transaction while it is open: it arrives, the one inside does not yet.
      await a.notifier.notify("marker", {});
      await vi.waitFor(() => expect(b.messages.map((m) => m.kind)).toContain("marker"), WAIT);
      expect(b.messages.map((m) => m.payload)).toEqual([{}]);
    });
    await vi.waitFor(() => expect(b.messages).toHaveLength(2), WAIT);
    // In order of commit; neither rolled-back one came, or it would stand before the marker.
    expect(b.messages.map((m) => m.payload)).toEqual([{}, { id: "committed" }]);
  });

  it("refuses a payload of 8000 bytes or more before sending it, and carries one just under", async () => {
    const { a, b } = await pair();
    await expect(a.notifier.notify("big", "é".repeat(4000))).rejects.toThrow(RangeError);
    await expect(
      store.db.transaction().execute((tx) => a.notifier.notifyIn(tx, "big", "x".repeat(8000))),
    ).rejects.toThrow(RangeError);
    // {"k":"big","p":"…","o":"<id>"}: the envelope plus the text, under 8000 bytes in all.
    const text = "x".repeat(7900 - a.id.length);
    expect(await a.notifier.notify("big", text)).toBe(true);
    await vi.waitFor(() => expect(b.messages).toHaveLength(1), WAIT);
    expect(b.messages[0]?.payload).toBe(text);
  });

  it("after pg_terminate_backend of its listening connection, B listens again, resyncs, and receives", async () => {
    const { a, b } = await pair();
    const ended = await store.pool.query(
      "select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = $1",
      [`live-pos-dashboard-listen-${b.id}`],
    );
    expect(ended.rows).toEqual([{ ended: true }]);
    await vi.waitFor(() => expect(b.resyncs).toBe(1), WAIT);
    expect(b.notifier.connected).toBe(true);
    expect(b.warnings.some((w) => w.includes("connection lost"))).toBe(true);
    expect(await a.notifier.notify("sale", { id: 7 })).toBe(true);
    await vi.waitFor(() => expect(b.messages.map((m) => m.payload)).toEqual([{ id: 7 }]), WAIT);
    expect(a.resyncs).toBe(0);
  });

  it("while PostgreSQL refuses connections it retries without failing, and catches up once back", async () => {
    const { proxy, url } = await proxyToDatabase();
    const { a, b } = await pair({ url });
    await proxy.refuse();
    await vi.waitFor(() => expect(b.notifier.connected).toBe(false), WAIT);
    // Several refused attempts, each logged, none thrown.
    await vi.waitFor(
      () => expect(b.warnings.filter((w) => w.includes("cannot listen")).length).toBeGreaterThan(2),
      WAIT,
    );
    expect(b.resyncs).toBe(0);
    await proxy.accept();
    await vi.waitFor(() => expect(b.resyncs).toBe(1), WAIT);
    expect(b.notifier.connected).toBe(true);
    expect(await a.notifier.notify("sale", { id: 8 })).toBe(true);
    await vi.waitFor(() => expect(b.messages.map((m) => m.payload)).toEqual([{ id: 8 }]), WAIT);
  });

  it("a connection gone silent is noticed by its unanswered ping and replaced", async () => {
    const { proxy, url } = await proxyToDatabase();
    const { a, b } = await pair({ url, pingMs: 100 });
    const before = proxy.accepted;
    proxy.freeze();
    await vi.waitFor(() => expect(b.resyncs).toBe(1), WAIT);
    expect(proxy.accepted).toBe(before + 1);
    expect(await a.notifier.notify("sale", { id: 9 })).toBe(true);
    await vi.waitFor(() => expect(b.messages.map((m) => m.payload)).toEqual([{ id: 9 }]), WAIT);
  });

  it("stop() closes the connection and ends the retries; nothing is sent after it", async () => {
    const { proxy, url } = await proxyToDatabase();
    const b = instance("b", { url });
    expect(await b.notifier.start()).toBe(true);
    await b.notifier.stop();
    expect(b.notifier.connected).toBe(false);
    expect(await b.notifier.notify("sale", {})).toBe(false);
    const listeners = () =>
      store.pool.query<{ n: number }>(
        "select count(*) as n from pg_stat_activity where application_name = $1",
        [`live-pos-dashboard-listen-${b.id}`],
      );
    // The server ends its side once the client's goodbye arrives.
    await vi.waitFor(async () => expect((await listeners()).rows).toEqual([{ n: 0 }]), WAIT);
    // Stopped while waiting to retry: its timer goes (a minute's wait, so it is surely waiting).
    await proxy.refuse();
    const c = instance("c", { url, reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    expect(await c.notifier.start()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const waiting = timers();
    await c.notifier.stop();
    expect(timers()).toBe(waiting - 1);
    expect(c.warnings.filter((w) => w.includes("cannot listen"))).toHaveLength(1);
    expect(c.resyncs).toBe(0);
  });
});
