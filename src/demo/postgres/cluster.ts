/**
 * Throwaway PostgreSQL clusters for tests, benchmarks and the demo: `initdb` into a fresh temp directory, the server on a free
 * port of 127.0.0.1, nothing shared with any other cluster on the machine (not Debian's own `main`
 * cluster on 5432 either), removed again by stop(). Needs only the server binaries (Debian's
 * `postgresql` package; `.ci/run` installs it). Independent of vitest, so bench/ and demos can use it.
 *
 *   const cluster = await startPostgresCluster();
 *   const db = await createTestDatabase(cluster.url); // a fresh, empty database per test file
 *   ... new pg.Client(db.url) ...
 *   await db.drop(); await cluster.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  findPostgresBinDir,
  freePort,
  pidsWithParent,
  postgresOsUser,
  type RunAs,
  untilExited,
} from "./os.js";

export { findPostgresBinDir } from "./os.js";

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth: no password). */
  url: string;
  port: number;
  dataDir: string;
  /** The server's log so far (its stderr and stdout), for failure messages. */
  log(): string;
  /** Fast shutdown (as `pg_ctl stop -m fast`), then the temp directory is removed. Idempotent. */
  stop(): Promise<void>;
  /** Fast shutdown if running (after kill(): crash recovery), then starts again on the same port and dir. */
  restart(): Promise<void>;
  /**
   * SIGKILL to the postmaster, as a crash: resolves once it and its backends (which exit on
   * their own when they notice the postmaster is gone) are gone, so restart() can follow.
   * Every acknowledged commit survives it (see synchronous_commit below).
   */
  kill(): Promise<void>;
}

export interface PostgresClusterOptions {
  /** More server settings (`-c name=value`), over the defaults below. */
  settings?: Record<string, string>;
}

const START_TIMEOUT_MS = 30_000;
const RETRY_MS = 25;

// Test data is disposable and every test makes its own: durability against an OS crash buys nothing.
// fsync=off and full_page_writes=off only risk data on an OS or power crash (a killed server still
// leaves every write in the OS page cache), and keep heavy-ingest tests from waiting on the disk.
// synchronous_commit stays on: with fsync off a commit costs one write() to the page cache (pgbench,
// one-row inserts: ~12k commits/s either way), while off would let kill() lose commits already
// acknowledged (up to 3 x wal_writer_delay), failing the "nothing lost" fault tests falsely.
const DEFAULT_SETTINGS: Record<string, string> = {
  listen_addresses: "127.0.0.1",
  fsync: "off",
  full_page_writes: "off",
  // Many services (several instances per test, each with a pool and a LISTEN connection) at once.
  max_connections: "300",
};

// PGHOST, PGPORT, PGDATA... from a developer's shell must not steer a throwaway cluster elsewhere.
function serverEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG")));
  return { ...env, LC_ALL: "C" };
}

function run(cmd: string, args: string[], as: RunAs, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...as, cwd, env: serverEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(" ")} failed (${code ?? signal}):\n${out}`)),
    );
  });
}

interface Server {
  child: ChildProcess;
  exited: Promise<void>;
}

function launch(
  bin: string,
  dir: string,
  port: number,
  settings: Record<string, string>,
  as: RunAs,
  log: string[],
) {
  const args = ["-D", join(dir, "data"), "-p", String(port), "-c", `unix_socket_directories=${dir}`];
  for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
  const child = spawn(join(bin, "postgres"), args, {
    ...as,
    cwd: dir,
    env: serverEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => {
    log.push(d.toString());
    if (log.length > 200) log.splice(0, log.length - 200);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    child.once("error", (err) => {
      log.push(String(err));
      resolve();
    });
    child.once("exit", () => resolve());
  });
  return { child, exited };
}

/** Resolves once a client can connect; fails at once if the server exits first. */
async function untilAccepting(url: string, server: Server, log: string[]): Promise<void> {
  let gone = false;
  void server.exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`postgres exited before accepting connections:\n${log.join("")}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      // "connection refused" until it listens, then "the database system is starting up".
      if (Date.now() > deadline)
        throw new Error(
          `postgres not accepting connections after ${START_TIMEOUT_MS} ms: ${err}\n${log.join("")}`,
        );
    }
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

const alive = (s: Server | null): s is Server =>
  s !== null && s.child.exitCode === null && s.child.signalCode === null;

// Clusters a test forgot (or could not) stop are killed and removed when the process exits.
const live = new Map<string, () => void>();
process.once("exit", () => {
  for (const cleanup of live.values()) cleanup();
});

export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const as = postgresOsUser();
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  const dataDir = join(dir, "data");
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const log: string[] = [];
  let server: Server | null = null;
  live.set(dir, () => {
    if (alive(server)) server.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    if (as) chownSync(dir, as.uid, as.gid);
    const initdb = ["-D", dataDir, "--auth=trust", "-U", "postgres", "--locale=C", "--encoding=UTF8"];
    // --no-sync: initdb's own fsyncs are pointless for a throwaway cluster and cost seconds on slow disks.
    await run(join(bin, "initdb"), [...initdb, "--no-sync", "--no-instructions"], as, dir);
  } catch (err) {
    live.get(dir)?.();
    live.delete(dir);
    throw new Error(`initdb in ${dir} failed: ${err instanceof Error ? err.message : err}`);
  }
  const urlFor = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
  const start = async (port: number) => {
    server = launch(bin, dir, port, settings, as, log);
    await untilAccepting(urlFor(port), server, log);
  };
  const stopServer = async (signal: NodeJS.Signals) => {
    if (!alive(server)) return;
    const { child, exited } = server;
    const backends = signal === "SIGKILL" && child.pid !== undefined ? pidsWithParent(child.pid) : [];
    // SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
    child.kill(signal);
    await exited;
    await untilExited(backends);
  };

  let port = 0;
  // Another process may take the free port before postgres binds it: then try another one.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start(port);
      break;
    } catch (err) {
      await stopServer("SIGKILL");
      const taken = /could not bind|Address already in use/.test(log.join(""));
      if (!taken || attempt >= 5) {
        live.get(dir)?.();
        live.delete(dir);
        throw new Error(`PostgreSQL in ${dir}: ${err instanceof Error ? err.message : err}`);
      }
      log.length = 0;
    }
  }

  return {
    url: urlFor(port),
    port,
    dataDir,
    log: () => log.join(""),
    stop: async () => {
      await stopServer("SIGINT");
      rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
    restart: async () => {
      if (!existsSync(dataDir)) throw new Error(`restart() after stop(): ${dataDir} is gone`);
      await stopServer("SIGINT");
      await start(port);
    },
    kill: () => stopServer("SIGKILL"),
  };
}

let dbCount = 0;

async function onCluster(clusterUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** The cluster's URL with this database's name as its path. */
  url: string;
  name: string;
  /** Drops it even while clients are still connected to it (they are disconnected). Idempotent. */
  drop(): Promise<void>;
}

/**
 * A new, empty database on the cluster with a name no other test (file, worker or run) uses.
 * From template0: nobody can be connected to it, so many can be created at the same time.
 */
export async function createTestDatabase(
  clusterUrl: string,
  /** Copy this database (migrated once, copied for each test) instead of an empty one. */
  template = "template0",
): Promise<TestDatabase> {
  dbCount += 1;
  const name = `test_${process.pid}_${dbCount}_${randomBytes(4).toString("hex")}`;
  await onCluster(clusterUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onCluster(clusterUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
