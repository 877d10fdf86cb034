/**
 * The throwaway PostgreSQL cluster the PostgreSQL engine's tests run on (src/demo/postgres/cluster.ts):
 * it really starts, isolates databases, survives restart(), dies on kill(), and leaves nothing behind.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  findPostgresBinDir,
  type PostgresCluster,
  startPostgresCluster,
} from "../src/demo/postgres/cluster.js";

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("findPostgresBinDir", () => {
  const root = mkdtempSync(join(tmpdir(), "pg-bins-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const fakeMajor = (major: string, programs: string[]) => {
    mkdirSync(join(root, major, "bin"), { recursive: true });
    for (const p of programs) writeFileSync(join(root, major, "bin", p), "");
  };

  it("names the package to install when there is no server", () => {
    expect(() => findPostgresBinDir(join(root, "absent"), "")).toThrow(/apt-get install postgresql/);
    fakeMajor("17", ["psql", "pg_config"]); // a client-only install holds no server
    expect(() => findPostgresBinDir(root, "")).toThrow(/install Debian's `postgresql` package/);
  });

  it("picks the highest major that has initdb and postgres, comparing numbers not strings", () => {
    fakeMajor("9", ["initdb", "postgres"]);
    fakeMajor("15", ["initdb", "postgres"]);
    fakeMajor("16", ["initdb"]);
    expect(findPostgresBinDir(root, "")).toBe(join(root, "15", "bin"));
  });
});

it("fails with the server's own words, and leaves nothing behind, when postgres cannot start", async () => {
  const failure = await startPostgresCluster({ settings: { max_connections: "many" } }).then(
    () => new Error("it started"),
    (err: Error) => err,
  );
  expect(failure.message).toMatch(/exited before accepting connections[\s\S]*max_connections/);
  const dir = /PostgreSQL in (\S+):/.exec(failure.message)?.[1] ?? "";
  expect(dir).toMatch(/pg-test-/);
  expect(existsSync(dir)).toBe(false);
});

describe("a throwaway PostgreSQL cluster", () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("listens on 127.0.0.1 only, in its own temp directory, with the test settings", async () => {
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
    expect(existsSync(join(cluster.dataDir, "PG_VERSION"))).toBe(true);
    const [row] = await query(
      cluster.url,
      `SELECT current_setting('listen_addresses') AS listen, current_setting('port') AS port,
              current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS sync_commit, current_setting('max_connections') AS max_conn,
              current_setting('data_directory') AS data_dir, current_user AS "user",
              pg_encoding_to_char(encoding) AS encoding, datcollate
         FROM pg_database WHERE datname = current_database()`,
    );
    expect(row).toEqual({
      listen: "127.0.0.1",
      port: String(cluster.port),
      fsync: "off",
      sync_commit: "on",
      max_conn: "300",
      data_dir: cluster.dataDir,
      user: "postgres",
      encoding: "UTF8",
      datcollate: "C",
    });
  });

  it("gives each test database its own tables, and drops them even while connected", async () => {
    const a = await createTestDatabase(cluster.url);
    const b = await createTestDatabase(cluster.url);
    expect(a.name).not.toBe(b.name);
    await query(a.url, "CREATE TABLE sales (id int PRIMARY KEY); INSERT INTO sales VALUES (1), (2)");
    expect(await query(a.url, "SELECT count(*)::int AS n FROM sales")).toEqual([{ n: 2 }]);
    expect(await query(b.url, "SELECT to_regclass('sales') AS t")).toEqual([{ t: null }]);

    const holder = new pg.Client({ connectionString: a.url });
    holder.on("error", () => {}); // the FORCE drop terminates it
    await holder.connect();
    await a.drop();
    await b.drop();
    await b.drop(); // idempotent
    const names = await query<{ datname: string }>(cluster.url, "SELECT datname FROM pg_database");
    expect(names.map((r) => r.datname)).not.toContain(a.name);
    expect(names.map((r) => r.datname)).not.toContain(b.name);
    await expect(holder.query("SELECT 1")).rejects.toThrow();
  });

  it("keeps committed data across restart(), on the same port", async () => {
    const db = await createTestDatabase(cluster.url);
    await query(db.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before restart')");
    await cluster.restart();
    expect(await query(db.url, "SELECT v FROM kept")).toEqual([{ v: "before restart" }]);
    expect(cluster.log()).not.toMatch(/not properly shut down/); // a clean shutdown, not a crash
    await db.drop();
  });

  it("kill() breaks open connections and refuses new ones; restart() then recovers", async () => {
    const db = await createTestDatabase(cluster.url);
    // Durable at commit despite the cluster's synchronous_commit=off: a kill must not lose it.
    await query(
      db.url,
      "SET synchronous_commit = on; CREATE TABLE crash (v int); INSERT INTO crash VALUES (7)",
    );
    const open = new pg.Client({ connectionString: db.url });
    open.on("error", () => {});
    await open.connect();
    await cluster.kill();
    await expect(open.query("SELECT 1")).rejects.toThrow();
    await expect(query(cluster.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await cluster.restart();
    expect(cluster.log()).toMatch(/not properly shut down; automatic recovery in progress/);
    expect(await query(db.url, "SELECT v FROM crash")).toEqual([{ v: 7 }]);
    await db.drop();
  });

  it("stop() shuts it down and removes its temp directory", async () => {
    await cluster.stop();
    expect(existsSync(cluster.dataDir)).toBe(false);
    await expect(query(cluster.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await cluster.stop(); // idempotent: afterAll calls it again
    await expect(cluster.restart()).rejects.toThrow(/after stop/);
  });
});
