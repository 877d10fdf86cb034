import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MilestoneTrigger, Summary, TickerRow } from "../api/types";
import { LiveClient } from "./client";
import type { EventSourceLike, LiveApi } from "./options";

/** A minimal stand-in for the browser's EventSource, driven by the test. */
class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  static last(): FakeEventSource {
    const es = FakeEventSource.instances.at(-1);
    if (!es) throw new Error("no EventSource was created");
    return es;
  }
  readyState = 0;
  closed = false;
  readonly url: string;
  private readonly listeners = new Map<string, ((event: MessageEvent) => void)[]>();
  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  private fire(type: string, init: { data?: string; lastEventId?: string } = {}): void {
    const event = { type, data: init.data ?? "", lastEventId: init.lastEventId ?? "" } as MessageEvent;
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
  open(): void {
    this.readyState = 1;
    this.fire("open");
  }
  /** A transient failure: the browser will reconnect by itself (readyState CONNECTING). */
  fail(): void {
    this.readyState = 0;
    this.fire("error");
  }
  /** A fatal failure: the browser gave up on this source (readyState CLOSED). */
  failClosed(): void {
    this.readyState = 2;
    this.fire("error");
  }
  emit(type: string, data: unknown, id?: string): void {
    this.fire(type, { data: JSON.stringify(data), lastEventId: id ?? "" });
  }
}

const summary = (total: number): Summary => ({
  total_transactions: total,
  total_volume_sats: total * 1000,
  average_transaction_size: 1000,
  active_merchants: 2,
  reporting_merchants: 2,
  total_merchants: 3,
  unique_products: 4,
  transactions_per_minute: 1.5,
  volume_per_minute: 1500,
  rate_window_seconds: 300,
  fiat_volume: [],
});

const sale = (id: number, merchant = "173", at = `2025-11-10T14:00:${String(id % 60).padStart(2, "0")}Z`) =>
  ({
    sale_id: id,
    merchant_id: merchant,
    merchant_alias: `M${merchant}`,
    amount_sats: 100 * id,
    sale_date: at,
    source: "pwf",
  }) satisfies TickerRow;

const trigger = (id: number): MilestoneTrigger => ({
  id,
  milestone_id: id,
  name: `Milestone ${id}`,
  type: "volume",
  threshold: 1000 * id,
  triggered_at: "2025-11-10T14:00:00Z",
  total_transactions: 10,
  total_volume_sats: 1000 * id,
});

function fakeApi() {
  const api = {
    summaryValue: summary(1),
    tickerValue: [] as TickerRow[],
    triggersValue: [] as MilestoneTrigger[],
    fail: false,
    calls: 0,
    summary: vi.fn(async () => {
      api.calls++;
      if (api.fail) throw new Error("Cannot reach the server");
      return api.summaryValue;
    }),
    ticker: vi.fn(async (_limit: number) => {
      if (api.fail) throw new Error("Cannot reach the server");
      return api.tickerValue;
    }),
    triggers: vi.fn(async () => {
      if (api.fail) throw new Error("Cannot reach the server");
      return api.triggersValue;
    }),
  };
  return api satisfies LiveApi;
}

function setup(options: { EventSource?: typeof FakeEventSource | null } = {}) {
  const api = fakeApi();
  const client = new LiveClient({
    api,
    EventSource: options.EventSource === undefined ? FakeEventSource : options.EventSource,
    tickerLimit: 5,
    pollIntervalMs: 5000,
    maxStreamErrors: 3,
    streamRetryMs: 10_000,
    maxStreamRetryMs: 40_000,
  });
  const milestones: MilestoneTrigger[] = [];
  client.onMilestone((t) => milestones.push(t));
  return { api, client, milestones };
}

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2025-11-10T14:30:00Z"));
});

afterEach(() => {
  vi.useRealTimers();
});

