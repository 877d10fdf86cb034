import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { applyPoll } from "../src/store/ingest.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { inlineReader, type Reader } from "../src/store/reader.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { posBody, saleRow } from "./support/upstream.js";

// The worker thread loads compiled JavaScript, so this test uses the build (`npm test` builds first).
const built = (await import(new URL("../dist/store/reader.js", import.meta.url).href)) as {
  startReaderWorker(path: string): Promise<Reader>;
};

const NOW = Date.parse("2025-11-10T15:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "000+00:00");
let dir: string;
let store: OpenedDatabase;
let worker: Reader | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "reader-"));
  store = await openDatabase(join(dir, "pos.db"));
  await upsertMerchant(store.db, { id: "m1", public_key: "k", alias: "Shop" }, NOW);
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ingest = (ids: number[]) =>
  applyPoll(
    store.db,
    "m1",
    parsePosPayload(posBody(ids.map((id) => saleRow(id, 1000 * id, iso(NOW - id * 600_000))))),
    NOW,
  );

describe("reader worker", () => {
  it("answers every dashboard read exactly like the writer connection", async () => {
    await ingest([1, 2, 3, 4, 5, 6, 7, 8]);
    worker = await built.startReaderWorker(join(dir, "pos.db"));
    const inline = inlineReader(store.db);
    const reads = [
      ["summary", { now: NOW, rateWindowMs: 3_600_000 }],
      ["ticker", { limit: 5 }],
      ["merchantLeaderboard", { metric: "volume", sinceMs: NOW - 3_000_000, limit: 10 }],
      ["merchantLeaderboard", { metric: "transactions", sinceMs: null, limit: 10 }],
      ["productLeaderboard", { metric: "transactions", sinceMs: null, limit: 10 }],
      ["triggers", { sinceMs: 0, limit: 10 }],
      ["timeseries", { now: NOW, windowMs: 7_200_000, bucketMs: 600_000 }],
    ] as const;
    for (const [name, args] of reads) {
      expect(await worker.read(name, args as never), name).toEqual(await inline.read(name, args as never));
    }
    expect((await worker.read("summary", { now: NOW, rateWindowMs: 60_000 })).total_transactions).toBe(8);
  });

  it("sees each commit, not a poll half-way through its transaction", async () => {
    worker = await built.startReaderWorker(join(dir, "pos.db"));
    const count = async () =>
      (await worker?.read("summary", { now: NOW, rateWindowMs: 60_000 }))?.total_transactions;
    expect(await count()).toBe(0);
    // 5,000 sales: the insert yields to the event loop between chunks, so reads run mid-transaction.
    const poll = ingest(Array.from({ length: 5000 }, (_, i) => i + 1));
    const seen = new Set<number | undefined>();
    let done = false;
    void poll.then(() => {
      done = true;
    });
    let readsDuringPoll = 0;
    while (!done) {
      seen.add(await count());
      readsDuringPoll++;
    }
    expect(readsDuringPoll).toBeGreaterThan(1);
    await poll;
    seen.add(await count());
    expect([...seen].every((n) => n === 0 || n === 5000)).toBe(true);
    expect(seen.has(5000)).toBe(true);
  });

  it("reports a failed read and goes on answering", async () => {
    worker = await built.startReaderWorker(join(dir, "pos.db"));
    await expect(worker.read("ticker", { limit: Number.NaN })).rejects.toThrow();
    expect(await worker.read("ticker", { limit: 1 })).toEqual([]);
  });

  it("fails to start on a missing file with a clear message", async () => {
    await expect(built.startReaderWorker(join(dir, "missing.db"))).rejects.toThrow(
      /could not open the database/,
    );
  });
});
