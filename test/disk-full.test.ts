import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";
import { call, type ServerProcess, startServerProcess, until } from "./support/server-process.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

/*
 * The real process with its database's disk full, then space back. The disk is a small tmpfs where
 * this machine lets us mount one (root, as in CI), otherwise a file-size limit (`ulimit -f`) that
 * stops every file the process writes at the same size; DISK_FULL_BY=ulimit picks the limit anyway.
 * The test's name says which ran. Past the limit a write fails with EFBIG, which SQLite reports as an
 * I/O error (SQLITE_IOERR_WRITE) rather than SQLITE_FULL; node ignores SIGXFSZ, so it is not killed.
 */

const TMPFS_MB = 24;
const LIMIT_KB = 2048;
const DATE = "2025-11-10T14:00:00.000000+00:00";
// Far more than fits in what is left: about 10 MB of database and WAL.
const BIG = 20_000;
const history = (n: number) =>
  posBody(
    Array.from({ length: n }, (_, i) =>
      saleRow(n - i, 1000 + i, DATE, [
        { ProductID: 7, ProductName: "Espresso", ProductPriceSats: 1000, Quantity: 1 },
      ]),
    ),
  );

const dir = mkdtempSync(join(tmpdir(), "disk-full-"));
const dbDir = join(dir, "disk");
const method = chooseMethod();

/** A tmpfs of TMPFS_MB when mounting one works here; the file-size limit otherwise. */
function chooseMethod(): "tmpfs" | "ulimit" {
  execFileSync("mkdir", ["-p", dbDir]);
  if (process.env.DISK_FULL_BY === "ulimit" || process.getuid?.() !== 0) return "ulimit";
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_MB}m`, "tmpfs", dbDir], { stdio: "ignore" });
    return "tmpfs";
  } catch {
    return "ulimit";
  }
}

let upstream: FakeUpstream;
let server: ServerProcess | undefined;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterEach(async () => {
  await server?.kill();
  server = undefined;
});
afterAll(async () => {
  await upstream.close();
  if (method === "tmpfs") {
    try {
      execFileSync("umount", [dbDir]);
    } catch {
      // Still busy (a process that outlived its test): detach it now, freed when it ends.
      execFileSync("umount", ["-l", dbDir]);
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Takes every byte left on the tmpfs; returns how to give them back. */
function fillTmpfs(): () => void {
  const filler = join(dbDir, "filler");
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  }
  // The last partial chunk may have left a few pages free.
  try {
    for (;;) writeSync(fd, chunk, 0, 4096);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  }
  closeSync(fd);
  return () => rmSync(filler);
}

/** Lifts the running server's file-size limit: as good as space back. */
function liftLimit(pid: number): void {
  execFileSync("prlimit", [`--pid=${pid}`, "--fsize=unlimited"]);
}

const stored = async (s: ServerProcess) =>
  ((await call(s, "/v1/summary")).body as { total_transactions: number }).total_transactions;
const health = async (s: ServerProcess) => (await call(s, "/v1/health")) as { status: number; body: Health };
type Health = { status: string; storage?: { error: string; failing_since: string; last_failure_at: string } };

describe(`a full disk (${method === "tmpfs" ? `a ${TMPFS_MB} MiB tmpfs filled up` : `ulimit -f ${LIMIT_KB} KiB`})`, () => {
  it("is reported as itself in the log and /v1/health, reads go on, ingest resumes once space is back", {
    timeout: 90_000,
  }, async () => {
    upstream.set("173", { kind: "json", body: history(50) });
    server = await startServerProcess({
      dbPath: join(dbDir, "dashboard.db"),
      sourceBaseUrl: upstream.url,
      env: { POLL_INTERVAL: "300ms" },
      ...(method === "ulimit" ? { fileSizeLimitKb: LIMIT_KB } : {}),
    });
    const s = server;
    const add = await call(s, "/v1/admin/merchants", {
      method: "POST",
      body: { id: "173", public_key: "k", alias: "Bitcoin Coffee" },
    });
    expect(add.status).toBe(201);
    await until("the first history stored", async () => (await stored(s)) === 50);
    expect(await health(s)).toEqual({ status: 200, body: { status: "ok" } });

    const giveBack = method === "tmpfs" ? fillTmpfs() : () => liftLimit(s.child.pid ?? -1);
    upstream.set("173", { kind: "json", body: history(BIG) });
    await until("health degraded", async () => (await health(s)).body.status === "degraded");

    const degraded = await health(s);
    expect(degraded.status).toBe(200);
    const cause =
      method === "tmpfs" ? /^database or disk is full \(SQLITE_FULL\)$/ : /\(SQLITE_(FULL|IOERR\w*)\)$/;
    expect(degraded.body.storage?.error).toMatch(cause);
    const error = degraded.body.storage?.error ?? "";
    expect(s.messages()).toContain(
      `database writes are failing: ${error}; nothing new is stored until they succeed`,
    );
    await until("a poll's failure logged", () =>
      s.messages().some((m) => m.startsWith("merchant 173 poll failed: storage error: ")),
    );
    for (const m of s.messages().filter((m) => m.startsWith("merchant 173 poll failed")))
      expect(m).toMatch(/^merchant 173 poll failed: storage error: .*\(SQLITE_\w+\)$/);
    expect(s.lines.join("\n")).not.toContain("cannot rollback");
    // Reads are served all along, from what was stored.
    expect(await stored(s)).toBe(50);
    expect((await call(s, "/v1/ticker")).status).toBe(200);

    giveBack();
    await until("the whole history stored", async () => (await stored(s)) === BIG, 60_000);
    await until("health ok", async () => (await health(s)).body.status === "ok");
    expect(s.messages().some((m) => m.startsWith("database writes succeed again"))).toBe(true);
    const [merchant] = (await call(s, "/v1/admin/merchants")).body as { last_error?: string }[];
    expect(merchant?.last_error).toBeUndefined();
    s.child.kill("SIGTERM");
    expect(await s.exited).toEqual({ code: 0, signal: null });

    const store = await openDatabase(join(dbDir, "dashboard.db"));
    const { rows } = await sql<{ n: number; ids: number; lines: number }>`
      select count(*) as n, count(distinct sale_id) as ids, (select count(*) from sale_lines) as lines
      from transactions`.execute(store.db);
    await store.close();
    expect(rows[0]).toEqual({ n: BIG, ids: BIG, lines: BIG });
  });
});
