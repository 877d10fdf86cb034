import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it, onTestFinished } from "vitest";
import { createLogger } from "./logger.js";
import { logRequest, type RequestLine } from "./request-log.js";

/** What a logger wrote, one entry per write. */
function sink() {
  const writes: string[] = [];
  return { writes, write: (text: string) => writes.push(text) };
}

const FIELDS_IN_ORDER = ["level", "service", "reqId", "method", "path", "ip", "status", "bytes", "ms", "msg"];
const lines = (writes: string[]) =>
  writes
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The start of a child process's script: `log`, the service's logger on the child's real stdout (the build's). */
const WITH_STDOUT_LOGGER = `
  const { createLogger } = await import(${JSON.stringify(new URL("../../dist/log/logger.js", import.meta.url).href)});
  const log = await createLogger({ logLevel: "info", logFormat: "json" });`;

const requests: RequestLine[] = [
  {
    reqId: "abcde-000001",
    method: "GET",
    path: "/v1/summary",
    ip: "127.0.0.1",
    status: 200,
    bytes: 203,
    ms: 0.04,
  },
  {
    reqId: "abcde-000002",
    method: "POST",
    path: "/v1/admin/x",
    ip: undefined,
    status: 404,
    bytes: undefined,
    ms: 12.345,
  },
  {
    reqId: "abcde-000003",
    method: "GET",
    path: '/v1/ticker?limit="a\\b"&x=\u00e9\u0001\u2028',
    ip: "::ffff:10.0.0.1",
    status: 400,
    bytes: Number.NaN,
    ms: 1,
  },
];

describe("JSON logger", () => {
  it("writes lines in order, each request's line with its id, method, path, ip, status, size and time", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "info", logFormat: "json" }, out);
    log.info("first");
    log.warn({ merchant_id: "m1" }, "second");
    for (const r of requests) logRequest(log, { ...r });
    const written = lines(out.writes).map(({ time, ...rest }) => {
      expect(typeof time).toBe("number");
      return rest;
    });
    expect(written.map((l) => l.msg)).toEqual([
      "first",
      "second",
      "GET /v1/summary 200 203B in 0.0ms",
      "POST /v1/admin/x 404 -B in 12.3ms",
      'GET /v1/ticker?limit="a\\b"&x=\u00e9\u0001\u2028 400 NaNB in 1.0ms',
    ]);
    expect(written[2]).toEqual({
      level: 30,
      service: "live-pos-dashboard",
      reqId: "abcde-000001",
      method: "GET",
      path: "/v1/summary",
      ip: "127.0.0.1",
      status: 200,
      bytes: 203,
      ms: 0,
      msg: "GET /v1/summary 200 203B in 0.0ms",
    });
    expect(Object.keys(written[2] as object)).toEqual(FIELDS_IN_ORDER);
    // Unknown ip and size are left out, not written as null.
    expect(written[3]).not.toHaveProperty("ip");
    expect(written[3]).not.toHaveProperty("bytes");
    expect(written[3]).toMatchObject({ ms: 12.3 });
    expect(written[4]).toMatchObject({ path: requests[2]?.path, bytes: null });
  });

  it("writes no request line when info lines are off", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "warn", logFormat: "json" }, out);
    logRequest(log, { ...(requests[0] as RequestLine) });
    log.warn("kept");
    expect(lines(out.writes).map((l) => l.msg)).toEqual(["kept"]);
  });

  it("writes the last lines when the process exits right after them", () => {
    const script = `
      ${WITH_STDOUT_LOGGER}
      log.info("last words");
      process.exit(3);
    `;
    let stdout = "";
    try {
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    } catch (e) {
      const err = e as { status: number; stdout: string };
      expect(err.status).toBe(3);
      stdout = err.stdout;
    }
    expect(lines([stdout]).map((l) => l.msg)).toEqual(["last words"]);
  });

  it("writes a quiet server's line while it runs, not only when the buffer fills or the process exits", async () => {
    const script = `
      ${WITH_STDOUT_LOGGER}
      log.info("still here");
      setTimeout(() => {}, 60_000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    onTestFinished(() => {
      child.kill("SIGKILL");
    });
    let stdout = "";
    // Killed outright once the line is there: only a flush while it ran can have written it.
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("\n")) resolve();
      });
    });
    child.kill("SIGKILL");
    expect(lines([stdout]).map((l) => l.msg)).toEqual(["still here"]);
  });

  it("writes thousands of lines with characters of every width whole and in order, up to main.ts's flush", () => {
    const script = `
      ${WITH_STDOUT_LOGGER}
      for (let i = 0; i < 20000; i++) log.info({ i }, i % 1000 === 0 ? "\u00e9\u20ac\ud83d\ude00".repeat(1000) : "caf\u00e9 \u20ac \ud83d\ude00");
      log.flush(() => process.exit(0));
    `;
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    const written = lines([stdout]);
    expect(written.map((l) => l.i)).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    expect(written[1]?.msg).toBe("caf\u00e9 \u20ac \ud83d\ude00");
    expect(written[5000]?.msg).toBe("\u00e9\u20ac\ud83d\ude00".repeat(1000));
  });

  it("keeps running when stdout's reader goes away", async () => {
    const script = `
      ${WITH_STDOUT_LOGGER}
      log.info("first");
      log.flush();
      // Lines go on being logged after the reader has closed the pipe; then the process says it lived.
      const timer = setInterval(() => { for (let i = 0; i < 500; i++) log.info({ i }, "x".repeat(100)); }, 5);
      setTimeout(() => { clearInterval(timer); process.stderr.write("alive"); process.exit(0); }, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    onTestFinished(() => {
      child.kill("SIGKILL");
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(stderr).toBe("alive");
    expect(code).toBe(0);
  });
});
