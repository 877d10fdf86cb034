/**
 * A connection checked out of the pool (a transaction between two statements) whose backend dies, as
 * when PostgreSQL is restarted under the service: it must fail its next query, not emit an unhandled
 * "error" that ends the process (vitest reports such an error and fails the run).
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../src/store/postgres/pool.js";
import { emptyTestDatabase } from "./support/test-database.js";

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe("the PostgreSQL pool", () => {
  it("survives the backend of a checked-out connection being terminated", async () => {
    const database = await emptyTestDatabase();
    cleanup.push(() => database.drop());
    const pool = createPool(database.url, { max: 2, applicationName: "pool-test" });
    cleanup.push(() => pool.end());
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    cleanup.push(() => admin.end());
    await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
    // The termination notice arrives on the idle, checked-out connection on its own.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(client.query("select 1")).rejects.toThrow();
    client.release(true);
    expect((await pool.query<{ one: number }>("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });
});
