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

  it("counts PostgreSQL's storage and connection failures, not a statement's", () => {
    const pg = (code: string | undefined, message: string) => Object.assign(new Error(message), { code });
    expect(describeStorageFailure(pg("53100", "could not extend file: No space left on device"))).toBe(
      "could not extend file: No space left on device (53100)",
    );
    expect(describeStorageFailure(pg("57P01", "terminating connection due to administrator command"))).toBe(
      "terminating connection due to administrator command (57P01)",
    );
    expect(describeStorageFailure(pg("08006", "connection failure"))).toBe("connection failure (08006)");
    expect(describeStorageFailure(pg("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"))).toBe(
      "connect ECONNREFUSED 127.0.0.1:5432 (ECONNREFUSED)",
    );
    expect(describeStorageFailure(pg(undefined, "Connection terminated unexpectedly"))).toBe(
      "Connection terminated unexpectedly (PostgreSQL unreachable)",
    );
    // A unique violation, a foreign key, a syntax error: the statement's fault, not the storage's.
    for (const code of ["23505", "23503", "42601", "22P02"])
      expect(describeStorageFailure(pg(code, "statement failed"))).toBeUndefined();
    expect(describeStorageFailure(pg(undefined, "Cannot read properties of undefined"))).toBeUndefined();
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
