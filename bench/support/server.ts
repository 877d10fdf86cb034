/**
 * The service under test as a black box: the real build (dist/main.js) in a child process,
 * configured only through its environment, logging to a file, reached over HTTP on 127.0.0.1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, openSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../../src/server-flags.js";
import { exited, freePort, stopChild } from "./procs.js";

const MAIN_JS = fileURLToPath(new URL("../../../dist/main.js", import.meta.url));
const BARE_START_JS = fileURLToPath(new URL("./bare-start-child.js", import.meta.url));

export interface ServerOptions {
  dbPath: string;
  /** Upstream (the mock child). */
  sourceBaseUrl: string;
  /** Directory for the log file. */
  dir: string;
  pollInterval?: string;
  env?: Record<string, string>;
  /** Another start script than dist/main.js, with its arguments (bench/support/metrics-child.ts). */
  script?: { path: string; args: string[] };
}

export interface ServerProcess {
  url: string;
  pid: number;
  adminToken: string;
  logFile: string;
  /** Spawn → first 200 from /v1/health. */
  startupMs: number;
  child: ChildProcess;
  /** Resident set size in MB from /proc/<pid>/status. */
  rssMb(): number;
  /** The highest resident set size since the process started, in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  const adminToken = randomBytes(24).toString("hex");
  // A freshly probed port can be taken by someone else before the server binds it: try again.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(opts.dir, `server-${port}.log`);
    const fd = openSync(logFile, "a");
    const started = performance.now();
    // Started exactly as `npm start` starts it.
    const script = opts.script ? [opts.script.path, ...opts.script.args] : [MAIN_JS];
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...script], {
      env: {
        ...SERVER_ENV,
        PATH: process.env.PATH ?? "",
        ADMIN_TOKEN: adminToken,
        ADDR: `127.0.0.1:${port}`,
        DB_PATH: opts.dbPath,
        SOURCE_BASE_URL: opts.sourceBaseUrl,
        POLL_INTERVAL: opts.pollInterval ?? "2s",
        MAX_STREAM_CLIENTS: "2500",
        ...opts.env,
      },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const url = `http://127.0.0.1:${port}`;
    const server: ServerProcess = {
      url,
      pid: child.pid ?? -1,
      adminToken,
      logFile,
      startupMs: Number.NaN,
      child,
      rssMb: () => rssMb(child.pid ?? -1),
      peakRssMb: () => peakRssMb(child.pid ?? -1),
      stop: () => stopChild(child, 25_000),
    };
    try {
      await waitHealthy(url, child, logFile);
      server.startupMs = performance.now() - started;
      return server;
    } catch (e) {
      await server.stop();
      const log = readFileSync(logFile, "utf8");
      if (attempt < 3 && /EADDRINUSE/.test(log)) continue;
      throw e;
    }
  }
}

/**
 * Spawn → first 200 of a bare node:http server, with the service's node flags and environment and
 * the same probe: what starting any HTTP server costs on this machine at this moment.
 */
export async function timeBareStart(dir: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logFile = path.join(dir, `bare-start-${port}.log`);
    const fd = openSync(logFile, "a");
    const started = performance.now();
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, BARE_START_JS], {
      env: { ...SERVER_ENV, PATH: process.env.PATH ?? "", ADDR: `127.0.0.1:${port}` },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    try {
      await waitHealthy(`http://127.0.0.1:${port}`, child, logFile);
      return performance.now() - started;
    } catch (e) {
      if (attempt < 3 && /EADDRINUSE/.test(readFileSync(logFile, "utf8"))) continue;
      throw e;
    } finally {
      await stopChild(child, 5000);
      rmSync(logFile, { force: true });
    }
  }
}

async function waitHealthy(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = performance.now() + 120_000;
  let dead = false;
  void exited(child).then(() => {
    dead = true;
  });
  while (performance.now() < deadline) {
    if (dead) throw new Error(`server exited during start-up (code ${child.exitCode}); see ${logFile}`);
    try {
      const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    // Short, so the start-up time is not rounded up by the probe interval.
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`server not healthy after 120 s; see ${logFile}`);
}

export function rssMb(pid: number): number {
  return statusMb(pid, "VmRSS");
}

/** The highest resident set the process has had since it started (the kernel's VmHWM): no sample can miss it. */
export function peakRssMb(pid: number): number {
  return statusMb(pid, "VmHWM");
}

function statusMb(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface LogScan {
  /** Lines at level warn or worse (pino levels 40–60) or that look like a crash. */
  problemCount: number;
  /** The first few of them, shortened, as evidence for the report. */
  problems: string[];
}

/**
 * Streams the server's log (it logs every request, so under load it reaches gigabytes and cannot be
 * read into one string) and picks out the lines worth reporting.
 */
export async function scanLog(logFile: string, keep = 20): Promise<LogScan> {
  const scan: LogScan = { problemCount: 0, problems: [] };
  const lines = createInterface({
    input: createReadStream(logFile, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!/"level":(40|50|60)/.test(line) && !/^fatal|Error:/.test(line)) continue;
    scan.problemCount++;
    if (scan.problems.length < keep) scan.problems.push(line.slice(0, 400));
  }
  return scan;
}
