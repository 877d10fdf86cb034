/**
 * `npm run demo`: the whole system in one process tree. Starts the mock upstream in-process, runs the
 * server (dist/main.js) as a child against it, registers the mock's merchants and a milestone ladder
 * through the admin API, prints where to look, and stops everything on Ctrl-C / SIGTERM.
 * Reads ADMIN_TOKEN from the environment (a random one is generated when unset) and passes the
 * server its configuration as the child's environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "../mock/index.js";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../server-flags.js";
import { missingMilestones } from "./milestones.js";
import { type DemoOptions, DemoOptionsError, parseDemoOptions } from "./options.js";

const HOST = "127.0.0.1";
const HEALTH_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  let opts: DemoOptions;
  try {
    opts = parseDemoOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof DemoOptionsError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const dbPath = resolve(opts.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const envToken = process.env.ADMIN_TOKEN;
  const token = envToken !== undefined && envToken.trim() !== "" ? envToken : randomBytes(24).toString("hex");

  let mock: MockUpstream;
  try {
    mock = await startMockUpstream({ host: HOST, port: opts.mockPort, speed: opts.speed, intervalMs: 2000 });
  } catch (e) {
    console.error(`cannot start the mock upstream on ${HOST}:${opts.mockPort}: ${(e as Error).message}`);
    process.exit(1);
  }

  const child = startServer(opts, dbPath, mock.url, token);

  let stopping = false;
  const childExited = new Promise<void>((done) => child.once("exit", () => done()));
  child.once("exit", (code, signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`demo: the server exited unexpectedly (${signal ?? `code ${code}`}); stopping the mock`);
    void mock.stop().finally(() => process.exit(1));
  });

  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\ndemo: ${why}; stopping the server and the mock...`);
    await stopChild(child, childExited);
    await mock.stop();
    console.log("demo: stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT received"));
  process.on("SIGTERM", () => void stop("SIGTERM received"));

  const base = `http://${HOST}:${opts.port}`;
  try {
    await waitForHealth(base, () => stopping);
    if (stopping) return;
    await setUp(base, token, mock);
  } catch (e) {
    if (stopping) return;
    console.error(`demo: setup failed: ${(e as Error).message}`);
    stopping = true;
    await stopChild(child, childExited);
    await mock.stop();
    process.exit(1);
  }
  if (stopping) return;

  printWelcome(base, token, mock, opts, dbPath);
}

/** The server as `npm start` runs it, polling the mock every 3 s, quiet but for warnings. */
function startServer(opts: DemoOptions, dbPath: string, mockUrl: string, token: string): ChildProcess {
  return spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, fileURLToPath(new URL("../main.js", import.meta.url))],
    {
      env: {
        ...SERVER_ENV,
        ...process.env,
        ADDR: `${HOST}:${opts.port}`,
        DB_PATH: dbPath,
        SOURCE_BASE_URL: mockUrl,
        POLL_INTERVAL: "3s",
        LOG_FORMAT: "pretty",
        LOG_LEVEL: "warn",
        ADMIN_TOKEN: token,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
}
function printWelcome(
  base: string,
  token: string,
  mock: MockUpstream,
  opts: DemoOptions,
  dbPath: string,
): void {
  console.log(`
Live POS dashboard demo is running.

  Dashboard:   ${base}/
  Admin:       ${base}/admin
  Admin token: ${token}
  Mock:        ${mock.url} (20 merchants, speed ${opts.speed}x)
  Database:    ${dbPath}

What to expect: sales appear within a few seconds (the server polls every 3 s) on the ticker,
leaderboards and charts; the milestones (100k sats, 100 / 500 / 1,000 sales, 1M sats) fire
within the first minutes. Rerunning the demo on the same database adds nothing twice.
Press Ctrl-C to stop.
`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(base: string, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!cancelled()) {
    try {
      const res = await fetch(`${base}/v1/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer ${base}/v1/health within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function setUp(base: string, token: string, mock: MockUpstream): Promise<void> {
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const msg = (json as { error?: string } | undefined)?.error ?? "";
      throw new Error(`${method} ${path} answered ${res.status} ${msg}`);
    }
    return json;
  };
  const merchants = mock.merchants();
  for (const m of merchants) {
    await admin("POST", "/v1/admin/merchants", { id: m.id, public_key: m.publicKey, alias: m.name });
  }
  const existing = (await admin("GET", "/v1/admin/milestones")) as { name: string }[];
  const toCreate = missingMilestones(existing);
  for (const m of toCreate) await admin("POST", "/v1/admin/milestones", m);
  console.log(
    `demo: registered ${merchants.length} merchants; created ${toCreate.length} milestones (${existing.length} already there)`,
  );
}

await main();