describe("LiveClient: stream", () => {
  it("loads a REST snapshot, opens the stream and goes live", async () => {
    const { api, client } = setup();
    api.tickerValue = [sale(2), sale(1)];
    client.start();
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(FakeEventSource.last().url).toBe("/v1/stream");
    expect(client.getState().status).toBe("connecting");
    FakeEventSource.last().open();
    expect(client.getState().status).toBe("live");
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getState().summary?.total_transactions).toBe(1);
    expect(client.getState().ticker.map((r) => r.sale_id)).toEqual([2, 1]);
    client.stop();
  });

  it("fetches summary, ticker and triggers once on load, when the stream opens", async () => {
    const { api, client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeEventSource.last().open();
    await vi.advanceTimersByTimeAsync(0);
    // Also when the stream opens while the first answers are still on their way.
    const slow = setup();
    slow.client.start();
    FakeEventSource.last().open();
    await vi.advanceTimersByTimeAsync(0);
    for (const a of [api, slow.api]) {
      expect(a.summary).toHaveBeenCalledTimes(1);
      expect(a.ticker).toHaveBeenCalledTimes(1);
      expect(a.triggers).toHaveBeenCalledTimes(1);
    }
    expect(slow.client.getState().summary?.total_transactions).toBe(1);
    client.stop();
    slow.client.stop();
  });

  it("shows the data of a stream refused from the start", async () => {
    const { api, client } = setup();
    client.start();
    FakeEventSource.last().failClosed();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.summary).toHaveBeenCalledTimes(1);
    expect(client.getState().summary?.total_transactions).toBe(1);
    client.stop();
  });

  it("applies sale and summary events, newest first, trimmed to the limit", async () => {
    const { client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.open();
    for (let i = 1; i <= 7; i++) es.emit("sale", sale(i), String(i));
    es.emit("summary", summary(99), "8");
    const state = client.getState();
    expect(state.ticker.map((r) => r.sale_id)).toEqual([7, 6, 5, 4, 3]);
    expect(state.summary?.total_transactions).toBe(99);
    expect(state.lastEventId).toBe("8");
    client.stop();
  });

  it("dedupes sales by merchant_id + sale_id, across the stream and REST", async () => {
    const { api, client } = setup();
    api.tickerValue = [sale(1, "173")];
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.open();
    await vi.advanceTimersByTimeAsync(0);
    const versionBefore = client.getState().version;
    es.emit("sale", sale(1, "173")); // already in the REST snapshot
    es.emit("sale", sale(2, "173"));
    es.emit("sale", sale(2, "173")); // replayed
    es.emit("sale", sale(2, "174")); // same sale id, other merchant: a different sale
    expect(client.getState().ticker.map((r) => `${r.merchant_id}:${r.sale_id}`)).toEqual([
      "174:2",
      "173:2",
      "173:1",
    ]);
    expect(client.getState().version).toBe(versionBefore + 2);
    client.stop();
  });

  it("ignores malformed events", async () => {
    const { client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.open();
    (es as unknown as { fire(t: string, i: { data: string }): void }).fire("sale", { data: "{not json" });
    es.emit("sale", { nonsense: true });
    expect(client.getState().ticker).toEqual([]);
    client.stop();
  });

  it("leaves a transiently failing source to the browser, so it resends Last-Event-ID", async () => {
    const { api, client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.open();
    es.emit("sale", sale(1), "41");
    await vi.advanceTimersByTimeAsync(0);
    const fetchesBefore = api.calls;
    es.fail();
    expect(client.getState().status).toBe("reconnecting");
    expect(es.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(30_000);
    // Same EventSource object (the browser reconnects with Last-Event-ID: 41); no replacement.
    expect(FakeEventSource.instances).toHaveLength(1);
    es.open();
    expect(client.getState().status).toBe("live");
    expect(client.getState().lastEventId).toBe("41");
    await vi.advanceTimersByTimeAsync(0);
    // A resumed source replays what was missed; no REST refetch is needed.
    expect(api.calls).toBe(fetchesBefore);
    client.stop();
  });

  it("replaces a source the browser closed and refetches over REST once the new one opens", async () => {
    const { api, client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeEventSource.last();
    first.open();
    await vi.advanceTimersByTimeAsync(0);
    first.failClosed();
    expect(client.getState().status).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeEventSource.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeEventSource.instances).toHaveLength(2);
    const resyncsBefore = client.getState().resyncs;
    const fetchesBefore = api.calls;
    api.summaryValue = summary(50);
    FakeEventSource.last().open();
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls).toBe(fetchesBefore + 1);
    expect(client.getState().summary?.total_transactions).toBe(50);
    expect(client.getState().resyncs).toBe(resyncsBefore + 1);
    client.stop();
  });

  it("ignores events from a source it has replaced", async () => {
    const { client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const first = FakeEventSource.last();
    first.failClosed();
    await vi.advanceTimersByTimeAsync(1000);
    first.emit("sale", sale(9));
    expect(client.getState().ticker).toEqual([]);
    client.stop();
  });
});

describe("LiveClient: fallback polling", () => {
  it("polls every 5 s after repeated errors, keeps retrying the stream and returns to live", async () => {
    const { api, client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.fail();
    es.fail();
    expect(client.getState().status).toBe("reconnecting");
    es.fail();
    expect(client.getState().status).toBe("polling");
    expect(es.closed).toBe(true);

    const calls = api.calls;
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls).toBe(calls + 1); // immediate poll
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.calls).toBe(calls + 2);
    api.summaryValue = summary(7);
    await vi.advanceTimersByTimeAsync(4000);
    expect(api.calls).toBe(calls + 2);
    expect(FakeEventSource.instances).toHaveLength(1);

    // Stream retry after 10 s; a failing retry is dropped and retried after 20 s.
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.getState().summary?.total_transactions).toBe(7);
    expect(FakeEventSource.instances).toHaveLength(2);
    FakeEventSource.last().failClosed();
    expect(client.getState().status).toBe("polling");
    expect(FakeEventSource.last().closed).toBe(true);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(FakeEventSource.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeEventSource.instances).toHaveLength(3);

    FakeEventSource.last().open();
    expect(client.getState().status).toBe("live");
    await vi.advanceTimersByTimeAsync(0);
    const afterLive = api.calls;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls).toBe(afterLive); // polling stopped
    client.stop();
  });

  it("polls from the start when EventSource is unsupported, and never tries a stream", async () => {
    const { api, client } = setup({ EventSource: null });
    client.start();
    expect(client.getState().status).toBe("polling");
    expect(client.getState().streamSupported).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    const calls = api.calls;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(api.calls).toBe(calls + 3);
    expect(FakeEventSource.instances).toHaveLength(0);
    client.stop();
  });

  it("records a polling failure, keeps the last data, and clears the error when the server is back", async () => {
    const { api, client } = setup({ EventSource: null });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getState().summary?.total_transactions).toBe(1);
    const freshAt = client.getState().freshAt;
    api.fail = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.getState().error).toBe("Cannot reach the server");
    expect(client.getState().summary?.total_transactions).toBe(1);
    expect(client.getState().freshAt).toBe(freshAt);
    api.fail = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.getState().error).toBeNull();
    expect(client.getState().freshAt).toBeGreaterThan(freshAt ?? 0);
    client.stop();
  });

  it("stops every timer on stop()", async () => {
    const { api, client } = setup({ EventSource: null });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    client.stop();
    const calls = api.calls;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls).toBe(calls);
  });
});

