import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";
import { call, type ServerProcess, startServerProcess, until } from "./support/server-process.js";
import { posBody, saleRow } from "./support/upstream.js";

/*
 * kill -9 of the real process while it ingests growing histories and an operator's changes are in
 * flight (test/crash.test.ts kills a bare ingest loop; this is the whole service). Every change it
 * answered is there, the one in flight is there whole or not at all, every poll it logged as stored is
 * there, and nothing is stored twice, round after round on the same file.
 */

const DATE_MS = Date.parse("2025-11-10T14:00:00Z");
const MERCHANTS = ["m1", "m2", "m3"];

/** Each answer to a merchant is its previous history and 400 sales more, newest first. */
function growingUpstream(): Promise<{ server: Server; url: string }> {
  const served = new Map<string, number>();
  const server = createServer((req, res) => {
    const id = /^\/user-pos\/([^/?]+)/.exec(req.url ?? "")?.[1] ?? "";
    const n = (served.get(id) ?? 0) + 400;
    served.set(id, n);
    const sales = Array.from({ length: n }, (_, i) => {
      const saleId = n - i;
      const date = new Date(DATE_MS + saleId * 1000).toISOString().replace("Z", "000+00:00");
      const line = { ProductID: saleId % 5, ProductName: "Tea", ProductPriceSats: 10 * saleId, Quantity: 1 };
      return saleRow(saleId, 10 * saleId, date, [line]);
    });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(posBody(sales)));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

let dir: string;
let upstream: { server: Server; url: string };
let server: ServerProcess | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crash-admin-"));
  upstream = await growingUpstream();
});
afterEach(async () => {
  await server?.kill();
  upstream.server.closeAllConnections();
  await new Promise((r) => upstream.server.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** What the operator was told was done, and the one change sent but not answered. */
interface Acknowledged {
  milestones: Map<string, number>;
  merchants: Map<string, string | null>;
  inFlight?: { kind: "milestone" | "merchant"; name: string; alias?: string | null };
}

/** One operator change after another: milestones, new merchants, renames and deletions. */
async function operate(s: ServerProcess, acked: Acknowledged, round: number, stopAfter: number) {
  for (let i = 0; ; i++) {
    const name = `r${round}-${i}`;
    const step = i % 4;
    const own = [...acked.merchants.entries()].filter(([id, alias]) => id.startsWith("a") && alias !== null);
    const target = own[i % Math.max(1, own.length)]?.[0];
    let send: () => Promise<{ status: number; body: unknown }>;
    if (step === 0) {
      acked.inFlight = { kind: "milestone", name };
      const body = { name, type: "transactions", threshold: 300 + 100 * i };
      send = () => call(s, "/v1/admin/milestones", { method: "POST", body });
    } else if (step === 1 || !target) {
      acked.inFlight = { kind: "merchant", name: `a${name}`, alias: name };
      const body = { id: `a${name}`, public_key: "k", alias: name };
      send = () => call(s, "/v1/admin/merchants", { method: "POST", body });
    } else if (step === 2) {
      acked.inFlight = { kind: "merchant", name: target, alias: `renamed ${name}` };
      const body = { alias: `renamed ${name}` };
      send = () => call(s, `/v1/admin/merchants/${target}`, { method: "PUT", body });
    } else {
      acked.inFlight = { kind: "merchant", name: target, alias: null };
      send = () => call(s, `/v1/admin/merchants/${target}`, { method: "DELETE" });
    }
    const answer = send();
    if (i === stopAfter) {
      // Killed with this change sent, before or while the ingest thread writes it.
      const cut = answer.catch(() => undefined);
      await new Promise((r) => setTimeout(r, i % 3));
      await s.kill();
      await cut;
      return;
    }
    const { status, body } = await answer;
    expect(status).toBeLessThan(300);
    const f = acked.inFlight;
    if (f.kind === "milestone") acked.milestones.set(f.name, (body as { id: number }).id);
    else acked.merchants.set(f.name, f.alias ?? null);
    acked.inFlight = undefined;
    // An operator's pace, so that polls run between and during the changes.
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The stored-poll lines it logged: per merchant, how many sales those polls stored in all. */
function loggedAsStored(s: ServerProcess): Map<string, number> {
  const stored = new Map<string, number>();
  for (const m of s.messages()) {
    const hit = /^merchant (\S+) poll complete \(new_tx=(\d+)\)$/.exec(m);
    if (hit?.[1]) stored.set(hit[1], (stored.get(hit[1]) ?? 0) + Number(hit[2]));
  }
  return stored;
}

async function check(dbFile: string, acked: Acknowledged, atLeast: Map<string, number>) {
  const store = await openDatabase(dbFile);
  const sales = await sql<{ merchant_id: string; n: number; ids: number; max: number; v: number }>`
    select merchant_id, count(*) as n, count(distinct sale_id) as ids, max(sale_id) as max,
      sum(amount_sats) as v from transactions group by merchant_id`.execute(store.db);
  const lines = await sql<{ merchant_id: string; n: number }>`
    select merchant_id, count(*) as n from sale_lines group by merchant_id`.execute(store.db);
  const hours = await sql<{ merchant_id: string; n: number }>`
    select merchant_id, sum(transactions) as n from sales_by_hour group by merchant_id`.execute(store.db);
  const merchants = await store.db.selectFrom("merchants").selectAll().execute();
  const milestones = await store.db.selectFrom("milestones").select(["id", "name", "triggered_at"]).execute();
  const triggers = await store.db.selectFrom("milestone_triggers").select("milestone_id").execute();
  await store.close();

  for (const r of sales.rows) {
    // Each sale once, ids 1..n with none missing, each with its line, rollup and totals.
    expect([r.ids, r.max]).toEqual([r.n, r.n]);
    expect(lines.rows.find((l) => l.merchant_id === r.merchant_id)?.n).toBe(r.n);
    expect(hours.rows.find((h) => h.merchant_id === r.merchant_id)?.n).toBe(r.n);
    const m = merchants.find((x) => x.id === r.merchant_id);
    expect([m?.total_transactions, m?.total_volume_sats]).toEqual([r.n, r.v]);
  }
  for (const [id, n] of atLeast) {
    // A deleted merchant's sales went with it.
    if (!merchants.some((m) => m.id === id)) continue;
    const stored = sales.rows.find((r) => r.merchant_id === id)?.n ?? 0;
    expect(stored, `merchant ${id}: sales logged as stored`).toBeGreaterThanOrEqual(n);
  }
  const f = acked.inFlight;
  for (const [name, id] of acked.milestones)
    expect(milestones.filter((m) => m.name === name).map((m) => m.id)).toEqual([id]);
  const inFlightMilestone = f?.kind === "milestone" ? milestones.filter((m) => m.name === f.name) : [];
  expect(inFlightMilestone.length).toBeLessThanOrEqual(1);
  if (inFlightMilestone[0]) acked.milestones.set(f?.name ?? "", inFlightMilestone[0].id);
  expect(milestones).toHaveLength(acked.milestones.size);
  // A milestone fires once: one trigger record each, none for one not triggered.
  for (const m of milestones)
    expect(triggers.filter((t) => t.milestone_id === m.id)).toHaveLength(m.triggered_at === null ? 0 : 1);

  for (const [id, alias] of acked.merchants) {
    const row = merchants.find((m) => m.id === id);
    const allowed = [alias, ...(f?.kind === "merchant" && f.name === id ? [f.alias] : [])];
    expect(allowed, `merchant ${id}`).toContain(row ? row.alias : null);
    if (f?.kind === "merchant" && f.name === id) acked.merchants.set(id, row ? row.alias : null);
  }
  if (f?.kind === "merchant" && !acked.merchants.has(f.name)) {
    const row = merchants.find((m) => m.id === f.name);
    if (row) acked.merchants.set(f.name, row.alias);
  }
  acked.inFlight = undefined;
  expect(merchants.map((m) => m.id).sort()).toEqual(
    [...acked.merchants]
      .filter(([, a]) => a !== null)
      .map(([id]) => id)
      .sort(),
  );
}

describe("kill -9 under ingest with operators' changes in flight", () => {
  it("keeps every answered change and every stored poll, and stores nothing twice", {
    timeout: 90_000,
  }, async () => {
    const dbFile = join(dir, "dashboard.db");
    const acked: Acknowledged = { milestones: new Map(), merchants: new Map() };
    // Sales each merchant's polls were logged as storing, over all rounds: new sales each time.
    const logged = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      server = await startServerProcess({
        dbPath: dbFile,
        sourceBaseUrl: upstream.url,
        env: { POLL_INTERVAL: "200ms", LOG_LEVEL: "info" },
      });
      const s = server;
      if (round === 0) {
        for (const id of MERCHANTS) {
          await call(s, "/v1/admin/merchants", { method: "POST", body: { id, public_key: "k", alias: id } });
          acked.merchants.set(id, id);
        }
      }
      await until("a few polls stored", () => [...loggedAsStored(s).values()].length >= MERCHANTS.length);
      await operate(s, acked, round, 30 + 7 * round);
      for (const [id, n] of loggedAsStored(s)) logged.set(id, (logged.get(id) ?? 0) + n);
      await check(dbFile, acked, logged);
    }
    // A start after the last kill completes every history, still once each.
    server = await startServerProcess({
      dbPath: dbFile,
      sourceBaseUrl: upstream.url,
      env: { POLL_INTERVAL: "200ms" },
    });
    const last = server;
    await until("every merchant polled again", () => MERCHANTS.every((id) => loggedAsStored(last).has(id)));
    last.child.kill("SIGTERM");
    expect(await last.exited).toEqual({ code: 0, signal: null });
    await check(dbFile, acked, new Map());
  });
});
