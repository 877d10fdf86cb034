import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Poller, type PollOutcome } from "../src/ingest/poller.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { deleteMerchant, getMerchant, upsertMerchant } from "../src/store/merchants.js";
import { createMilestone } from "../src/store/milestones.js";
import { createUpstreamClient } from "../src/upstream/client.js";
import { captureLogger } from "./support/log.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

let upstream: FakeUpstream;
let store: OpenedDatabase;
let poller: Poller | undefined;

beforeEach(async () => {
  upstream = await startFakeUpstream();
  store = await openDatabase(":memory:");
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  await upstream.close();
  await store.close();
});

const DATE = "2025-11-10T14:00:00.000000+00:00";
const ok = (...ids: number[]) => ({
  kind: "json" as const,
  body: posBody(ids.map((id) => saleRow(id, 100 * id, DATE))),
});

async function addMerchant(id: string, enabled = true) {
  await upsertMerchant(store.db, { id, public_key: `key-${id}`, alias: `Shop ${id}`, enabled }, 1);
}

function makePoller(
  opts: {
    timeoutMs?: number;
    intervalMs?: number;
    concurrency?: number;
    now?: () => number;
    spreadFraction?: number;
  } = {},
) {
  const { log, lines, messages } = captureLogger();
  const outcomes: PollOutcome[] = [];
  let cycles = 0;
  poller = new Poller({
    db: store.db,
    fetchMerchant: createUpstreamClient({ baseUrl: upstream.url, timeoutMs: opts.timeoutMs ?? 2000 }),
    intervalMs: opts.intervalMs ?? 60_000,
    concurrency: opts.concurrency ?? 5,
    log,
    onOutcome: (o) => outcomes.push(o),
    onCycleEnd: () => cycles++,
    random: () => 0.999999,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.spreadFraction === undefined ? {} : { spreadFraction: opts.spreadFraction }),
  });
  return { poller, lines, messages, outcomes, cycles: () => cycles };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("Poller", () => {
  it("polls enabled merchants with their key, stores new sales once and logs each poll", async () => {
    await addMerchant("173");
    await addMerchant("174", false);
    upstream.set("173", ok(1, 2));
    const p = makePoller();
    await p.poller.pollAll();
    await p.poller.pollAll();
    expect(upstream.requests.map((r) => [r.merchantId, r.key])).toEqual([
      ["173", "key-173"],
      ["173", "key-173"],
    ]);
    expect(p.messages()).toContain("merchant 173 poll complete (new_tx=2)");
    expect(p.messages()).toContain("merchant 173 poll complete (new_tx=0)");
    const m = await getMerchant(store.db, "173");
    expect(m?.last_polled_at).toBeDefined();
    expect(m?.consecutive_failures).toBe(0);
    const outcome = p.outcomes[0];
    expect(outcome?.kind === "ok" && outcome.result.newSales.map((s) => s.sale_id)).toEqual([2, 1]);
  });

  it.each([
    [{ kind: "status", status: 500 }, "upstream responded 500"],
    [{ kind: "status", status: 401, body: '{"success":false}' }, "upstream responded 401"],
    [{ kind: "raw", body: "<html>Bad Gateway</html>" }, "upstream body is not JSON"],
    [
      { kind: "json", body: { success: false, message: "invalid key" } },
      "upstream reported failure: invalid key",
    ],
    [{ kind: "hang" }, "upstream timed out after 300ms"],
    [{ kind: "partial", after: "stall" }, "upstream timed out after 300ms"],
    [{ kind: "partial", after: "cut" }, "upstream request failed: ECONNRESET"],
  ] as const)("a failing merchant (%j) records why, and the others go on", async (behaviour, error) => {
    await addMerchant("173");
    await addMerchant("174");
    upstream.set("173", ok(1));
    upstream.set("174", behaviour);
    const p = makePoller({ timeoutMs: 300 });
    await p.poller.pollAll();
    expect(p.messages()).toContain(`merchant 174 poll failed: ${error}`);
    expect(p.messages()).toContain("merchant 173 poll complete (new_tx=1)");
    const failing = await getMerchant(store.db, "174");
    expect(failing).toMatchObject({ last_error: error, consecutive_failures: 1 });
    expect(failing?.last_polled_at).toBeUndefined();
    const healthy = await getMerchant(store.db, "173");
    expect(healthy?.last_error).toBeUndefined();
  });

  it("recognises an unchanged body by digest: not parsed, poll still recorded, new milestones still fire", async () => {
    await addMerchant("173");
    upstream.set("173", ok(1, 2, 3));
    const fetch = createUpstreamClient({ baseUrl: upstream.url, timeoutMs: 2000 });
    const first = await fetch({ id: "173", publicKey: "key-173" });
    expect(first.unchanged).toBeFalsy();
    const p = makePoller({ now: () => 5_000 });
    await p.poller.pollAll();
    const digest = (await store.db.selectFrom("merchants").select("body_digest").executeTakeFirst())
      ?.body_digest;
    expect(digest).toBe(first.digest);
    expect(await fetch({ id: "173", publicKey: "key-173", bodyDigest: digest })).toEqual({
      unchanged: true,
      digest,
    });

    await createMilestone(store.db, { name: "three", type: "transactions", threshold: 3, enabled: true }, 1);
    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant 173 poll complete (new_tx=0)");
    const second = p.outcomes[1];
    expect(second?.kind === "ok" && second.result.triggers.map((t) => t.name)).toEqual(["three"]);
    expect((await getMerchant(store.db, "173"))?.last_polled_at).toBe("1970-01-01T00:00:05Z");

    // A changed body is parsed again and only its new sale is stored.
    upstream.set("173", ok(1, 2, 3, 4));
    await p.poller.pollAll();
    const third = p.outcomes[2];
    expect(third?.kind === "ok" && third.result.newSales.map((s) => s.sale_id)).toEqual([4]);
  });

  it("fetches in full when the merchant was re-created while its unchanged body was in flight", async () => {
    await addMerchant("173");
    upstream.set("173", ok(1, 2));
    const p = makePoller();
    await p.poller.pollAll();
    // Same body again, but the merchant row (and its sales) is replaced just before the poll lands.
    upstream.set("173", { ...ok(1, 2), delayMs: 150 });
    const cycle = p.poller.pollAll();
    await until(() => upstream.active("173") === 1);
    await deleteMerchant(store.db, "173");
    await addMerchant("173");
    await cycle;
    const m = await getMerchant(store.db, "173");
    expect(m?.last_error).toBeUndefined();
    expect(m?.last_polled_at).toBeDefined();
    const ids = await store.db.selectFrom("transactions").select("sale_id").orderBy("sale_id").execute();
    expect(ids.map((r) => r.sale_id)).toEqual([1, 2]);
  });

  it("names a connection reset", async () => {
    await addMerchant("175");
    upstream.set("175", { kind: "reset" });
    const p = makePoller();
    await p.poller.pollAll();
    expect((await getMerchant(store.db, "175"))?.last_error).toMatch(/^upstream request failed: /);
  });

  it("a hanging merchant does not delay the others", async () => {
    for (const id of ["a", "b", "c"]) await addMerchant(id);
    upstream.set("a", { kind: "hang" });
    upstream.set("b", ok(1));
    upstream.set("c", ok(2));
    const p = makePoller({ timeoutMs: 1500, concurrency: 2 });
    const cycle = p.poller.pollAll();
    await until(() => p.outcomes.filter((o) => o.kind === "ok").length === 2);
    // Both healthy merchants are done while the hanging one is still waiting for its timeout.
    expect(upstream.active("a")).toBe(1);
    await cycle;
    expect(p.outcomes.map((o) => [o.merchantId, o.kind])).toEqual([
      ["b", "ok"],
      ["c", "ok"],
      ["a", "failed"],
    ]);
  });

  it("backs off a failing merchant and clears it after a success; a refetch skips the wait", async () => {
    await addMerchant("x");
    upstream.set("x", { kind: "status", status: 503 });
    let now = 1_000_000;
    const p = makePoller({ intervalMs: 10_000, now: () => now });
    await p.poller.pollAll(); // failure 1: retried next cycle
    await p.poller.pollAll(); // failure 2: waits about 2 intervals
    expect(upstream.requests).toHaveLength(2);
    now += 10_000;
    await p.poller.pollAll();
    expect(upstream.requests).toHaveLength(2);
    upstream.set("x", ok(1));
    p.poller.refetch("x");
    await until(() => p.outcomes.length === 3);
    expect(p.outcomes[2]?.kind).toBe("ok");
    expect((await getMerchant(store.db, "x"))?.consecutive_failures).toBe(0);
    now += 10_000;
    await p.poller.pollAll();
    expect(upstream.requests).toHaveLength(4);
  });

  it("coalesces refetches asked during a poll into one more poll, never two at once", async () => {
    await addMerchant("m");
    upstream.set("m", { ...ok(1), delayMs: 150 });
    const p = makePoller();
    expect(p.poller.refetch("m")).toBe("started");
    await until(() => upstream.requests.length === 1);
    for (let i = 0; i < 5; i++) expect(p.poller.refetch("m")).toBe("coalesced");
    await until(() => p.outcomes.length === 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(upstream.requests).toHaveLength(2);
    expect(upstream.maxActive("m")).toBe(1);
  });

  it("refetches a disabled merchant when asked", async () => {
    await addMerchant("off", false);
    upstream.set("off", ok(7));
    const p = makePoller();
    await p.poller.pollAll();
    expect(upstream.requests).toHaveLength(0);
    p.poller.refetch("off");
    await until(() => p.outcomes.length === 1);
    expect(p.messages()).toContain("merchant off poll complete (new_tx=1)");
  });

  it("polls at most POLL_CONCURRENCY merchants at once", async () => {
    const ids = ["1", "2", "3", "4", "5", "6"];
    for (const id of ids) {
      await addMerchant(id);
      upstream.set(id, { ...ok(1), delayMs: 60 });
    }
    let active = 0;
    let maxActive = 0;
    const timer = setInterval(() => {
      active = ids.reduce((n, id) => n + upstream.active(id), 0);
      maxActive = Math.max(maxActive, active);
    }, 5);
    const p = makePoller({ concurrency: 2 });
    await p.poller.pollAll();
    clearInterval(timer);
    expect(upstream.requests).toHaveLength(6);
    expect(maxActive).toBeGreaterThan(0);
    expect(maxActive).toBeLessThanOrEqual(2);
  });

  it("runs cycles on its interval without overlapping them", async () => {
    await addMerchant("slow");
    upstream.set("slow", { ...ok(1), delayMs: 120 });
    const p = makePoller({ intervalMs: 20 });
    p.poller.start();
    await until(() => p.cycles() >= 3);
    await p.poller.stop();
    expect(upstream.maxActive("slow")).toBe(1);
    // Each cycle waited for the previous one: requests never overlap in time.
    const reqs = upstream.requests;
    for (let i = 1; i < reqs.length; i++) {
      expect(reqs[i]?.start).toBeGreaterThanOrEqual(reqs[i - 1]?.end ?? Number.POSITIVE_INFINITY);
    }
  });

  it("spreads a scheduled cycle's polls over part of the interval; the first cycle polls everyone at once", async () => {
    const ids = ["s1", "s2", "s3", "s4", "s5"];
    for (const id of ids) {
      await addMerchant(id);
      upstream.set(id, ok(1));
    }
    // 5 merchants over half of 800 ms: one start every 80 ms from the second cycle on.
    const p = makePoller({ intervalMs: 800, spreadFraction: 0.5 });
    p.poller.start();
    await until(() => upstream.requests.length >= 10);
    await p.poller.stop();
    const starts = upstream.requests.map((r) => r.start);
    const first = starts.slice(0, 5);
    const second = starts.slice(5, 10);
    expect(Math.max(...first) - Math.min(...first)).toBeLessThan(60);
    for (let i = 1; i < second.length; i++) {
      expect((second[i] ?? 0) - (second[i - 1] ?? 0)).toBeGreaterThanOrEqual(60);
    }
    expect(Math.max(...second) - Math.min(...second)).toBeLessThan(800 * 0.5);
  });

  it("stop() ends a spread cycle's waits at once and polls no one after", async () => {
    for (const id of ["w1", "w2"]) {
      await addMerchant(id);
      upstream.set(id, ok(1));
    }
    // The second cycle starts after 1 s and waits 900 ms between its two polls.
    const p = makePoller({ intervalMs: 1000, spreadFraction: 0.9 });
    p.poller.start();
    await until(() => upstream.requests.length >= 3);
    await until(() => p.outcomes.length >= 3);
    const stopping = Date.now();
    await p.poller.stop();
    expect(Date.now() - stopping).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 50));
    expect(upstream.requests.length).toBe(3);
  });

  it("stop() cancels a hanging poll without blaming the merchant", async () => {
    await addMerchant("h");
    upstream.set("h", { kind: "hang" });
    const p = makePoller({ timeoutMs: 60_000 });
    p.poller.start();
    await until(() => upstream.requests.length === 1);
    await p.poller.stop();
    expect((await getMerchant(store.db, "h"))?.consecutive_failures).toBe(0);
    expect(p.outcomes).toEqual([]);
  });

  it("logs skipped rows with merchant and sale id, and still stores the valid ones", async () => {
    await addMerchant("173");
    upstream.set("173", {
      kind: "json",
      body: posBody([saleRow(1, 100, DATE), saleRow(2, "abc", DATE), saleRow(3, 300, DATE)]),
    });
    const p = makePoller();
    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant 173 sale 2 skipped: TotalCostSats is not a non-negative number");
    const done = p.lines.find((l) => l.msg === "merchant 173 poll complete (new_tx=2)");
    expect(done).toMatchObject({ merchant_id: "173", new_tx: 2, skipped: 1 });
  });

  it("never puts the public key in a log line", async () => {
    await addMerchant("173");
    upstream.set("173", { kind: "status", status: 500 });
    const p = makePoller();
    await p.poller.pollAll();
    expect(JSON.stringify(p.lines)).not.toContain("key-173");
  });
});
