/**
 * Several instances of the service on one PostgreSQL database (issue 18, "Many instances"), in this
 * process: the real service (createService, inline ingest) three times over one database, each with its
 * own fake upstream answering the same merchants (support/cluster-upstream.ts), so that every request
 * says which instance polled. The guarantee: one poller per merchant at a time, the work spread over
 * the instances, refetches working whichever instance receives them, and no sale lost or counted twice.
 */
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../src/config/config.js";
import { backoffCeilingMs } from "../src/ingest/backoff.js";
import { createService, type Service } from "../src/service.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { btcpayEventBody, btcpaySig } from "./support/btcpay-webhook.js";
import {
  type ClusterUpstream,
  type DatabaseChecks,
  databaseChecks,
  matchesTruth,
  overlaps,
  startClusterUpstream,
} from "./support/cluster-upstream.js";
import { until } from "./support/server-process.js";
import { freshTestDatabase, type TestDatabase } from "./support/test-database.js";

const auth = { authorization: `Bearer ${TEST_TOKEN}` };
/** until() with room for a busy machine: what is awaited is bounded, not timed. */
const waitFor = (what: string, cond: () => boolean | Promise<boolean>) => until(what, cond, 45_000);
const MERCHANTS = Array.from({ length: 9 }, (_, i) => `m${i + 1}`);

interface Cluster {
  services: Service[];
  upstream: ClusterUpstream;
  db: DatabaseChecks;
}

let opened: { cluster: Cluster; database: TestDatabase } | undefined;

afterEach(async () => {
  if (!opened) return;
  const { cluster, database } = opened;
  opened = undefined;
  await Promise.all(cluster.services.map((s) => s.stop()));
  await cluster.upstream.close();
  await cluster.db.close();
  await database.drop();
});

/** Three services on one fresh database, the merchants added through the first, nothing polling yet. */
async function startCluster(overrides: Partial<Config>): Promise<Cluster> {
  const database = await freshTestDatabase("postgres");
  const upstream = await startClusterUpstream(3);
  const services: Service[] = [];
  const cluster = { services, upstream, db: databaseChecks(database.config.databaseUrl as string) };
  opened = { cluster, database };
  for (const u of upstream.upstreams)
    services.push(
      await createService(
        testConfig({ sourceBaseUrl: u.url, ...database.config, httpTimeoutMs: 1000, ...overrides }),
        { log: pino({ level: "silent" }), ingest: "inline" },
      ),
    );
  for (const id of MERCHANTS) {
    upstream.setSales(id, 3, 30);
    await post(services[0] as Service, "/v1/admin/merchants", { id, public_key: `pk-${id}`, alias: id }, 201);
  }
  return cluster;
}

