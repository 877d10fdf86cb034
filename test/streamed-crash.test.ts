import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";

const child = new URL("./support/streamed-crash-child.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "streamed-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  // The child runs the build, so that a real, separate process can be killed mid-write.
  if (!existsSync(new URL("../dist/store/sale-batches.js", import.meta.url)))
    throw new Error("run `npm run build` first");
});

/** Runs the child until `stop` says so on one of its lines, then kills it without warning. */
async function ingestUntil(dbFile: string, start: number, stop: (line: string) => boolean): Promise<void> {
  const proc = spawn(process.execPath, [child, dbFile, String(start)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (chunk.split("\n").some(stop)) proc.kill("SIGKILL");
    });
    proc.on("exit", () => resolve());
    proc.on("error", reject);
  });
}

async function check(dbFile: string): Promise<{ n: number; max: number }> {
  const store = await openDatabase(dbFile);
  const { rows } = await sql<{
    n: number;
    ids: number;
    max: number;
    v: number;
    lines: number;
    hours: number;
  }>`
    select count(*) as n, count(distinct sale_id) as ids, max(sale_id) as max, sum(amount_sats) as v,
      (select count(*) from sale_lines) as lines,
      (select sum(transactions) from sales_by_hour) as hours
    from transactions`.execute(store.db);
  const totals = await store.db
    .selectFrom("merchants")
    .select(["total_transactions", "total_volume_sats"])
    .executeTakeFirstOrThrow();
  await store.close();
  const row = rows[0] as { n: number; ids: number; max: number; v: number; lines: number; hours: number };
  // Every batch committed whole or not at all: each sale once, with its line, its totals and rollups.
  expect(row.ids).toBe(row.n);
  expect(row.lines).toBe(row.n);
  expect(row.hours).toBe(row.n);
  expect(totals).toEqual({ total_transactions: row.n, total_volume_sats: row.v });
  return row;
}

describe("a crash while a streamed history is stored batch by batch", () => {
  it("loses no committed batch, stores no sale twice, and the next poll completes the history", {
    timeout: 60_000,
  }, async () => {
    const dbFile = join(dir, "streamed.db");
    let start = 0;
    for (let round = 0; round < 3; round++) {
      let batches = 0;
      await ingestUntil(dbFile, start, (line) => line === "committed batch" && ++batches === 4 + round);
      start = (await check(dbFile)).max;
    }
    // A poll that ends: every id up to its newest is there, once.
    let complete = 0;
    await ingestUntil(dbFile, start, (line) => {
      const m = /^complete (\d+)$/.exec(line);
      if (m) complete = Number(m[1]);
      return m !== null;
    });
    await check(dbFile);
    const store = await openDatabase(dbFile);
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from transactions where sale_id <= ${complete}`.execute(store.db);
    await store.close();
    expect(complete).toBeGreaterThan(start);
    expect(rows[0]?.n).toBe(complete);
  });
});
