// A long history's body parsed as it streams and stored batch by batch: real HTTP, real SQLite.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Poller, type PollOutcome } from "../src/ingest/poller.js";
import { LiveFeed } from "../src/live/feed.js";
import { LiveHub } from "../src/live/hub.js";
import { mulberry32, shuffle } from "../src/mock/random.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { getMerchant, upsertMerchant } from "../src/store/merchants.js";
import { createMilestone } from "../src/store/milestones.js";
import { createUpstreamClient } from "../src/upstream/client.js";
import { SALES_PER_BATCH } from "../src/upstream/response-body.js";
import { captureLogger } from "./support/log.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

/** Far below the service's threshold, so that a few thousand sales are streamed. */
const STREAM_ABOVE = 64 * 1024;
const NOW = Date.parse("2025-11-10T15:00:00Z");

let upstream: FakeUpstream;
const stores: OpenedDatabase[] = [];
const pollers: Poller[] = [];

beforeEach(async () => {
  upstream = await startFakeUpstream();
});

afterEach(async () => {
  for (const p of pollers.splice(0)) await p.stop();
  await upstream.close();
  for (const s of stores.splice(0)) await s.close();
});

/** `count` sales newest first, about half with lines, one minute apart, ending an hour before NOW. */
function history(count: number, firstId = 1): unknown[] {
  return Array.from({ length: count }, (_, i) => {
    const id = firstId + count - 1 - i;
    const date = new Date(NOW - 3_600_000 - i * 60_000).toISOString().replace("Z", "000+00:00");
    const lines =
      id % 2 === 0
        ? [{ ProductID: 1 + (id % 3), ProductName: "Café ₿", Quantity: 1, ProductPriceSats: 44 }]
        : [];
    return saleRow(id, 100 + (id % 50), date, lines);
  });
}

const PRODUCTS = [{ productid: 1, name: "Café ₿", total_transactions: 5, total_revenue_sats: "220" }];

async function merchantStore(): Promise<OpenedDatabase> {
  const store = await openDatabase(":memory:");
  stores.push(store);
  await upsertMerchant(store.db, { id: "m", public_key: "k", alias: "Shop" }, 1);
  return store;
}

function poller(store: OpenedDatabase, streamAboveBytes = STREAM_ABOVE) {
  const { log, messages } = captureLogger();
  const outcomes: PollOutcome[] = [];
  const p = new Poller({
    db: store.db,
    fetchMerchant: createUpstreamClient({ baseUrl: upstream.url, timeoutMs: 10_000, streamAboveBytes }),
    intervalMs: 60_000,
    concurrency: 1,
    log,
    onOutcome: (o) => outcomes.push(o),
    now: () => NOW,
    random: () => 0.5,
  });
  pollers.push(p);
  const poll = async () => {
    await p.pollAll();
    return outcomes.at(-1) as PollOutcome;
  };
  return { poll, messages };
}

/**
 * A table's rows in key order. Row ids are left out: a streamed body's batches are stored in the order
 * upstream lists them, oldest first within each (store/sale-batches.ts).
 */
async function table(store: OpenedDatabase, name: string): Promise<unknown[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(store.db);
  const key = (r: Record<string, unknown>) =>
    JSON.stringify([r.merchant_id, r.sale_id, r.line_no, r.hour, r.product_id]);
  return rows.map(({ id: _id, ...rest }) => rest).sort((a, b) => key(a).localeCompare(key(b)));
}

async function stored(store: OpenedDatabase): Promise<{ n: number; distinct: number; total: number }> {
  const { rows } = await sql<{ n: number; distinct: number; total: number }>`
    select count(*) as n, count(distinct sale_id) as "distinct",
      (select total_transactions from merchants where id = 'm') as total
    from transactions`.execute(store.db);
  return rows[0] as { n: number; distinct: number; total: number };
}

const ECONNRESET = "upstream request failed: ECONNRESET";

/** A first poll of `count` sales whose connection is cut after `share` of the body. */
async function cutPoll(count: number, share: number) {
  const store = await merchantStore();
  const { poll } = poller(store);
  const body = JSON.stringify(posBody(history(count), PRODUCTS));
  upstream.set("m", { kind: "cut", body, bytes: Math.floor(body.length * share) });
  return { store, poll, body, cut: await poll() };
}

