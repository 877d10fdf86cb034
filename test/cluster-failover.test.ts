/**
 * Three instances as operators run them (dist/main.js, `npm run build:server` first) on one PostgreSQL
 * database, one killed with SIGKILL in the middle of its polls (issue 18): the leases it held lapse and
 * the two others poll its merchants within one poll interval plus the lease, and between them they
 * store every sale once, whatever the dead one had begun, and fire each milestone once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { leaseMsFor } from "../src/cluster/poll-leases.js";
import {
  type ClusterUpstream,
  databaseChecks,
  matchesTruth,
  overlaps,
  startClusterUpstream,
} from "./support/cluster-upstream.js";
import { call, type ServerProcess, startServerProcess, until } from "./support/server-process.js";
import { freshTestDatabase, type TestDatabase } from "./support/test-database.js";

const INTERVAL_MS = 1000;
const HTTP_TIMEOUT_MS = 1000;
/** Each answer takes this long: an instance killed while it polls is killed mid-request. */
const ANSWER_DELAY_MS = 600;
/** until() with room for a busy machine: what is awaited is bounded, not timed. */
const waitFor = (what: string, cond: () => boolean | Promise<boolean>) => until(what, cond, 45_000);
const MERCHANTS = Array.from({ length: 9 }, (_, i) => `m${i + 1}`);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function startInstances(database: TestDatabase, upstream: ClusterUpstream): Promise<ServerProcess[]> {
  const dir = mkdtempSync(join(tmpdir(), "leasewire-"));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const started: ServerProcess[] = [];
  cleanup.push(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });
  // Side by side: each start is mostly waiting for its process to listen.
  const starting = upstream.upstreams.map((u, i) =>
    startServerProcess({
      // Unused on PostgreSQL; a path of its own all the same.
      dbPath: join(dir, `unused-${i}.db`),
      sourceBaseUrl: u.url,
      env: {
        DATABASE_URL: database.config.databaseUrl as string,
        POLL_INTERVAL: `${INTERVAL_MS}ms`,
        HTTP_TIMEOUT: `${HTTP_TIMEOUT_MS}ms`,
        POLL_CONCURRENCY: "4",
      },
    }).then((s) => {
      started.push(s);
      return s;
    }),
  );
  return Promise.all(starting);
}

it("a killed instance's merchants are polled by the others within the interval plus the lease, each sale stored once", async () => {
  const database = await freshTestDatabase("postgres");
  cleanup.push(() => database.drop());
  const upstream = await startClusterUpstream(3);
  cleanup.push(() => upstream.close());
  const db = databaseChecks(database.config.databaseUrl as string);
  cleanup.push(() => db.close());
  for (const id of MERCHANTS) upstream.setSales(id, 2, ANSWER_DELAY_MS);
  const [a, victim, c] = await startInstances(database, upstream);
  if (!a || !victim || !c) throw new Error("three instances");
  for (const id of MERCHANTS) {
    const res = await call(a, "/v1/admin/merchants", {
      method: "POST",
      body: { id, public_key: `pk-${id}`, alias: id },
    });
    expect(res.status).toBe(201);
  }
  await waitFor("every merchant's first sales stored", async () =>
    matchesTruth(await db.storedTotals(), upstream.truth()),
  );
  // Crossed only by sales that arrive after the kill: the survivors fire it, once.
  const milestone = await call(a, "/v1/admin/milestones", {
    method: "POST",
    body: { name: "after the kill", type: "transactions", threshold: 30 },
  });
  expect(milestone.status).toBe(201);

  // Killed while its upstream is answering two of its polls or more, holding their leases.
  const victimUpstream = upstream.upstreams[1];
  const held = () =>
    db.rows<{ merchant_id: string }>(
      `select merchant_id from poll_leases where owner like '%-${victim.child.pid}-%' and expires_at > 0`,
    );
  let leased: string[] = [];
  await waitFor("the victim in the middle of polls", async () => {
    const polling = MERCHANTS.filter((id) => (victimUpstream?.active(id) ?? 0) > 0);
    leased = (await held()).map((r) => r.merchant_id);
    return polling.length >= 2 && polling.every((id) => leased.includes(id));
  });
  await victim.kill();
  const killedAt = Date.now();
  for (const [i, id] of MERCHANTS.entries()) upstream.setSales(id, 2 + i + 1, ANSWER_DELAY_MS);

  // Each merchant it held is polled again, by one of the others.
  const repolledAt = (id: string) =>
    upstream.requestsFor(id).find((r) => r.instance !== 1 && r.start > killedAt)?.start;
  await waitFor("the victim's merchants polled by the others", () =>
    leased.every((id) => repolledAt(id) !== undefined),
  );
  await waitFor("every sale stored once", async () =>
    matchesTruth(await db.storedTotals(), upstream.truth()),
  );

  const failoverMs = Math.max(...leased.map((id) => (repolledAt(id) ?? killedAt) - killedAt));
  console.log(`failover after kill -9: ${failoverMs} ms for ${leased.length} leased merchants`);
  // The guarantee, with generous slack for a loaded machine: one interval plus the lease's lapse.
  expect(failoverMs).toBeLessThan(INTERVAL_MS + leaseMsFor(HTTP_TIMEOUT_MS) + 5_000);
  for (const id of MERCHANTS) expect(overlaps(upstream.requestsFor(id)), id).toEqual([]);
  const triggers = await db.rows<{ n: string }>("select count(*) as n from milestone_triggers");
  expect(Number(triggers[0]?.n)).toBe(1);
  // The survivors did all of it after the kill, both of them.
  const after = upstream.upstreams.map((u) => u.requests.filter((r) => r.start > killedAt).length);
  expect(after[1]).toBe(0);
  expect(after[0]).toBeGreaterThan(0);
  expect(after[2]).toBeGreaterThan(0);
}, 90_000);
