import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PollOutcome } from "../src/ingest/poller.js";
import type { IngestThread, IngestThreadOptions } from "../src/ingest/thread-client.js";
import type { IngestThreadConfig } from "../src/ingest/thread-protocol.js";
import { inlineStore } from "../src/store/access.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { captureLogger } from "./support/log.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

// The thread loads compiled JavaScript, so this test uses the build (`npm test` builds first).
const built = (await import(new URL("../dist/ingest/thread-client.js", import.meta.url).href)) as {
  startIngestThread(opts: IngestThreadOptions): Promise<IngestThread>;
};

const NOW = Date.parse("2025-11-10T15:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "000+00:00");
let dir: string;
let store: OpenedDatabase;
let upstream: FakeUpstream;
let thread: IngestThread | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ingest-thread-"));
  store = await openDatabase(join(dir, "pos.db"));
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await thread?.stop();
  thread = undefined;
  await store.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (over: Partial<IngestThreadConfig> = {}): IngestThreadConfig => ({
  dbPath: join(dir, "pos.db"),
  sourceBaseUrl: upstream.url,
  httpTimeoutMs: 2000,
  maxUpstreamBytes: 2 ** 30,
  pollIntervalMs: 60_000,
  pollConcurrency: 4,
  rateWindowMs: 60_000,
  logLevel: "silent",
  logFormat: "json",
  webhookTimeoutMs: 2000,
  webhookRetryBaseMs: 50,
  webhookRetryCapMs: 200,
  webhookMaxAttempts: 3,
  ...over,
});

async function start(over: Partial<IngestThreadOptions> = {}) {
  const outcomes: PollOutcome[] = [];
  const captured = captureLogger();
  thread = await built.startIngestThread({
    config: config(),
    log: captured.log,
    onOutcome: (o) => outcomes.push(o),
    restartDelayMs: 20,
    ...over,
  });
  return { thread, outcomes, messages: captured.messages };
}

const sales = (ids: number[]) => posBody(ids.map((id) => saleRow(id, 1000 * id, iso(NOW - id * 600_000))));
const ingestHere = (ids: number[]) => applyPoll(store.db, "m1", parsePosPayload(sales(ids)), NOW);

async function until<T>(what: () => T | Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The nice value of each of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
  });
}

