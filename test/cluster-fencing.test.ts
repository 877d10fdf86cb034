/**
 * Fencing a leased poll's writes on a real PostgreSQL (the run's throwaway cluster): two instances are
 * two LeasePollers on two pools over one database. A poll of instance "a" is held at its fetch (a gate
 * the test opens, never a timer) while its lease is taken over; whatever it then tries to write must
 * roll back, leave the new holder's record as it was, count as no failure and leave the lease alone.
 */
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { PollLeases } from "../src/cluster/poll-leases.js";
import { LeasePoller } from "../src/ingest/lease-schedule.js";
import type { PollOutcome } from "../src/ingest/poll-types.js";
import type { SourceClient } from "../src/sources/source-client.js";
import { upsertMerchant } from "../src/store/merchants.js";
import type { IncomingSale, KeyedSale } from "../src/store/poll-contents.js";
import type { OpenedPostgres } from "../src/store/postgres/open.js";
import { type FetchMerchant, UpstreamError } from "../src/upstream/client.js";
import { captureLogger } from "./support/log.js";
import { twoPoolsOnOneDatabase } from "./support/two-pools.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 12);

const pools = twoPoolsOnOneDatabase(["fence-a", "fence-b"]);

const sale = (saleId: number): IncomingSale => ({
  saleId,
  origin: "pos",
  date: T0 - saleId * 1000,
  amountSats: 1000 + saleId,
  fiatAmount: null,
  currency: null,
  lines: [],
});

const body = (ids: number[], digest: string) => ({
  sales: ids.map(sale),
  products: [],
  skipped: [],
  skippedCount: 0,
  digest,
});

/** A promise the test resolves: a fetch waits on it, with no timer. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** One instance: its poller on its own pool, a fetch the test sets, what it told and logged. */
function instance(opened: OpenedPostgres, ownerId: string) {
  const outcomes: PollOutcome[] = [];
  const logged = captureLogger();
  const fetch: { with: FetchMerchant } = { with: async () => body([], "none") };
  const keyed: { client?: SourceClient<unknown> } = {};
  const poller = new LeasePoller({
    db: opened.db,
    fetchMerchant: (m, signal, batches) => fetch.with(m, signal, batches),
    sourceClients: {
      get btcpay() {
        return keyed.client;
      },
    },
    intervalMs: MINUTE,
    concurrency: 2,
    log: logged.log,
    onOutcome: (o) => outcomes.push(o),
    now: () => T0,
    leases: new PollLeases(opened.db),
    ownerId,
    leaseMs: MINUTE,
  });
  const lostWarnings = () =>
    logged.lines.filter((l) => l.level === 40 && l.msg.includes("lost its lease")).map((l) => l.merchant_id);
  return { poller, outcomes, fetch, keyed, lostWarnings };
}

async function addMerchant(id: string, source?: "btcpay"): Promise<void> {
  const settings = { base_url: "http://127.0.0.1:9", store_id: "s", api_key: "k", webhook_secret: "w" };
  await upsertMerchant(
    pools.one.db,
    { id, public_key: `pk-${id}`, alias: id, ...(source ? { source, source_settings: settings } : {}) },
    T0,
  );
}

/** What a poll may change: the merchant's record, its sales, its lease row. */
async function record(id: string) {
  const merchant = await sql<Record<string, unknown>>`
    select body_digest, last_polled_at, last_error, consecutive_failures, total_failures,
      total_transactions, total_volume_sats, sync_state from merchants where id = ${id}`.execute(
    pools.one.db,
  );
  const sales = await sql<{ sale_id: number }>`
    select sale_id from transactions where merchant_id = ${id} order by sale_id`.execute(pools.one.db);
  const lease = await sql<Record<string, unknown>>`
    select owner, expires_at, next_poll_at from poll_leases where merchant_id = ${id}`.execute(pools.one.db);
  return {
    merchant: merchant.rows[0],
    sales: sales.rows.map((r) => Number(r.sale_id)),
    lease: lease.rows[0],
  };
}

/** Another instance takes the lease as if this one's had lapsed (its claim's update, without waiting). */
const takeOver = (id: string, owner: string) =>
  sql`update poll_leases set owner = ${owner}, expires_at = ${T0 * 2}::bigint where merchant_id = ${id}`.execute(
    pools.two.db,
  );

