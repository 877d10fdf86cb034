import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitUntil } from "./support/server-process.js";
import { openStream, type SseClient } from "./support/sse.js";

/**
 * `npm run demo -- --instances 2` as an operator runs it: PostgreSQL, two instances and nginx in
 * front. SIGKILL to the instance holding a stream leaves the dashboard working through nginx, and
 * Ctrl-C (SIGTERM) leaves no process behind. Needs dist/ (`npm run build`), Debian's nginx and
 * PostgreSQL (`.ci/run` installs both).
 */

const DEMO = resolve(import.meta.dirname, "../dist/demo/cli.js");
const TOKEN = "demo-instances-test-token-0123456789abcdef";

const portIsFree = (port: number) =>
  new Promise<boolean>((done) => {
    const srv = createServer();
    srv.once("error", () => done(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => done(true)));
  });

/** Six free ports in a row below the ephemeral range: nginx, two instances, three mocks. */
async function freeRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 8_000);
    const ports = Array.from({ length: 6 }, (_, i) => first + i);
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return first;
  }
  throw new Error("no six free ports in a row in 20000-28005");
}

async function json(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}
const total = async (base: string) =>
  ((await json(`${base}/v1/summary`)) as { total_transactions: number }).total_transactions;
const healthOk = async (base: string) =>
  ((await json(`${base}/v1/health`)) as { status: string }).status === "ok";

/** Running (a zombie no longer runs: a container's init may never reap it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
/** A process and everything under it (nginx's workers, the postmaster's backends). */
function tree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const all = [root];
  for (let i = 0; i < all.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === all[i]) all.push(pid);
  }
  return all;
}

const sales = (s: SseClient) => s.events.filter((e) => e.event === "sale");

describe("npm run demo -- --instances 2", () => {
  it("without nginx says how to install it and exits non-zero, before starting anything", async () => {
    const child = spawn(process.execPath, [DEMO, "--instances", "2", "--port", String(await freeRun())], {
      env: { ...process.env, ADMIN_TOKEN: TOKEN, DEMO_NGINX: "/nonexistent/nginx" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let said = "";
    child.stderr?.on("data", (d) => (said += d));
    const code = await new Promise<number | null>((done) => child.once("exit", (c) => done(c)));
    expect(code).toBe(1);
    expect(said).toContain("/nonexistent/nginx is missing: apt-get install nginx-light");
  });

  let demo: ChildProcess | undefined;
  let output = "";
  afterAll(() => {
    if (demo && demo.exitCode === null) demo.kill("SIGKILL");
  });

  it("serves through nginx while an instance is killed, and stops without leftovers", async () => {
    expect(existsSync(DEMO), `${DEMO} is missing: run "npm run build"`).toBe(true);
    const port = await freeRun();
    const args = ["--instances", "2", "--port", String(port), "--speed", "20"];
    args.push("--mock-port", String(port + 3), "--btcpay-port", String(port + 4));
    args.push("--lnbits-port", String(port + 5));
    const child = spawn(process.execPath, [DEMO, ...args], {
      env: { ...process.env, ADMIN_TOKEN: TOKEN },
      stdio: ["ignore", "pipe", "pipe"],
    });
    demo = child;
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    const alive = async () => {
      if (child.exitCode !== null) throw new Error(`demo exited early:\n${output}`);
      return true;
    };
    await waitUntil(
      async () => (await alive()) && output.includes("Press Ctrl-C"),
      60_000,
      `the welcome\n${output}`,
    );
    await waitUntil(
      async () => (await healthOk(base)) && (await total(base)) > 0,
      30_000,
      "sales through nginx",
    );

    const pids = [1, 2].map((n) => {
      const m = output.match(new RegExp(`instance ${n} +http://127\\.0\\.0\\.1:${port + n}/ +pid (\\d+)`));
      expect(m, `instance ${n} in the welcome:\n${output}`).not.toBeNull();
      return Number(m?.[1]);
    });
    const nginxPid = Number(output.match(/\(nginx, pid (\d+)/)?.[1]);
    const dataDir = output.match(/a throwaway cluster in (\S+):/)?.[1] ?? "";
    expect(existsSync(dataDir), `cluster data dir ${dataDir}`).toBe(true);
    expect(output).toContain(`kill -9 ${pids[0]}`);
    const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
    const everything = [...pids, ...tree(nginxPid), ...tree(postmaster)];
    expect(tree(nginxPid).length, "nginx master and workers").toBeGreaterThan(1);

    // A stream through nginx, and which instance holds it (each instance's own /metrics).
    const stream = await openStream(`${base}/v1/stream`);
    expect(stream.status).toBe(200);
    const holder = async () => {
      for (const [i, pid] of pids.entries()) {
        const text = await (await fetch(`http://127.0.0.1:${port + i + 1}/metrics`)).text();
        if (/^livepos_stream_clients 1$/m.test(text)) return pid;
      }
      return undefined;
    };
    let victim: number | undefined;
    await waitUntil(
      async () => {
        victim = await holder();
        return victim !== undefined;
      },
      10_000,
      "the stream's instance",
    );
    await waitUntil(async () => sales(stream).length > 0, 30_000, "a sale on the stream");
    const lastId = stream.events.findLast((e) => e.id !== undefined)?.id;

    process.kill(victim as number, "SIGKILL");
    // The stream on the killed instance ends; everything else keeps answering through nginx.
    await waitUntil(async () => !running(victim as number), 10_000, "the instance to die");
    let streamEnded = false;
    void stream.ended.then(() => (streamEnded = true));
    await waitUntil(async () => streamEnded, 10_000, "the killed instance's stream to end");
    const before = await total(base);
    for (let i = 0; i < 6; i++) expect(await healthOk(base), "health through nginx").toBe(true);
    await waitUntil(async () => (await total(base)) > before, 30_000, "the summary to grow after the kill");

    // The reconnect, as EventSource makes it (with the last id): lands on the live instance and gets sales.
    const again = await openStream(`${base}/v1/stream`, lastId ? { "last-event-id": lastId } : {});
    expect(again.status).toBe(200);
    await waitUntil(async () => sales(again).length > 0, 30_000, "a sale on the reconnected stream");
    again.close();
    stream.close();

    child.kill("SIGTERM");
    const code = await Promise.race([
      new Promise<number | null>((done) => child.once("exit", (c) => done(c))),
      new Promise<string>((r) => setTimeout(() => r("still running after 40 s"), 40_000)),
    ]);
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain("demo: stopped");
    await waitUntil(async () => everything.every((pid) => !running(pid)), 10_000, "no leftover process");
    expect(existsSync(dataDir), "the cluster's data dir is removed").toBe(false);
    for (const p of [port, port + 1, port + 2]) expect(await portIsFree(p), `port ${p} released`).toBe(true);
  }, 180_000);
});
