/**
 * `npm run backup -- FILE` against the real service while it ingests: the copy opens, passes
 * SQLite's integrity check and holds every sale committed before the backup started.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import { call, type ServerProcess, startServerProcess, until } from "./support/server-process.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "backup-"));
const dbPath = join(dir, "live.db");
let mock: MockUpstream;
let server: ServerProcess;

beforeAll(async () => {
  // Sales every 100 ms on every merchant, and a long history for the first polls to store in batches.
  mock = await startMockUpstream({ merchants: 4, intervalMs: 100, speed: 300, history: false });
  for (const m of mock.merchants()) mock.addHistory(m.id, 20_000, { spanMs: 3_600_000 });
  server = await startServerProcess({ dbPath, sourceBaseUrl: mock.url, env: { POLL_INTERVAL: "200ms" } });
  for (const m of mock.merchants()) {
    const res = await call(server, "/v1/admin/merchants", {
      method: "POST",
      body: { id: m.id, public_key: m.publicKey, alias: m.name },
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await server?.stop();
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every stored sale as "merchant/sale id", read through a connection of the test's own. */
function storedSales(path: string): Set<string> {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("select merchant_id, sale_id from transactions").all() as {
      merchant_id: string;
      sale_id: number;
    }[];
    return new Set(rows.map((r) => `${r.merchant_id}/${r.sale_id}`));
  } finally {
    db.close();
  }
}

describe("npm run backup while the service ingests", () => {
  it("copies a consistent database holding every sale committed before it started", async () => {
    await until("the first sales stored", () => storedSales(dbPath).size > 1000, 60_000);
    const before = storedSales(dbPath);
    const file = join(dir, "copy.db");
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "backup", "--", file], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: dbPath },
    });
    expect(stdout).toMatch(/^backed up .* to .*copy\.db/m);
    // Ingest went on around it: the live database has sales the snapshot before it had not.
    await until("more sales stored after the backup", () => storedSales(dbPath).size > before.size, 30_000);

    const copy = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      copy.close();
    }
    const copied = storedSales(file);
    const missing = [...before].filter((k) => !copied.has(k));
    expect(missing).toEqual([]);
    expect(copied.size).toBeGreaterThanOrEqual(before.size);
  });

  it("refuses to overwrite a file, and says what it copies when misused", async () => {
    const run = promisify(execFile);
    const file = join(dir, "copy.db");
    expect(existsSync(file)).toBe(true);
    const again = await run("node", ["dist/cli/backup.js", file], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: dbPath },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/exists; give a new file name/) });
    const usage = await run("node", ["dist/cli/backup.js"], { cwd: ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: npm run backup -- FILE/) });
  });

  it("points to pg_dump when the service runs on PostgreSQL, and copies nothing", async () => {
    const run = promisify(execFile);
    const file = join(dir, "never.db");
    const refused = await run("node", ["dist/cli/backup.js", file], {
      cwd: ROOT,
      env: { ...process.env, DB_PATH: dbPath, DATABASE_URL: "postgres://u:hidden-pw@127.0.0.1:9/db" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/runs on PostgreSQL.*pg_dump/) });
    expect((refused as { stderr: string }).stderr).not.toContain("hidden-pw");
    expect(existsSync(file)).toBe(false);
  });
});