describe("ingest thread", () => {
  it("runs at a lower priority than the HTTP thread, alone (Linux: nice per thread)", async () => {
    const before = threadNiceValues().filter((n) => n === 5).length;
    await start();
    expect(threadNiceValues().filter((n) => n === 5).length).toBe(before + 1);
    expect(readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ")[16]).toBe("0");
  });

  it("answers every read exactly like a connection in this thread", async () => {
    await upsertMerchant(store.db, { id: "m1", public_key: "k", alias: "Shop" }, NOW);
    await ingestHere([1, 2, 3, 4, 5, 6, 7, 8]);
    const { thread: t } = await start();
    const here = inlineStore(store.db);
    const reads = [
      ["summary", { now: NOW, rateWindowMs: 3_600_000 }],
      ["ticker", { limit: 5 }],
      ["merchantLeaderboard", { metric: "volume", sinceMs: NOW - 3_000_000, limit: 10 }],
      ["merchantLeaderboard", { metric: "transactions", sinceMs: null, limit: 10 }],
      ["productLeaderboard", { metric: "transactions", sinceMs: null, limit: 10 }],
      ["triggers", { sinceMs: 0, limit: 10 }],
      ["timeseries", { now: NOW, windowMs: 7_200_000, bucketMs: 600_000 }],
      ["merchants", {}],
      ["merchant", { id: "m1" }],
      ["milestones", {}],
    ] as const;
    for (const [name, args] of reads) {
      expect(await t.store.read(name, args as never), name).toEqual(await here.read(name, args as never));
    }
    expect(
      (await t.store.read("summary", { now: NOW, rateWindowMs: 60_000, pollIntervalMs: 30_000 }))
        ?.total_transactions,
    ).toBe(8);
  });

  it("polls upstream, stores the sales once, and reports each poll to this thread", async () => {
    await upsertMerchant(store.db, { id: "m1", public_key: "k", alias: "Shop" }, NOW);
    upstream.set("m1", { kind: "json", body: sales([1, 2, 3]) });
    const { thread: t, outcomes } = await start();
    t.startPolling();
    await until(
      () => outcomes.length,
      (n) => n >= 1,
    );
    expect(outcomes[0]).toMatchObject({ kind: "ok", merchantId: "m1", result: { storedCount: 3 } });
    if (outcomes[0]?.kind !== "ok") throw new Error("poll failed");
    expect(outcomes[0].result.newSales.map((s) => s.sale_id)).toEqual([1, 2, 3]);

    // A refetch polls again at once: two more sales, the three known ones not stored again.
    upstream.set("m1", { kind: "json", body: sales([1, 2, 3, 4, 5]) });
    expect(await t.refetch("m1")).toBe(true);
    expect(await t.refetch("no-such-merchant")).toBe(false);
    await until(
      () => outcomes.length,
      (n) => n >= 2,
    );
    expect(outcomes[1]).toMatchObject({ kind: "ok", result: { storedCount: 2 } });
    const summary = await t.store.read("summary", { now: NOW, rateWindowMs: 60_000, pollIntervalMs: 30_000 });
    expect(summary?.total_transactions).toBe(5);
    const rows = await store.db.selectFrom("transactions").select("sale_id").execute();
    expect(rows.map((r) => r.sale_id).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("applies operators' changes on its writer, visible to its reads and to other connections", async () => {
    const { thread: t } = await start();
    const created = await t.store.change("upsertMerchant", {
      input: { id: "m9", public_key: "key", alias: "Nine" },
      now: NOW,
    });
    expect(created).toMatchObject({ id: "m9", alias: "Nine", enabled: true });
    expect(await t.store.read("merchant", { id: "m9" })).toEqual(created);
    const patched = await t.store.change("updateMerchant", { id: "m9", patch: { enabled: false }, now: NOW });
    expect(patched?.enabled).toBe(false);
    const milestone = await t.store.change("createMilestone", {
      input: { name: "First", type: "transactions", threshold: 1 },
      now: NOW,
    });
    expect(await t.store.read("milestones", {})).toEqual([milestone]);
    expect(await t.store.change("deleteMerchant", { id: "m9" })).toBe(true);
    expect(await t.store.change("deleteMerchant", { id: "m9" })).toBe(false);
    expect(await inlineStore(store.db).read("merchants", {})).toEqual([]);
  });

  it("reads see each commit, never a poll half-way through its transaction", async () => {
    await upsertMerchant(store.db, { id: "m1", public_key: "k", alias: "Shop" }, NOW);
    // 5,000 sales: the thread yields between chunks of one transaction, so reads land mid-poll.
    upstream.set("m1", { kind: "json", body: sales(Array.from({ length: 5000 }, (_, i) => i + 1)) });
    const { thread: t, outcomes } = await start();
    const count = async () =>
      (await t.store.read("summary", { now: NOW, rateWindowMs: 60_000, pollIntervalMs: 30_000 }))
        ?.total_transactions ?? -1;
    t.startPolling();
    const seen = new Set<number>();
    while (outcomes.length === 0) seen.add(await count());
    seen.add(await count());
    expect(
      [...seen].every((n) => n === 0 || n === 5000),
      [...seen].join(","),
    ).toBe(true);
    expect(seen.has(5000)).toBe(true);
  });

  it("answers a bad call with an error and goes on answering", async () => {
    const { thread: t } = await start();
    await expect(t.store.read("ticker", { limit: Number.NaN })).rejects.toThrow();
    await expect(t.store.read("nonsense" as never, {} as never)).rejects.toThrow();
    expect(await t.store.read("ticker", { limit: 1 })).toEqual([]);
  });

  it("fails to start with a clear message when the database cannot be opened", async () => {
    await expect(
      built.startIngestThread({
        config: config({ dbPath: join(dir, "no-such-folder", "pos.db") }),
        log: captureLogger().log,
        onOutcome: () => {},
      }),
    ).rejects.toThrow(/cannot open the database .*no-such-folder/);
  });

  it("replaces a thread that dies, and polling resumes with nothing stored twice", async () => {
    await upsertMerchant(store.db, { id: "m1", public_key: "k", alias: "Shop" }, NOW);
    await upsertMerchant(store.db, { id: "big", public_key: "k", alias: "Huge" }, NOW);
    upstream.set("m1", { kind: "json", body: sales([1, 2]) });
    // A body whose parse outgrows the capped heap (a million objects): V8 ends the thread, not the
    // process. Below 8 MiB, so it is read and parsed whole (a longer one is parsed as it streams, and
    // one this long outside its sales is refused before it is held).
    upstream.set("big", { kind: "raw", body: `[${'{"a":1},'.repeat(1_000_000)}{}]` });
    const { thread: t, outcomes, messages } = await start({ heapLimitMb: 32 });
    t.startPolling();
    await until(messages, (m) => m.some((x) => /ingest thread exited/.test(x)));
    // The replacement polls again: m1's sales are there once, however many times it was polled.
    await until(
      () => t.store.read("merchant", { id: "m1" }).catch(() => undefined),
      (m) => m?.last_polled_at !== undefined,
    );
    upstream.set("big", { kind: "status", status: 404, body: "{}" });
    const rows = await store.db.selectFrom("transactions").select("sale_id").execute();
    expect(rows.map((r) => r.sale_id).sort()).toEqual([1, 2]);
    expect(outcomes.filter((o) => o.merchantId === "m1").every((o) => o.kind === "ok")).toBe(true);
  });

  it("stops cleanly: later calls fail at once instead of hanging", async () => {
    const { thread: t } = await start();
    await t.stop();
    await expect(t.store.read("ticker", { limit: 1 })).rejects.toThrow(/stopping/);
  });
});
