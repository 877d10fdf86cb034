import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, openReadConnection } from "./db.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("database connections", () => {
  it("the read connection keeps the writer's 4 MiB page cache, not better-sqlite3's 16 MiB default", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "db-test-"));
    dirs.push(dir);
    const file = path.join(dir, "db.sqlite");
    const writer = await openDatabase(file);
    const reader = openReadConnection(file);
    try {
      const cacheSize = async (db: typeof reader.db) =>
        (await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]?.cache_size;
      expect(await cacheSize(reader.db)).toBe(-4096);
      expect(await cacheSize(writer.db)).toBe(-4096);
      // And it really only reads.
      await expect(sql`create table t (x)`.execute(reader.db)).rejects.toThrow(
        /readonly|read-only|query_only/i,
      );
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