describe("a long history streamed in batches", () => {
  it("stores the same rows, totals, rollups, products and milestones as the body read whole", async () => {
    const sales = history(7000);
    // Rows the reader skips, wherever they are: a repeated id, a bad date, a row that is no object.
    sales.splice(4500, 0, saleRow(77, 5, "yesterday"), history(1, 6000)[0], null);
    const body = JSON.stringify(posBody(sales, PRODUCTS));
    upstream.set("m", { kind: "pieces", body, pieces: 40, declareLength: false });
    const results = [];
    for (const streamAbove of [STREAM_ABOVE, 1024 * 1024 * 1024]) {
      const store = await merchantStore();
      await createMilestone(store.db, { name: "five thousand", type: "transactions", threshold: 5000 }, 1);
      const { poll, messages } = poller(store, streamAbove);
      // How long each took differs, of course; everything else must not.
      const { durationMs, ...outcome } = await poll();
      expect(durationMs).toBeGreaterThanOrEqual(0);
      const tables = [];
      for (const t of ["transactions", "sale_lines", "sales_by_hour", "product_sales_by_hour", "products"])
        tables.push(await table(store, t));
      const merchant = await getMerchant(store.db, "m");
      results.push({ outcome, tables, merchant, skips: messages().filter((m) => m.includes("skipped")) });
    }
    const [streamed, whole] = results;
    expect(streamed?.outcome).toMatchObject({ kind: "ok", result: { storedCount: 7000 } });
    expect(streamed?.outcome.result?.triggers.map((t) => t.name)).toEqual(["five thousand"]);
    expect(streamed?.outcome.result?.newSales[0]?.sale_id).toBe(7000);
    expect(streamed?.skips).toHaveLength(3);
    expect(streamed).toEqual(whole);
    const digest = createHash("sha1").update(body).digest("base64");
    const store = stores[0] as OpenedDatabase;
    const { rows } = await sql<{ d: string }>`select body_digest as d from merchants`.execute(store.db);
    expect(rows[0]?.d).toBe(digest);
  });

  it("keeps the batches committed before a cut connection, stores no digest, and the next poll stores the rest once", async () => {
    const { store, poll, body, cut } = await cutPoll(10_000, 0.6);
    expect(cut).toMatchObject({ kind: "failed", error: ECONNRESET });
    const kept = cut.result?.storedCount ?? 0;
    expect(kept).toBeGreaterThanOrEqual(2 * SALES_PER_BATCH);
    expect(kept % SALES_PER_BATCH).toBe(0);
    expect(kept).toBeLessThan(6000);
    // The feed's ticker gets the newest of them, newest first.
    expect(cut.result?.newSales.map((s) => s.sale_id).slice(0, 3)).toEqual([10_000, 9999, 9998]);
    expect(await stored(store)).toEqual({ n: kept, distinct: kept, total: kept });
    const merchant = await getMerchant(store.db, "m");
    expect(merchant?.last_error).toBe(ECONNRESET);
    const { rows } = await sql<{ d: string | null }>`select body_digest as d from merchants`.execute(
      store.db,
    );
    expect(rows[0]?.d).toBeNull();
    expect(await table(store, "products")).toEqual([]);

    upstream.set("m", { kind: "pieces", body, pieces: 30, declareLength: true });
    const next = await poll();
    expect(next).toMatchObject({ kind: "ok", result: { storedCount: 10_000 - kept } });
    expect(await stored(store)).toEqual({ n: 10_000, distinct: 10_000, total: 10_000 });
    const { rows: hours } = await sql<{
      n: number;
    }>`select sum(transactions) as n from sales_by_hour`.execute(store.db);
    expect(hours[0]?.n).toBe(10_000);
    expect((await getMerchant(store.db, "m"))?.last_error).toBeUndefined();
  });

  it("fails on bad JSON mid-stream with the whole body's message, keeping the batches before it", async () => {
    const store = await merchantStore();
    const { poll } = poller(store);
    const good = JSON.stringify(posBody(history(9000), PRODUCTS));
    const broken = good.replace('"SaleId":2000,', '"SaleId":2000 ');
    expect(broken).not.toBe(good);
    upstream.set("m", { kind: "pieces", body: broken, pieces: 50, declareLength: false });
    const failed = await poll();
    expect(failed).toMatchObject({ kind: "failed", error: "upstream body is not JSON" });
    const kept = failed.result?.storedCount ?? 0;
    expect(kept).toBeGreaterThanOrEqual(2 * SALES_PER_BATCH);
    expect(await stored(store)).toEqual({ n: kept, distinct: kept, total: kept });

    upstream.set("m", { kind: "raw", body: good });
    expect(await poll()).toMatchObject({ kind: "ok", result: { storedCount: 9000 - kept } });
    expect(await stored(store)).toEqual({ n: 9000, distinct: 9000, total: 9000 });
  });

  it("stores an unordered history once, and a re-poll of it stores only what is new", async () => {
    const store = await merchantStore();
    const { poll } = poller(store);
    const sales = shuffle(mulberry32(4), history(14_000));
    upstream.set("m", { kind: "raw", body: JSON.stringify(posBody(sales, PRODUCTS)) });
    expect(await poll()).toMatchObject({ kind: "ok", result: { storedCount: 14_000 } });
    expect(await poll()).toMatchObject({ kind: "ok", result: { storedCount: 0, changed: false } });
    const grown = shuffle(mulberry32(5), [...history(5, 20_000), ...sales]);
    upstream.set("m", { kind: "raw", body: JSON.stringify(posBody(grown, PRODUCTS)) });
    expect(await poll()).toMatchObject({ kind: "ok", result: { storedCount: 5 } });
    expect(await stored(store)).toEqual({ n: 14_005, distinct: 14_005, total: 14_005 });
  });

  it("a failed poll's stored sales reach the live feed, oldest first so screens end with the newest on top", async () => {
    const { cut } = await cutPoll(6000, 0.9);
    const hub = new LiveHub({ maxClients: 1 });
    const published: { event: string; data: { sale_id?: number } }[] = [];
    hub.publish = ((event: string, data: { sale_id?: number }) =>
      published.push({ event, data })) as LiveHub["publish"];
    new LiveFeed({ hub }).onOutcome(cut);
    const sales = published.filter((p) => p.event === "sale").map((p) => p.data.sale_id);
    expect(sales).toHaveLength(100);
    expect(sales.at(-1)).toBe(6000);
    expect(published.at(-1)).toMatchObject({ event: "merchant", data: { healthy: false } });
  });
});
