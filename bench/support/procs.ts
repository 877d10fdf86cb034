/**
 * Child-process plumbing shared by the sections: free ports, forked helpers that announce readiness
 * over IPC, and stopping that always ends in SIGKILL, so a benchmark never leaves a process behind.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** A port the kernel just handed out on 127.0.0.1; the tiny race with other processes is retried by callers. */
export function freePort(): Promise<number> {
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

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Milliseconds on CLOCK_MONOTONIC (process.hrtime), comparable between processes on one Linux machine. */
export function monoMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export interface Helper<Ready> {
  child: ChildProcess;
  ready: Ready;
  /** Sends a request and resolves with the next message whose `reply` matches its `type`. */
  request<T>(message: { type: string; [k: string]: unknown }, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Forks one of the helper scripts beside this file (compiled .js) and waits for its
 * `{ type: "ready", ... }` message; a helper that dies or stays silent fails the section.
 */
export async function forkHelper<Ready>(
  script: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<Helper<Ready>> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // Helpers parse or hold many sockets; a larger heap keeps GC out of the measurements.
    execArgv: ["--max-old-space-size=4096"],
  });
  const stop = () => stopChild(child);
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} not ready after ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.on("message", function onMessage(m: { type?: string }) {
        if (m?.type !== "ready") return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(m as Ready);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
    const request = <T>(message: { type: string }, requestTimeoutMs = 60_000) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off("message", onMessage);
          reject(new Error(`${script}: no reply to ${message.type} within ${requestTimeoutMs} ms`));
        }, requestTimeoutMs);
        function onMessage(m: { reply?: string; error?: string }) {
          if (m?.reply !== message.type) return;
          clearTimeout(timer);
          child.off("message", onMessage);
          if (m.error !== undefined) reject(new Error(`${script}: ${m.error}`));
          else resolve(m as T);
        }
        child.on("message", onMessage);
        child.send(message);
      });
    return { child, ready, request, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** In a helper: answers `{type}` requests with `{reply: type, ...result}` or `{reply: type, error}`. */
export function serveRequests(handlers: Record<string, (m: Record<string, unknown>) => unknown>): void {
  process.on("message", (m: { type?: string }) => {
    const type = m?.type;
    const handler = type === undefined ? undefined : handlers[type];
    if (handler === undefined || type === undefined) return;
    Promise.resolve()
      .then(() => handler(m as Record<string, unknown>))
      .then(
        (result) => process.send?.({ reply: type, ...(result as object) }),
        (e: unknown) => process.send?.({ reply: type, error: e instanceof Error ? e.message : String(e) }),
      );
  });
  // The parent going away (even by SIGKILL) must take the helper with it.
  process.on("disconnect", () => process.exit(0));
}