async function post(s: Service, url: string, payload: object | undefined, status: number): Promise<unknown> {
  const res = await s.app.inject({ method: "POST", url, headers: auth, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

const startPolling = (c: Cluster) => {
  for (const s of c.services) s.inline?.startPolling();
};

/** The lease rows: who holds each merchant and whether a refetch still waits for a poll. */
const leaseRows = (c: Cluster) =>
  c.db.rows<{ merchant_id: string; owner: string | null; wanted: boolean }>(
    "select merchant_id, owner, wanted from poll_leases order by merchant_id",
  );

describe("three instances on one PostgreSQL database", () => {
  it("poll every merchant, never two at once, share the work and store each sale once", async () => {
    const c = await startCluster({ pollIntervalMs: 500 });
    // Fires once the cluster has stored 40 sales in all, whichever instance's poll crosses it.
    await post(
      c.services[0] as Service,
      "/v1/admin/milestones",
      {
        name: "forty",
        type: "transactions",
        threshold: 40,
      },
      201,
    );
    startPolling(c);
    await waitFor("every merchant polled three times", () =>
      MERCHANTS.every((id) => c.upstream.requestsFor(id).length >= 3),
    );
    // New sales while they poll: each must be stored once, whichever instance polls next.
    for (const [i, id] of MERCHANTS.entries()) c.upstream.setSales(id, 3 + i + 1, 30);
    await waitFor("the new sales stored", async () =>
      matchesTruth(await c.db.storedTotals(), c.upstream.truth()),
    );
    await waitFor("every merchant polled three times more", () =>
      MERCHANTS.every((id) => c.upstream.requestsFor(id).length >= 6),
    );

    for (const id of MERCHANTS) expect(overlaps(c.upstream.requestsFor(id)), id).toEqual([]);
    for (const u of c.upstream.upstreams) expect(u.requests.length).toBeGreaterThan(0);
    expect(matchesTruth(await c.db.storedTotals(), c.upstream.truth())).toBe(true);
    const triggers = await c.db.rows<{ n: string }>("select count(*) as n from milestone_triggers");
    expect(Number(triggers[0]?.n)).toBe(1);
    // Generous: three services, their upstreams and this test share one event loop on a busy machine.
  }, 60_000);

  it("refetch on another instance than the last poller's polls the merchant and stores what is new", async () => {
    // A long interval: after the first polls, only refetches poll.
    const c = await startCluster({ pollIntervalMs: 60_000 });
    startPolling(c);
    await waitFor("every merchant polled once and released", async () => {
      if (!MERCHANTS.every((id) => c.upstream.requestsFor(id).length >= 1)) return false;
      return (await leaseRows(c)).every((r) => r.owner === null);
    });
    const first = c.upstream.requestsFor("m1")[0]?.instance ?? 0;
    const other = (first + 1) % 3;
    c.upstream.setSales("m1", 5, 30);
    await post(c.services[other] as Service, "/v1/admin/merchants/m1/refetch", undefined, 202);
    await waitFor("the refetch's sales stored", async () =>
      matchesTruth(await c.db.storedTotals(), c.upstream.truth()),
    );
    // One poll for the refetch (by whichever instance leased it first: the one asked, or a claim round).
    expect(c.upstream.requestsFor("m1").length).toBe(2);
  }, 60_000);

  it("two refetches on two instances while a third polls the merchant make one more poll", async () => {
    const c = await startCluster({ pollIntervalMs: 60_000 });
    startPolling(c);
    await waitFor("every merchant polled once and released", async () => {
      if (!MERCHANTS.every((id) => c.upstream.requestsFor(id).length >= 1)) return false;
      return (await leaseRows(c)).every((r) => r.owner === null);
    });
    // A refetch on instance 0 makes a poll of m2, its answer held long enough for refetches on the two
    // other instances to arrive meanwhile. Whichever instance leased it first polls: the one asked, or
    // another's claim round (which, on a busy machine, sometimes wins).
    c.upstream.setSales("m2", 4, 700);
    await post(c.services[0] as Service, "/v1/admin/merchants/m2/refetch", undefined, 202);
    let poller = -1;
    await waitFor("an instance polling m2", () => {
      poller = c.upstream.upstreams.findIndex((u) => u.active("m2") === 1);
      return poller >= 0;
    });
    const others = [0, 1, 2].filter((i) => i !== poller);
    await Promise.all(
      others.map((i) => post(c.services[i] as Service, "/v1/admin/merchants/m2/refetch", undefined, 202)),
    );
    await waitFor("m2 polled after its refetches and nothing more asked", async () => {
      const row = (await leaseRows(c)).find((r) => r.merchant_id === "m2");
      return c.upstream.requestsFor("m2").length >= 3 && row?.owner === null && row.wanted === false;
    });
    // The first poll, the refetch asked of instance 0, and one for both refetches that came during it.
    expect(c.upstream.requestsFor("m2").length).toBe(3);
    expect(overlaps(c.upstream.requestsFor("m2"))).toEqual([]);
    expect(matchesTruth(await c.db.storedTotals(), c.upstream.truth())).toBe(true);
  }, 60_000);

  it("a failing merchant's backoff holds on every instance, not just the one whose poll failed", async () => {
    const intervalMs = 100;
    const c = await startCluster({ pollIntervalMs: intervalMs });
    for (const u of c.upstream.upstreams) u.set("m1", { kind: "status", status: 500 });
    startPolling(c);
    await waitFor("m1 failed six times", () => c.upstream.requestsFor("m1").length >= 6);
    const polls = c.upstream.requestsFor("m1").slice(0, 6);
    // After its k-th consecutive failure a merchant waits at least half its backoff's ceiling (the
    // jitter's floor), whichever instance polls it next; the database's clock and this one are the same.
    const tooSoon = polls.slice(1).flatMap((p, i) => {
      const prev = polls[i] as (typeof polls)[number];
      const floor = backoffCeilingMs(i + 1, intervalMs) / 2;
      return p.start - prev.end < floor - 5
        ? [`poll ${i + 2} ${p.start - prev.end} ms after, floor ${floor}`]
        : [];
    });
    expect(tooSoon).toEqual([]);
  }, 60_000);

  it("a webhook received by any instance makes one poll that looks at the invoice it named", async () => {
    const c = await startCluster({ pollIntervalMs: 60_000 });
    const secret = "whsec-Coffee-7f3a9c";
    // Nothing listens at its base_url: each poll fails at once and counts one consecutive failure.
    const settings = {
      base_url: "http://127.0.0.1:9",
      store_id: "7Hn2cQx9",
      api_key: "k",
      webhook_secret: secret,
    };
    const merchant = { id: "coffee", public_key: "pk-coffee", alias: "coffee", enabled: true };
    const db = c.services[0]?.inline?.database.db;
    if (!db) throw new Error("inline ingest");
    await upsertMerchant(db, { ...merchant, source: "btcpay", source_settings: settings }, Date.now());
    const coffee = async () => {
      const [row] = await c.db.rows<{
        failures: string;
        owner: string | null;
        wanted: boolean;
        keys: string[];
      }>(
        `select m.consecutive_failures as failures, l.owner, l.wanted, l.hint_keys as keys
         from merchants m join poll_leases l on l.merchant_id = m.id where m.id = 'coffee'`,
      );
      return row;
    };
    startPolling(c);
    await waitFor("coffee's first poll done", async () => Number((await coffee())?.failures) === 1);
    const body = btcpayEventBody({ invoiceId: "Fq8kT2mWzL5nRb7xPc3Yd" });
    const res = await c.services[2]?.app.inject({
      method: "POST",
      url: "/v1/webhooks/btcpay/coffee",
      headers: { "content-type": "application/json", "btcpay-sig": btcpaySig(secret, body) },
      payload: body,
    });
    expect(res?.statusCode, res?.body).toBe(200);
    await waitFor("the hinted poll done", async () => {
      const row = await coffee();
      return Number(row?.failures) >= 2 && row?.owner === null && row.wanted === false;
    });
    const row = await coffee();
    expect(Number(row?.failures)).toBe(2);
    // The poll failed: the invoice it was asked to look at waits for the next one.
    expect(row?.keys).toEqual(["Fq8kT2mWzL5nRb7xPc3Yd"]);
  }, 60_000);
});