describe("a leased poll's writes are fenced by its lease", () => {
  it("a normal leased poll commits and releases its lease", async () => {
    await addMerchant("m1");
    const a = instance(pools.one, "a");
    a.fetch.with = async (_m, _s, batches) => {
      // A streamed poll's batch, then the rest in the final transaction: both under the fence.
      await batches?.([sale(1), sale(2)]);
      return body([3], "d-a");
    };
    await a.poller.pollAll();
    const after = await record("m1");
    expect(after.sales).toEqual([1, 2, 3]);
    expect(after.merchant).toMatchObject({ body_digest: "d-a", consecutive_failures: 0 });
    expect(Number(after.merchant?.total_transactions)).toBe(3);
    expect(after.lease?.owner).toBeNull();
    expect(a.outcomes.map((o) => o.kind)).toEqual(["ok"]);
    expect(a.lostWarnings()).toEqual([]);
  });

  it("a poll whose lease was taken over before its commit writes nothing; the new holder's record stays", async () => {
    await addMerchant("m1");
    const a = instance(pools.one, "a");
    const b = instance(pools.two, "b");
    const held = gate();
    const reached = gate();
    a.fetch.with = async () => {
      reached.open();
      await held.opened;
      return body([1, 2, 3, 4], "d-a-stale");
    };
    const polling = a.poller.pollAll();
    await reached.opened;
    // a's lease lapses while its fetch hangs; b claims m1, polls and stores it, and releases it.
    await sql`update poll_leases set expires_at = 0 where merchant_id = 'm1'`.execute(pools.two.db);
    b.fetch.with = async () => body([1, 2], "d-b");
    await b.poller.pollAll();
    expect(b.outcomes.map((o) => o.kind)).toEqual(["ok"]);
    const byB = await record("m1");
    expect(byB.sales).toEqual([1, 2]);

    held.open();
    await polling;
    expect(await record("m1")).toEqual(byB);
    // No outcome at all: neither a success to show nor a failure of the merchant's.
    expect(a.outcomes).toEqual([]);
    expect(a.lostWarnings()).toEqual(["m1"]);
  });

  it("a streamed poll keeps the batches stored under its lease and stores nothing after losing it", async () => {
    await addMerchant("m1");
    const a = instance(pools.one, "a");
    a.fetch.with = async (_m, _s, batches) => {
      await batches?.([sale(1)]);
      await takeOver("m1", "b");
      await batches?.([sale(2)]);
      return body([3], "d-a");
    };
    await a.poller.pollAll();
    const after = await record("m1");
    expect(after.sales).toEqual([1]);
    expect(Number(after.merchant?.total_transactions)).toBe(1);
    // The digest and poll time are the final transaction's: never written.
    expect(after.merchant).toMatchObject({ body_digest: null, last_polled_at: null });
    // b's lease, not released by a.
    expect(after.lease).toMatchObject({ owner: "b", expires_at: T0 * 2 });
    expect(a.outcomes).toEqual([]);
    expect(a.lostWarnings()).toEqual(["m1"]);
  });

  it("a failed poll whose lease was taken over is lost-lease, not a failure of the merchant", async () => {
    await addMerchant("m1");
    const a = instance(pools.one, "a");
    a.fetch.with = async () => {
      await takeOver("m1", "b");
      throw new UpstreamError("upstream answered 500");
    };
    const before = await record("m1");
    await a.poller.pollAll();
    const after = await record("m1");
    expect(after.merchant).toEqual(before.merchant);
    expect(after.merchant).toMatchObject({ consecutive_failures: 0, last_error: null });
    expect(after.lease?.owner).toBe("b");
    expect(a.outcomes).toEqual([]);
    expect(a.lostWarnings()).toEqual(["m1"]);

    // The same failure under a lease still held counts, as before.
    await sql`update poll_leases set owner = null, expires_at = 0 where merchant_id = 'm1'`.execute(
      pools.one.db,
    );
    a.fetch.with = async () => {
      throw new UpstreamError("upstream answered 500");
    };
    await a.poller.pollAll();
    expect((await record("m1")).merchant).toMatchObject({ consecutive_failures: 1 });
    expect(a.outcomes.map((o) => o.kind)).toEqual(["failed"]);
  });

  it("a keyed-source poll whose lease was taken over stores neither its sales nor its cursor", async () => {
    await addMerchant("shop", "btcpay");
    const a = instance(pools.one, "a");
    const keyedSale = (key: string, saleId: number): KeyedSale => ({ ...sale(saleId), externalId: key });
    let takeOverFirst = true;
    a.keyed.client = {
      poll: async () => {
        if (takeOverFirst) await takeOver("shop", "b");
        return {
          parse: {
            sales: [keyedSale("inv-1", 11)],
            withdrawn: [],
            notCounted: 0,
            skipped: [],
            skippedCount: 0,
          },
          state: { cursor: "after-inv-1" },
        };
      },
      testConnection: async () => ({ ok: true }) as never,
    };
    await a.poller.pollAll();
    const lost = await record("shop");
    expect(lost.sales).toEqual([]);
    expect(lost.merchant).toMatchObject({ sync_state: null, last_polled_at: null });
    expect(lost.lease?.owner).toBe("b");
    expect(a.outcomes).toEqual([]);
    expect(a.lostWarnings()).toEqual(["shop"]);

    // Held: the same poll commits, cursor and all.
    await sql`update poll_leases set owner = null, expires_at = 0 where merchant_id = 'shop'`.execute(
      pools.one.db,
    );
    takeOverFirst = false;
    await a.poller.pollAll();
    const kept = await record("shop");
    expect(kept.sales).toEqual([11]);
    expect(JSON.parse(String(kept.merchant?.sync_state))).toEqual({ cursor: "after-inv-1" });
    expect(a.outcomes.map((o) => o.kind)).toEqual(["ok"]);
  });
});
