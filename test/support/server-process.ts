/**
 * The service as operators run it: the build (dist/main.js) in its own process, started as `npm start`
 * starts it, configured only through its environment, its log read from its stdout. For what only a
 * real process shows: signals, exit codes, kill -9, a disk that fills up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../../src/server-flags.js";
import { TEST_TOKEN } from "./app.js";

const MAIN_JS = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface ServerProcessOptions {
  dbPath: string;
  sourceBaseUrl: string;
  env?: Record<string, string>;
  /** Started under `ulimit -f` (KiB): no file it writes grows past this. */
  fileSizeLimitKb?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Headers that authenticate as admin. */
  auth: Record<string, string>;
  /** Every line it wrote so far (stdout and stderr). */
  lines: string[];
  /** Its lines so far, JSON log lines parsed; anything else it wrote (a crash's stack) as `raw`. */
  records(): Record<string, unknown>[];
  /** The `msg` of its JSON log lines so far. */
  messages(): string[];
  exited: Promise<Exit>;
  /** SIGKILL unless it has exited; resolves once it has. */
  kill(): Promise<Exit>;
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<Exit>;
}

function launch(opts: ServerProcessOptions, addr: string): { child: ChildProcess; lines: string[] } {
  if (!existsSync(MAIN_JS)) throw new Error("run `npm run build:server` first");
  const argv = [...SERVER_NODE_FLAGS, MAIN_JS];
  const env = {
    ...SERVER_ENV,
    PATH: process.env.PATH ?? "",
    ADMIN_TOKEN: TEST_TOKEN,
    ADDR: addr,
    DB_PATH: opts.dbPath,
    SOURCE_BASE_URL: opts.sourceBaseUrl,
    LOG_LEVEL: "info",
    ...opts.env,
  };
  const child =
    opts.fileSizeLimitKb === undefined
      ? spawn(process.execPath, argv, { env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn(
          "bash",
          ["-c", `ulimit -S -f ${opts.fileSizeLimitKb} && exec "$0" "$@"`, process.execPath, ...argv],
          { env, stdio: ["ignore", "pipe", "pipe"] },
        );
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream?.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts.filter((l) => l !== ""));
    });
  }
  return { child, lines };
}

const exitOf = (child: ChildProcess): Promise<Exit> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });

const recordsOf = (lines: readonly string[]) =>
  lines.map((l): Record<string, unknown> => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return { raw: l };
    }
  });

const messagesOf = (lines: readonly string[]) =>
  recordsOf(lines).flatMap((r) => ("raw" in r ? [] : [String(r.msg)]));

/** Starts it on a port of its choosing and resolves once it listens (it logs where). */
export async function startServerProcess(opts: ServerProcessOptions): Promise<ServerProcess> {
  const { child, lines } = launch(opts, "127.0.0.1:0");
  const exited = exitOf(child);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    return exited;
  };
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  while (!url) {
    url = messagesOf(lines)
      .map((m) => /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(m)?.[1])
      .find((u) => u !== undefined);
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await kill();
      throw new Error(`the server did not start:\n${lines.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    child,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    lines,
    records: () => recordsOf(lines),
    messages: () => messagesOf(lines),
    exited,
    kill,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** Starts it expecting it to give up: its exit and every line it wrote. */
export async function runUntilExit(
  opts: ServerProcessOptions,
  timeoutMs = 30_000,
): Promise<Exit & { lines: string[] }> {
  const { child, lines } = launch(opts, "127.0.0.1:0");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const exit = await exitOf(child);
  clearTimeout(timer);
  return { ...exit, lines };
}

/** A request to it as admin, with a JSON body when given one, and its JSON answer. */
export async function call(
  s: ServerProcess,
  path: string,
  opts: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const json: Record<string, string> = opts.body === undefined ? {} : { "content-type": "application/json" };
  const res = await fetch(`${s.url}${path}`, {
    method: opts.method ?? "GET",
    headers: { ...s.auth, ...json },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

/** Waits until `cond` holds, checking every 20 ms, or fails saying what was awaited. */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not reached in ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * As until(), for a condition that may throw while what it asks is not up yet (a demo's server still
 * starting): a throw counts as "not yet", and the last one is named if time runs out.
 */
export async function waitUntil(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await cond()) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
}
