import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { Compile } from "typebox/compile";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Health } from "../src/contract/index.js";
import { createService, type Service } from "../src/service.js";
import type { WriterDb } from "../src/store/db.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

/*
 * A database that cannot grow, in process: SQLite's max_page_count answers SQLITE_FULL exactly as a
 * full disk does (and rolls the transaction back itself), while a one-row update in place still fits.
 * test/disk-full.test.ts fills a real disk under the real process.
 */

const DATE = "2025-11-10T14:00:00.000000+00:00";
const history = (n: number) =>
  posBody(Array.from({ length: n }, (_, i) => saleRow(i + 1, 100 + i, DATE, [])));

let dir: string;
let upstream: FakeUpstream;
let service: Service;
let capture: ReturnType<typeof captureLogger>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "storage-full-"));
  upstream = await startFakeUpstream();
  capture = captureLogger();
  service = await createService(
    testConfig({ dbPath: join(dir, "dashboard.db"), sourceBaseUrl: upstream.url }),
    { log: capture.log, ingest: "inline", readCache: { maxStaleMs: 0, refreshAfterMs: 0 } },
  );
});
afterEach(async () => {
  await service.stop();
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TEST_TOKEN}` };
const get = async (url: string) => {
  const res = await service.app.inject({ url, headers: auth });
  return { status: res.statusCode, body: res.json() };
};
const writer = (): WriterDb => {
  const db = service.inline?.database.db;
  if (!db) throw new Error("inline ingest exposes its database");
  return db;
};
/** No page beyond those the database has now: the next write that needs one fails with SQLITE_FULL. */
async function fillUp(): Promise<void> {
  const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(writer());
  await sql.raw(`pragma max_page_count = ${rows[0]?.page_count}`).execute(writer());
}
async function makeRoom(): Promise<void> {
  await sql.raw("pragma max_page_count = 1073741823").execute(writer());
}
const FULL = "database or disk is full (SQLITE_FULL)";

describe("writes failing for lack of space", () => {
  it("report SQLite's cause in last_error, the log and /v1/health, and clear once writes succeed", async () => {
    const add = await service.app.inject({
      method: "POST",
      url: "/v1/admin/merchants",
      headers: auth,
      payload: { id: "173", public_key: "k", alias: "Shop" },
    });
    expect(add.statusCode).toBe(201);
    upstream.set("173", { kind: "json", body: history(10) });
    await service.inline?.pollAll();
    expect(await get("/v1/health")).toEqual({ status: 200, body: { status: "ok" } });

    await fillUp();
    upstream.set("173", { kind: "json", body: history(3000) });
    await service.inline?.pollAll();

    // The failure itself fits (an update in place): the merchant's record says why.
    const [merchant] = (await get("/v1/admin/merchants")).body as { last_error?: string }[];
    expect(merchant?.last_error).toBe(`storage error: ${FULL}`);
    const messages = capture.messages();
    expect(messages).toContain(`merchant 173 poll failed: storage error: ${FULL}`);
    expect(messages).toContain(
      `database writes are failing: ${FULL}; nothing new is stored until they succeed`,
    );
    expect(messages.join("\n")).not.toContain("cannot rollback");
    // Its success proves nothing for the sales, which still cannot be stored.
    const health = await get("/v1/health");
    expect(health).toEqual({
      status: 200,
      body: {
        status: "degraded",
        storage: { error: FULL, failing_since: expect.any(String), last_failure_at: expect.any(String) },
      },
    });
    expect(Compile(Health).Errors(health.body)).toEqual([]);
    const { failing_since, last_failure_at } = (health.body as { storage: Record<string, string> }).storage;
    expect(Date.parse(last_failure_at as string)).toBeGreaterThanOrEqual(Date.parse(failing_since as string));
    // Reads go on, from what was stored.
    expect(await get("/v1/summary")).toMatchObject({ status: 200, body: { total_transactions: 10 } });

    await makeRoom();
    await service.inline?.pollAll();
    expect(await get("/v1/health")).toEqual({ status: 200, body: { status: "ok" } });
    expect(capture.messages().some((m) => m.startsWith("database writes succeed again"))).toBe(true);
    const [after] = (await get("/v1/admin/merchants")).body as { last_error?: string }[];
    expect(after?.last_error).toBeUndefined();
    const { rows } = await sql<{ n: number; ids: number }>`
      select count(*) as n, count(distinct sale_id) as ids from transactions`.execute(writer());
    expect(rows[0]).toEqual({ n: 3000, ids: 3000 });
  });

  it("an operator's change that cannot be stored answers 500 and degrades health until one succeeds", async () => {
    await fillUp();
    const big = { id: "174", public_key: "k".repeat(500), alias: "A".repeat(200) };
    // Enough rows to need a new page.
    let failed = 0;
    for (let i = 0; i < 40 && failed === 0; i++) {
      const res = await service.app.inject({
        method: "POST",
        url: "/v1/admin/merchants",
        headers: auth,
        payload: { ...big, id: `m${i}` },
      });
      if (res.statusCode === 500) failed++;
      else expect(res.statusCode).toBe(201);
    }
    expect(failed).toBe(1);
    expect(await get("/v1/health")).toMatchObject({ body: { status: "degraded", storage: { error: FULL } } });
    await makeRoom();
    const res = await service.app.inject({
      method: "POST",
      url: "/v1/admin/merchants",
      headers: auth,
      payload: big,
    });
    expect(res.statusCode).toBe(201);
    expect(await get("/v1/health")).toEqual({ status: 200, body: { status: "ok" } });
  });
});
