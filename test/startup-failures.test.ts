import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";
import { runUntilExit } from "./support/server-process.js";

/*
 * The real process given a database it cannot use: it must not start, and must say why in one line.
 * An unwritable place is a read-only tmpfs as root (root writes through any file mode), a directory
 * without write permission otherwise.
 */

const dir = mkdtempSync(join(tmpdir(), "startup-failures-"));
const asRoot = process.getuid?.() === 0;
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync("umount", [m]);
  rmSync(dir, { recursive: true, force: true });
});

/** A directory holding `dashboard.db` when `withDatabase`, that nobody may write to any more. */
async function unwritableDir(name: string, withDatabase: boolean): Promise<string> {
  const d = join(dir, name);
  mkdirSync(d);
  if (asRoot) {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", d]);
    mounts.push(d);
  }
  if (withDatabase) await (await openDatabase(join(d, "dashboard.db"))).close();
  if (asRoot) execFileSync("mount", ["-o", "remount,ro", d]);
  else {
    if (withDatabase) chmodSync(join(d, "dashboard.db"), 0o444);
    chmodSync(d, 0o555);
  }
  return d;
}

async function start(dbPath: string) {
  return runUntilExit({ dbPath, sourceBaseUrl: "http://127.0.0.1:9" });
}

const NOT_WRITABLE = asRoot ? "read-only file system" : "permission denied";

describe(`start-up with a database it cannot use (unwritable: ${asRoot ? "read-only tmpfs" : "chmod"})`, () => {
  it("a file that is not a SQLite database: one line naming it, exit 1", async () => {
    const file = join(dir, "notes.db");
    writeFileSync(file, "These are my notes, not a database. ".repeat(100));
    const run = await start(file);
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(JSON.parse(run.lines[0] ?? "")).toMatchObject({
      level: 60,
      msg: `cannot open the database ${file}: file is not a database`,
    });
  });

  it("a directory it cannot write to: one line naming it and why, exit 1", async () => {
    const d = await unwritableDir("read-only", false);
    const run = await start(join(d, "dashboard.db"));
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(JSON.parse(run.lines[0] ?? "").msg).toBe(
      `cannot open the database ${join(d, "dashboard.db")}: unable to open database file ` +
        `(its directory ${d} is not writable: ${NOT_WRITABLE})`,
    );
  });

  it("an existing database it cannot write to: one line naming it and why, exit 1", async () => {
    const d = await unwritableDir("read-only-existing", true);
    const file = join(d, "dashboard.db");
    const run = await start(file);
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    const msg = JSON.parse(run.lines[0] ?? "").msg as string;
    expect(msg).toMatch(
      new RegExp(
        `^cannot open the database ${file}: .+ \\(the file ${file} is not writable: ${NOT_WRITABLE}\\)$`,
      ),
    );
  });

  it("a directory that does not exist: one line naming it, exit 1", async () => {
    const file = join(dir, "no-such-folder", "dashboard.db");
    const run = await start(file);
    expect(run.code).toBe(1);
    expect(run.lines).toHaveLength(1);
    expect(JSON.parse(run.lines[0] ?? "").msg).toBe(
      `cannot open the database ${file}: Cannot open database because the directory does not exist`,
    );
  });
});
