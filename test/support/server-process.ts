/**
 * The service as it runs in production: the build (dist/main.js) in a child process, started the way
 * `npm start` starts it, configured only by its environment, reached over HTTP on 127.0.0.1, its JSON
 * log lines collected from stdout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../../src/server-flags.js";

const MAIN_JS = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
const TOKEN = "server-process-admin-token-0123456789abcdef";

export interface ServerProcess {
  url: string;
  /** Headers that authenticate as admin. */
  auth: Record<string, string>;
  /** Log lines so far, parsed. */
  lines: Record<string, unknown>[];
  child: ChildProcess;
  /** SIGTERM, and the exit code (SIGKILL after `graceMs`, then null). */
  stop(graceMs?: number): Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  if (!existsSync(MAIN_JS)) throw new Error("run `npm run build` first: this test starts dist/main.js");
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, MAIN_JS], {
    env: {
      ...SERVER_ENV,
      PATH: process.env.PATH ?? "",
      ADMIN_TOKEN: TOKEN,
      ADDR: `127.0.0.1:${port}`,
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const lines: Record<string, unknown>[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) if (line.trim() !== "") lines.push(parseLine(line));
  });
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exit;
    clearTimeout(kill);
    return code;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child);
  } catch (e) {
    await stop(1000);
    throw e;
  }
  return { url, auth: { authorization: `Bearer ${TOKEN}` }, lines, child, stop };
}

/** A JSON log line, or what else the process wrote (a crash's stack) as `raw`. */
function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { raw: line };
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null)
      throw new Error(`the server exited during start-up (code ${child.exitCode})`);
    try {
      const res = await fetch(`${url}/v1/health`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the server was not healthy after 15 s");
}

/** A port the kernel just handed out; another process taking it first would fail the start clearly. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
