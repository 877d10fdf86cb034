import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";

const child = new URL("./support/crash-child.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the ingesting child until it has committed a few polls, then kills it without warning. */
async function ingestAndKill(dbFile: string, start: number, killAfterCommits: number): Promise<number> {
  const proc = spawn(process.execPath, [child, dbFile, String(start)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let lastCommitted = start;
  let commits = 0;
  await new Promise<void>((resolve, reject) => {
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      for (const m of chunk.matchAll(/committed (\d+)/g)) {
        lastCommitted = Number(m[1]);
        if (++commits === killAfterCommits) proc.kill("SIGKILL");
      }
    });
    proc.on("exit", () => resolve());
    proc.on("error", reject);
  });
  return lastCommitted;
}

describe("a crash at any moment", () => {
  it("loses no committed sale and creates no duplicate", { timeout: 60_000 }, async () => {
    expect(
      existsSync(new URL("../dist/store/poll-transaction.js", import.meta.url)),
      "run `npm run build` first",
    ).toBe(true);
    const dbFile = join(dir, "crash.db");
    let committed = 0;
    for (let round = 0; round < 4; round++) {
      committed = await ingestAndKill(dbFile, committed, 3 + round);
      // Each reopen must see at least what the killed process reported as committed.
      const store = await openDatabase(dbFile);
      const count = await sql<{ n: number; max: number; v: number; lines: number }>`
        select count(*) as n, max(sale_id) as max, sum(amount_sats) as v,
          (select count(*) from sale_lines) as lines from transactions`.execute(store.db);
      const totals = await store.db
        .selectFrom("merchants")
        .select(["total_transactions", "total_volume_sats"])
        .executeTakeFirstOrThrow();
      await store.close();
      const row = count.rows[0];
      expect(row?.n).toBeGreaterThanOrEqual(committed);
      expect(row?.n).toBe(row?.max); // ids 1..n, each once
      expect(row?.lines).toBe(row?.n);
      expect(totals).toEqual({ total_transactions: row?.n, total_volume_sats: row?.v });
      committed = row?.n ?? 0;
    }
    expect(committed).toBeGreaterThan(200);
  });
});
