/**
 * `npm run demo -- --instances N` (N >= 2): the event of the one-server demo on N instances sharing a
 * throwaway PostgreSQL cluster, behind nginx on --port. Instance i listens on port+i; killing one
 * (`kill -9 <pid>`) leaves the others serving: nginx sends its requests and the screens' stream
 * reconnects to them, and every instance pushes every sale (LISTEN/NOTIFY). A dead instance is not
 * restarted and does not stop the demo; Ctrl-C / SIGTERM stops everything, the cluster last.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../server-flags.js";
import {
  type DemoNginx,
  NGINX_INSTALL_HINT,
  nginxBinary,
  nginxInstalled,
  nginxStartupLog,
  startNginx,
} from "./multi-nginx.js";
import { type Instance, printMultiWelcome } from "./multi-welcome.js";
import type { DemoOptions } from "./options.js";
import { findPostgresBinDir, type PostgresCluster, startPostgresCluster } from "./postgres/cluster.js";
import { HOST, setUp, startMocksOrExit, stopChild, waitForHealth } from "./steps.js";

export async function runMultiDemo(opts: DemoOptions): Promise<void> {
  checkMachineOrExit(opts);
  const envToken = process.env.ADMIN_TOKEN;
  const token = envToken !== undefined && envToken.trim() !== "" ? envToken : randomBytes(24).toString("hex");
  const cluster = await startClusterOrExit();
  const { mock, pos } = await startMocksOrExit(opts);
  const nginxDir = mkdtempSync(join(tmpdir(), "demo-nginx-"));
  const instances = Array.from({ length: opts.instances }, (_, i) =>
    startInstance(i + 1, opts.port + i + 1, cluster.url, mock.url, token),
  );
  const nginx = startNginx(
    nginxDir,
    opts.port,
    instances.map((i) => i.port),
  );

  // Should the demo itself die (an uncaught error), it takes its children along; the cluster's own
  // exit hook (postgres/cluster.ts) removes PostgreSQL.
  process.once("exit", () => {
    for (const c of [...instances.map((i) => i.child), nginx.child])
      if (c.exitCode === null) c.kill("SIGKILL");
  });
  let stopping = false;
  const stopAll = async () => {
    // Sales first, so no webhook is on its way; the mocks after the instances, so their last polls
    // are answered; the cluster last, so no instance loses its database while stopping.
    await pos.stopSales();
    await Promise.all(instances.map((i) => stopChild(i.child, i.exited)));
    await stopChild(nginx.child, nginx.exited);
    rmSync(nginxDir, { recursive: true, force: true });
    await Promise.all([mock.stop(), pos.close()]);
    await cluster.stop();
  };
  const fail = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`demo: ${why}; stopping everything`);
    await stopAll();
    process.exit(1);
  };
  watchInstances(instances, () => stopping);
  watchNginx(nginx, nginxDir, () => stopping, fail);
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\ndemo: ${why}; stopping the instances, nginx, the mocks and PostgreSQL...`);
    await stopAll();
    console.log("demo: stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT received"));
  process.on("SIGTERM", () => void stop("SIGTERM received"));

  const base = `http://${HOST}:${opts.port}`;
  try {
    // Each instance first (it migrates the schema or waits for the one that does), then nginx.
    for (const i of instances) await waitForHealth(`http://${HOST}:${i.port}`, () => stopping);
    await waitForHealth(base, () => stopping);
    if (stopping) return;
    await setUp(base, token, mock, pos);
  } catch (e) {
    await fail(`setup failed: ${(e as Error).message}`);
    return;
  }
  if (stopping) return;
  pos.startSales(base);
  printMultiWelcome({ base, token, mock, pos, opts, cluster, instances, nginxPid: nginx.child.pid });
}

/** nginx and PostgreSQL's server programs, before anything starts. */
function checkMachineOrExit(opts: DemoOptions): void {
  if (!nginxInstalled()) {
    console.error(
      `demo: --instances ${opts.instances} puts nginx in front of the instances, and ${nginxBinary()} is missing: ${NGINX_INSTALL_HINT}`,
    );
    process.exit(1);
  }
  try {
    findPostgresBinDir();
  } catch (e) {
    console.error(`demo: --instances ${opts.instances} runs on PostgreSQL: ${(e as Error).message}`);
    process.exit(1);
  }
}

async function startClusterOrExit(): Promise<PostgresCluster> {
  try {
    return await startPostgresCluster();
  } catch (e) {
    console.error(`demo: cannot start PostgreSQL: ${(e as Error).message}`);
    process.exit(1);
  }
}

/** An instance as `npm start` runs it, on the shared database; its log lines say which one it is. */
function startInstance(
  n: number,
  port: number,
  databaseUrl: string,
  mockUrl: string,
  token: string,
): Instance {
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, fileURLToPath(new URL("../main.js", import.meta.url))],
    {
      env: {
        ...SERVER_ENV,
        ...process.env,
        ADDR: `${HOST}:${port}`,
        DATABASE_URL: databaseUrl,
        SOURCE_BASE_URL: mockUrl,
        POLL_INTERVAL: "3s",
        LOG_FORMAT: "pretty",
        LOG_LEVEL: "warn",
        ADMIN_TOKEN: token,
        // Every connection comes from nginx: the per-address bound belongs there.
        MAX_CONNECTIONS_PER_IP: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on("line", (line) => console.error(`[instance ${n}] ${line}`));
  }
  const exited = new Promise<void>((done) => {
    child.once("error", () => done());
    child.once("exit", () => done());
  });
  return { n, port, child, exited };
}

/** A killed instance is the point of the demo: say so, and carry on with the others. */
function watchInstances(instances: readonly Instance[], stopping: () => boolean): void {
  for (const i of instances) {
    i.child.once("exit", (code, signal) => {
      if (stopping()) return;
      const left = instances.filter((o) => o.child.exitCode === null && o.child.signalCode === null);
      console.error(
        `demo: instance ${i.n} (pid ${i.child.pid}, :${i.port}) exited (${signal ?? `code ${code}`}); ${left.length} of ${instances.length} still serving behind nginx`,
      );
    });
  }
}

function watchNginx(
  nginx: DemoNginx,
  dir: string,
  stopping: () => boolean,
  fail: (why: string) => Promise<void>,
): void {
  nginx.child.once("exit", (code, signal) => {
    if (stopping()) return;
    const said = nginxStartupLog(dir);
    void fail(`nginx exited (${signal ?? `code ${code}`})${said ? `: ${said}` : ""}`);
  });
}
