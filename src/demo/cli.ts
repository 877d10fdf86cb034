/**
 * `npm run demo`: the whole system in one process tree, a mixed event. Starts the PayWithFlash mock and
 * the BTCPay and LNbits mocks (pos-sources.ts) in-process, runs the server (dist/main.js) as a child,
 * registers every mock's merchants and a milestone ladder through the admin API, then sells at the
 * BTCPay/LNbits stands and sends their webhooks, prints where to look, and stops everything on
 * Ctrl-C / SIGTERM.
 * Reads ADMIN_TOKEN from the environment (a random one is generated when unset) and passes the
 * server its configuration as the child's environment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { MockUpstream } from "../mock/index.js";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../server-flags.js";
import { type DemoOptions, DemoOptionsError, parseDemoOptions } from "./options.js";
import type { PosSources } from "./pos-sources.js";
import { HOST, merchantLines, setUp, startMocksOrExit, stopChild, waitForHealth } from "./steps.js";

async function main(): Promise<void> {
  const opts = optionsOrExit();
  if (opts.instances > 1) {
    // Imported only here: the one-server demo must not need PostgreSQL's or nginx's modules.
    const { runMultiDemo } = await import("./multi-cli.js");
    await runMultiDemo(opts);
    return;
  }
  const dbPath = resolve(opts.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const envToken = process.env.ADMIN_TOKEN;
  const token = envToken !== undefined && envToken.trim() !== "" ? envToken : randomBytes(24).toString("hex");
  const { mock, pos } = await startMocksOrExit(opts);
  const stopMocks = () => Promise.all([mock.stop(), pos.close()]);

  const child = startServer(opts, dbPath, mock.url, token);

  let stopping = false;
  const childExited = new Promise<void>((done) => child.once("exit", () => done()));
  child.once("exit", (code, signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`demo: the server exited unexpectedly (${signal ?? `code ${code}`}); stopping the mocks`);
    void stopMocks().finally(() => process.exit(1));
  });

  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\ndemo: ${why}; stopping the server and the mocks...`);
    // Sales first, so no webhook is on its way; the mocks last, so the server's last polls are answered.
    await pos.stopSales();
    await stopChild(child, childExited);
    await stopMocks();
    console.log("demo: stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT received"));
  process.on("SIGTERM", () => void stop("SIGTERM received"));

  const base = `http://${HOST}:${opts.port}`;
  try {
    await waitForHealth(base, () => stopping);
    if (stopping) return;
    await setUp(base, token, mock, pos);
  } catch (e) {
    if (stopping) return;
    console.error(`demo: setup failed: ${(e as Error).message}`);
    stopping = true;
    await stopChild(child, childExited);
    await stopMocks();
    process.exit(1);
  }
  if (stopping) return;
  pos.startSales(base);
  printWelcome(base, token, { mock, pos }, opts, dbPath);
}

function optionsOrExit(): DemoOptions {
  try {
    return parseDemoOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof DemoOptionsError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
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
  mocks: { mock: MockUpstream; pos: PosSources },
  opts: DemoOptions,
  dbPath: string,
): void {
  console.log(`
Live POS dashboard demo is running: one event, three kinds of point of sale.

  Dashboard:   ${base}/
  Admin:       ${base}/admin
  Admin token: ${token}
  Database:    ${dbPath}
${merchantLines(mocks.mock, mocks.pos, opts).join("\n")}

What to expect: sales appear within a few seconds on the ticker, leaderboards and charts, every
source side by side (filter with ?source=pwf|btcpay|lnbits). PayWithFlash merchants are polled every
3 s; BTCPay sales arrive at once by signed webhook, LNbits pay link sales by webhook with its secret,
LNbits TPoS sales by polling (TPoS sends no webhooks). Now and then an invoice expires unpaid or is
paid after expiry (BTCPay Expired/PaidLate) and rightly never counts. The milestones (100k sats,
100 / 500 / 1,000 sales, 1M sats) fire within the first minutes. Rerunning the demo on the same
database adds nothing twice. Press Ctrl-C to stop.
`);
}

await main();
