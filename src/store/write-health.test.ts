import { describe, expect, it } from "vitest";
import { describeStorageFailure, type WriteFailure, WriteHealth } from "./write-health.js";

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });
const FULL = sqliteError("SQLITE_FULL", "database or disk is full");

function health() {
  let now = 1000;
  const h = new WriteHealth(() => now);
  const seen: (WriteFailure | undefined)[] = [];
  h.onChange = (f) => seen.push(f);
  return { h, seen, tick: (ms: number) => (now += ms) };
}

describe("WriteHealth", () => {
  it("counts the storage's failures only, not a bug's or a constraint's", () => {
    expect(describeStorageFailure(FULL)).toBe("database or disk is full (SQLITE_FULL)");
    expect(describeStorageFailure(sqliteError("SQLITE_IOERR_WRITE", "disk I/O error"))).toBe(
      "disk I/O error (SQLITE_IOERR_WRITE)",
    );
    expect(describeStorageFailure(sqliteError("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE failed"))).toBeUndefined();
    expect(describeStorageFailure(sqliteError("SQLITE_ERROR", "no such table"))).toBeUndefined();
    expect(describeStorageFailure(new TypeError("x is undefined"))).toBeUndefined();
    const { h, seen } = health();
    h.failed(new TypeError("x is undefined"), true);
    expect(h.failure).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it("clears a failure to add sales only when sales are added again; any success clears the rest", () => {
    const { h, seen, tick } = health();
    h.failed(FULL, true);
    tick(500);
    h.failed(FULL, false);
    expect(h.failure).toEqual({ error: "database or disk is full (SQLITE_FULL)", since: 1000, at: 1500 });
    // The failure's record fits again (an update in place); the sales still do not.
    h.succeeded(false);
    expect(h.failure).toEqual({ error: "database or disk is full (SQLITE_FULL)", since: 1000, at: 1000 });
    h.succeeded(false);
    expect(h.failure).toBeDefined();
    h.succeeded(true);
    expect(h.failure).toBeUndefined();
    expect(seen).toHaveLength(4);
    expect(seen.at(-1)).toBeUndefined();
    // A failure of an update in place is cleared by any success.
    h.failed(FULL, false);
    h.succeeded(false);
    expect(h.failure).toBeUndefined();
  });

  it("track() passes the result or the error on, asking afterwards whether sales were being added", async () => {
    const { h } = health();
    await expect(
      h.track(
        () => Promise.reject(FULL),
        () => true,
      ),
    ).rejects.toBe(FULL);
    expect(h.failure?.error).toBe("database or disk is full (SQLITE_FULL)");
    expect(
      await h.track(
        async () => 0,
        (stored) => (stored ?? 0) > 0,
      ),
    ).toBe(0);
    expect(h.failure).toBeDefined();
    expect(
      await h.track(
        async () => 7,
        (stored) => (stored ?? 0) > 0,
      ),
    ).toBe(7);
    expect(h.failure).toBeUndefined();
  });
});
