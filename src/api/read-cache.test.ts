import { describe, expect, it } from "vitest";
import { ReadCache } from "./read-cache.js";

function setup(
  opts: {
    maxStaleMs?: number;
    maxStaleWhileRefreshingMs?: number;
    refreshAfterMs?: number;
    minRefreshMs?: number;
    maxEntries?: number;
  } = {},
) {
  const clock = { now: 1_000 };
  const cache = new ReadCache({
    maxStaleMs: opts.maxStaleMs ?? 1000,
    refreshAfterMs: opts.refreshAfterMs ?? 250,
    ...(opts.minRefreshMs === undefined ? {} : { minRefreshMs: opts.minRefreshMs }),
    ...(opts.maxEntries === undefined ? {} : { maxEntries: opts.maxEntries }),
    ...(opts.maxStaleWhileRefreshingMs === undefined
      ? {}
      : { maxStaleWhileRefreshingMs: opts.maxStaleWhileRefreshingMs }),
    now: () => clock.now,
  });
  let value = 0;
  let calls = 0;
  const gates: (() => void)[] = [];
  /** A computation that answers the current `value` once released (or at once when not gated). */
  const compute = (gated = false) => {
    return () => {
      calls++;
      const answer = value;
      if (!gated) return Promise.resolve(answer);
      return new Promise<number>((resolve) => gates.push(() => resolve(answer)));
    };
  };
  return {
    cache,
    clock,
    compute,
    set: (v: number) => {
      value = v;
    },
    calls: () => calls,
    release: () => {
      for (const g of gates.splice(0)) g();
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("ReadCache", () => {
  it("returns a fresh answer as it is, in the same turn; a miss as a promise", async () => {
    const t = setup();
    t.set(1);
    const miss = t.cache.get("k", t.compute());
    expect(miss).toBeInstanceOf(Promise);
    await miss;
    expect(t.cache.get("k", t.compute())).toBe(1);
  });

  it("counts an answer's age from when it landed: one slower than maxStaleMs is still sent at once", async () => {
    const t = setup({ maxStaleMs: 1000, refreshAfterMs: 5000 });
    t.set(1);
    const miss = t.cache.get("k", t.compute(true));
    t.clock.now += 1500; // the computation takes longer than answers may be old
    t.release();
    await miss;
    expect(t.cache.get("k", t.compute())).toBe(1);
    t.clock.now += 999;
    expect(t.cache.get("k", t.compute())).toBe(1);
    expect(t.calls()).toBe(1);
    t.clock.now += 1;
    expect(t.cache.get("k", t.compute())).toBeInstanceOf(Promise);
  });

  it("sends the previous answer while its background refresh is under way, up to maxStaleWhileRefreshingMs", async () => {
    const t = setup({ maxStaleMs: 1000, maxStaleWhileRefreshingMs: 5000, refreshAfterMs: 500 });
    t.set(1);
    await t.cache.get("k", t.compute());
    t.set(2);
    t.clock.now += 600; // old enough to refresh: a slow refresh starts in the background
    expect(t.cache.get("k", t.compute(true))).toBe(1);
    t.clock.now += 1400; // past maxStaleMs, the refresh still running
    expect(t.cache.get("k", t.compute())).toBe(1);
    expect(t.calls()).toBe(2);
    t.clock.now += 3000; // past maxStaleWhileRefreshingMs: this request waits for the refresh
    const waited = t.cache.get("k", t.compute());
    expect(waited).toBeInstanceOf(Promise);
    t.release();
    expect(await waited).toBe(2);
    expect(t.cache.get("k", t.compute())).toBe(2);
  });

  it("an answer that went stale with nobody asking is not sent while the refresh it needs runs", async () => {
    const t = setup({ maxStaleMs: 1000, maxStaleWhileRefreshingMs: 5000, refreshAfterMs: 500 });
    t.set(1);
    await t.cache.get("k", t.compute());
    t.set(2);
    t.clock.now += 2000;
    const first = t.cache.get("k", t.compute(true));
    const second = t.cache.get("k", t.compute());
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBeInstanceOf(Promise);
    t.release();
    expect([await first, await second]).toEqual([2, 2]);
  });

  it("with maxStaleMs 0 computes every time", async () => {
    const t = setup({ maxStaleMs: 0 });
    t.set(1);
    expect(await t.cache.get("k", t.compute())).toBe(1);
    t.set(2);
    expect(await t.cache.get("k", t.compute())).toBe(2);
    expect(t.calls()).toBe(2);
  });

  it("answers from the cache while young and unchanged, without computing", async () => {
    const t = setup();
    t.set(1);
    await t.cache.get("k", t.compute());
    t.set(2);
    t.clock.now += 200;
    expect(await t.cache.get("k", t.compute())).toBe(1);
    expect(t.calls()).toBe(1);
  });

  it("after a change answers the previous value once and refreshes in the background", async () => {
    const t = setup();
    t.set(1);
    await t.cache.get("k", t.compute());
    t.set(2);
    t.cache.invalidate();
    expect(await t.cache.get("k", t.compute())).toBe(1);
    await settle();
    expect(await t.cache.get("k", t.compute())).toBe(2);
    expect(t.calls()).toBe(2);
  });

  it("after changes, refreshes an answer no sooner than minRefreshMs after it was computed", async () => {
    const t = setup({ maxStaleMs: 2000, refreshAfterMs: 1000, minRefreshMs: 250 });
    t.set(1);
    await t.cache.get("k", t.compute());
    // A burst of polls, each storing something, within the first 250 ms: the answer stands.
    for (let i = 2; i <= 5; i++) {
      t.set(i);
      t.cache.invalidate();
      t.clock.now += 60;
      expect(t.cache.get("k", t.compute())).toBe(1);
      await settle();
    }
    expect(t.calls()).toBe(1);
    // 250 ms after it was computed the change is picked up, by one refresh.
    t.clock.now += 10;
    expect(t.cache.get("k", t.compute())).toBe(1);
    await settle();
    expect(t.cache.get("k", t.compute())).toBe(5);
    expect(t.calls()).toBe(2);
    // Without a change it is kept until refreshAfterMs.
    t.set(6);
    t.clock.now += 900;
    expect(t.cache.get("k", t.compute())).toBe(5);
    await settle();
    expect(t.calls()).toBe(2);
  });

  it("refreshes an answer older than refreshAfterMs and never sends one older than maxStaleMs", async () => {
    const t = setup();
    t.set(1);
    await t.cache.get("k", t.compute());
    t.set(2);
    t.clock.now += 300;
    expect(await t.cache.get("k", t.compute())).toBe(1);
    await settle();
    expect(await t.cache.get("k", t.compute())).toBe(2);
    t.set(3);
    t.clock.now += 1000;
    // Too old to send: the request waits for a fresh answer.
    expect(await t.cache.get("k", t.compute())).toBe(3);
  });

  it("shares one computation between concurrent misses and one background refresh between hits", async () => {
    const t = setup();
    t.set(1);
    const a = t.cache.get("k", t.compute(true));
    const b = t.cache.get("k", t.compute(true));
    expect(t.calls()).toBe(1);
    t.release();
    expect([await a, await b]).toEqual([1, 1]);
    t.cache.invalidate();
    t.set(2);
    await t.cache.get("k", t.compute(true));
    await t.cache.get("k", t.compute(true));
    expect(t.calls()).toBe(2);
    t.release();
    await settle();
    expect(await t.cache.get("k", t.compute())).toBe(2);
  });

  it("keeps the previous answer when a background refresh fails, and a failed miss is retried", async () => {
    const t = setup();
    t.set(1);
    await t.cache.get("k", t.compute());
    t.cache.invalidate();
    expect(await t.cache.get("k", () => Promise.reject(new Error("db busy")))).toBe(1);
    await settle();
    expect(await t.cache.get("k", t.compute())).toBe(1);
    await expect(t.cache.get("other", () => Promise.reject(new Error("db busy")))).rejects.toThrow("db busy");
    expect(await t.cache.get("other", t.compute())).toBe(1);
  });

  it("keeps different queries apart and forgets the least recently refreshed beyond maxEntries", async () => {
    const t = setup({ maxEntries: 2 });
    t.set(1);
    await t.cache.get("a", t.compute());
    await t.cache.get("b", t.compute());
    await t.cache.get("c", t.compute());
    expect(t.calls()).toBe(3);
    t.set(2);
    expect(await t.cache.get("c", t.compute())).toBe(1);
    expect(await t.cache.get("a", t.compute())).toBe(2);
    expect(t.calls()).toBe(4);
  });
});

describe("ReadCache after an operator's change (invalidateNow)", () => {
  it("never sends an answer computed before it: the next request waits for a fresh one", async () => {
    const t = setup({ maxStaleMs: 60_000, refreshAfterMs: 60_000, minRefreshMs: 60_000 });
    t.set(1);
    await t.cache.get("k", t.compute());
    t.set(2);
    t.cache.invalidate();
    expect(t.cache.get("k", t.compute())).toBe(1); // a poll's change: the cached answer still goes out
    t.cache.invalidateNow();
    const next = t.cache.get("k", t.compute());
    expect(next).toBeInstanceOf(Promise);
    expect(await next).toBe(2);
    expect(t.cache.get("k", t.compute())).toBe(2);
  });

  it("does not join a computation started before it, and that one, finishing last, does not win", async () => {
    const t = setup({ maxStaleMs: 60_000, refreshAfterMs: 60_000 });
    const gates: ((v: number) => void)[] = [];
    const gated = () => new Promise<number>((resolve) => gates.push(resolve));
    const before = t.cache.get("k", gated);
    t.cache.invalidateNow();
    const after = t.cache.get("k", gated);
    expect(gates).toHaveLength(2);
    gates[1]?.(2);
    expect(await after).toBe(2);
    gates[0]?.(1);
    expect(await before).toBe(1);
    expect(t.cache.get("k", gated)).toBe(2);
  });
});