describe("LiveClient: reset and milestones", () => {
  it("refetches everything on `reset`, keeping newer stream sales", async () => {
    const { api, client } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.open();
    await vi.advanceTimersByTimeAsync(0);
    api.summaryValue = summary(500);
    api.tickerValue = [sale(30), sale(29)];
    const calls = api.calls;
    const resyncs = client.getState().resyncs;
    es.emit("reset", {}, "100");
    expect(client.getState().resyncs).toBe(resyncs + 1);
    es.emit("sale", sale(31), "101"); // arrives while the refetch is in flight
    await vi.advanceTimersByTimeAsync(0);
    expect(api.calls).toBe(calls + 1);
    expect(client.getState().summary?.total_transactions).toBe(500);
    expect(client.getState().ticker.map((r) => r.sale_id)).toEqual([31, 30, 29]);
    client.stop();
  });

  it("announces stream milestones once, never the REST history", async () => {
    const { api, client, milestones } = setup();
    api.triggersValue = [trigger(2), trigger(1)]; // history at page load
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const es = FakeEventSource.last();
    es.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(milestones).toEqual([]);
    es.emit("milestone", trigger(2)); // history replayed: not announced
    es.emit("milestone", trigger(3));
    es.emit("milestone", trigger(3)); // duplicate
    expect(milestones.map((m) => m.id)).toEqual([3]);
    client.stop();
  });

  it("hands each scenes event's playlist to its listeners, and ignores a malformed one", async () => {
    const { client } = setup();
    const lists: string[][] = [];
    const off = client.onScenes((scenes) => lists.push(scenes.map((s) => s.id)));
    client.start();
    const es = FakeEventSource.last();
    es.open();
    const at = "2025-11-10T14:00:00Z";
    const merch = { id: "merch", name: "Merch", duration: 9000, enabled: true, order: 1, content: "Cap" };
    es.emit("scenes", { scenes: [{ ...merch, created_at: at, updated_at: at }] });
    es.emit("scenes", { nope: true });
    expect(lists).toEqual([["merch"]]);
    off();
    es.emit("scenes", { scenes: [] });
    expect(lists).toEqual([["merch"]]);
    client.stop();
  });

  it("finds milestones missed while polling in the REST list", async () => {
    const { api, client, milestones } = setup({ EventSource: null });
    api.triggersValue = [trigger(1)];
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    api.triggersValue = [trigger(3), trigger(2), trigger(1)];
    await vi.advanceTimersByTimeAsync(5000);
    expect(milestones.map((m) => m.id)).toEqual([2, 3]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(milestones.map((m) => m.id)).toEqual([2, 3]);
    client.stop();
  });

  it("notifies subscribers with new state objects", async () => {
    const { client } = setup();
    const seen: string[] = [];
    const unsubscribe = client.subscribe((s) => seen.push(s.status));
    client.start();
    FakeEventSource.last().open();
    unsubscribe();
    FakeEventSource.last().fail();
    expect(seen).toContain("live");
    expect(seen).not.toContain("reconnecting");
    client.stop();
  });

  it("stops calling a silent stream live after two heartbeats, reopens it, and falls back to polling", async () => {
    const { client } = setup();
    client.start();
    const first = FakeEventSource.last();
    first.open();
    first.emit("ping", { interval_ms: 1000 });
    expect(client.getState().status).toBe("live");
    // Pings keep it live however long nothing else happens.
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      first.emit("ping", { interval_ms: 1000 });
    }
    expect(client.getState().status).toBe("live");
    const heardAt = Date.now();
    // Then nothing, while the browser still holds the connection open (a frozen server).
    await vi.advanceTimersByTimeAsync(7000);
    expect(client.getState().status).toBe("live");
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.getState()).toMatchObject({ status: "reconnecting", freshAt: heardAt });
    expect(first.closed).toBe(true);
    // A new stream is opened; if it stays silent too, the third silence means polling.
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeEventSource.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(client.getState().status).toBe("polling");
    client.stop();
  });

  it("does not redraw for a ping: it changes no data", async () => {
    const { client } = setup();
    client.start();
    FakeEventSource.last().open();
    await vi.advanceTimersByTimeAsync(0);
    const states: unknown[] = [];
    client.subscribe((st) => states.push(st));
    FakeEventSource.last().emit("ping", { interval_ms: 15000 });
    expect(states).toEqual([]);
    client.stop();
  });
});
