import { mkdtemp, rm } from "node:fs/promises";
import { get as httpGet, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";
import { call, type ServerProcess, startServerProcess, until } from "./support/server-process.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

/*
 * SIGTERM while upstream misbehaves, on the real process: a supervisor (Docker: 10 s) kills a service
 * that does not exit in time, so shutdown must not wait for upstream, whatever HTTP_TIMEOUT says.
 */

const HTTP_TIMEOUT_MS = 30_000;
const DATE = "2025-11-10T14:00:00.000000+00:00";
// Above the 8 MiB from which a body is parsed and stored batch by batch as it streams (2,000 sales a batch).
const LONG_HISTORY = 40_000;
/** A sale of one line, so that each sale stored has exactly one line to check. */
const sold = (id: number, sats: number) =>
  saleRow(id, sats, DATE, [{ ProductID: 7, ProductName: "Espresso", ProductPriceSats: sats, Quantity: 1 }]);
const longBody = JSON.stringify(
  posBody(Array.from({ length: LONG_HISTORY }, (_, i) => sold(LONG_HISTORY - i, 1000 + i))),
);

let dir: string;
let upstream: FakeUpstream;
let server: ServerProcess | undefined;
const streams: IncomingMessage[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shutdown-"));
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.destroy();
  await server?.kill();
  server = undefined;
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

const start = async () => {
  server = await startServerProcess({
    dbPath: join(dir, "dashboard.db"),
    sourceBaseUrl: upstream.url,
    env: { HTTP_TIMEOUT: `${HTTP_TIMEOUT_MS / 1000}s`, POLL_INTERVAL: "1h" },
  });
  return server;
};
const totalStored = async (s: ServerProcess) =>
  Number(((await call(s, "/v1/summary")).body as { total_transactions: number }).total_transactions);

/** A live stream, open until the server ends it; `ended` says whether it was ended cleanly. */
function openStream(url: string): Promise<{ ended: Promise<boolean> }> {
  return new Promise((resolve, reject) => {
    httpGet(`${url}/v1/stream`, (res) => {
      streams.push(res);
      const ended = new Promise<boolean>((done) => {
        res.on("end", () => done(true));
        res.on("close", () => done(false));
      });
      res.once("data", () => resolve({ ended }));
      res.resume();
    }).on("error", reject);
  });
}

async function checkConsistent(dbFile: string) {
  const store = await openDatabase(dbFile);
  const { rows } = await sql<{ merchant_id: string; n: number; ids: number; lines: number; hours: number }>`
    select t.merchant_id, count(*) as n, count(distinct t.sale_id) as ids,
      (select count(*) from sale_lines l where l.merchant_id = t.merchant_id) as lines,
      (select sum(transactions) from sales_by_hour h where h.merchant_id = t.merchant_id) as hours
    from transactions t group by t.merchant_id order by t.merchant_id`.execute(store.db);
  const merchants = await store.db
    .selectFrom("merchants")
    .select(["id", "total_transactions", "consecutive_failures", "last_error", "body_digest"])
    .orderBy("id")
    .execute();
  await store.close();
  for (const r of rows) {
    // Every batch whole or absent: each sale once, with its line, its rollup and its totals.
    expect(r.ids).toBe(r.n);
    expect(r.lines).toBe(r.n);
    expect(r.hours).toBe(r.n);
    expect(merchants.find((m) => m.id === r.merchant_id)?.total_transactions).toBe(r.n);
  }
  return { counts: Object.fromEntries(rows.map((r) => [r.merchant_id, r.n])), merchants };
}

describe("SIGTERM with upstream hanging and trickling", () => {
  it("exits 0 well within HTTP_TIMEOUT, ends every stream, and the next start completes the history", {
    timeout: 90_000,
  }, async () => {
    const first = await start();
    for (const id of ["hang", "slow", "ok"]) {
      const body = { id, public_key: `key-${id}`, alias: `Shop ${id}` };
      expect((await call(first, "/v1/admin/merchants", { method: "POST", body })).status).toBe(201);
    }
    upstream.set("hang", { kind: "hang" });
    // About 3 MiB at once (some batches), then 16 bytes every 50 ms: never done before the SIGTERM.
    upstream.set("slow", {
      kind: "trickle",
      body: longBody,
      fastBytes: 3 * 1024 * 1024,
      everyMs: 50,
      chunkBytes: 16,
    });
    upstream.set("ok", { kind: "json", body: posBody([sold(1, 500)]) });
    for (const id of ["hang", "slow", "ok"])
      expect((await call(first, `/v1/admin/merchants/${id}/refetch`, { method: "POST" })).status).toBe(202);
    await until("some batches of the long history stored", async () => (await totalStored(first)) > 2000);
    expect(upstream.active("hang")).toBe(1);
    expect(upstream.active("slow")).toBe(1);
    const open = await Promise.all([1, 2, 3].map(() => openStream(first.url)));
    // A client still sending its request (REQUEST_TIMEOUT is 30 s) must not hold the shutdown either.
    const uploader = await slowUpload(first.url);

    const signalled = performance.now();
    first.child.kill("SIGTERM");
    const exit = await first.exited;
    const tookMs = performance.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    // Not a speed figure: it would otherwise wait for upstream (up to HTTP_TIMEOUT) and be killed.
    expect(tookMs).toBeLessThan(HTTP_TIMEOUT_MS / 4);
    expect(await Promise.all(open.map((s) => s.ended))).toEqual([true, true, true]);
    await uploader.closed;
    expect(first.messages()).toContain("shutdown complete");
    expect(first.messages().filter((m) => /poll failed|could not/.test(m))).toEqual([]);
    await until("upstream's requests closed", () => upstream.active("hang") + upstream.active("slow") === 0);

    const dbFile = join(dir, "dashboard.db");
    const stopped = await checkConsistent(dbFile);
    const cut = stopped.counts.slow ?? 0;
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(LONG_HISTORY);
    // Shutting down is nobody's fault; the cut history has no digest, so it is read again in full.
    for (const m of stopped.merchants) expect(m).toMatchObject({ consecutive_failures: 0, last_error: null });
    expect(stopped.merchants.find((m) => m.id === "slow")?.body_digest).toBeNull();

    upstream.set("hang", { kind: "json", body: posBody([sold(1, 700)]) });
    upstream.set("slow", { kind: "raw", body: longBody });
    const second = await start();
    await until(
      "the whole history stored",
      async () => (await totalStored(second)) === LONG_HISTORY + 2,
      60_000,
    );
    second.child.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const restarted = await checkConsistent(dbFile);
    expect(restarted.counts).toEqual({ hang: 1, ok: 1, slow: LONG_HISTORY });
  });
});

/** A login whose headers are sent and whose body comes a few bytes at a time, never finished. */
async function slowUpload(url: string): Promise<{ closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    "POST /v1/admin/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
  );
  const drip = setInterval(() => socket.write(" "), 100);
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      clearInterval(drip);
      resolve();
    }),
  );
  socket.on("error", () => {});
  return { closed };
}
