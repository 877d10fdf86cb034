import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get, type IncomingHttpHeaders } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMerchant, ingest, sale } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/**
 * deploy/nginx.conf in front of the real app: many screens polling a public read reach the server
 * about once a second, revalidated with a 304; admin answers and the stream go through uncached.
 * Needs Debian's nginx (`.ci/run` installs nginx-light when missing).
 */

const NGINX = "/usr/sbin/nginx";
const CONF = new URL("../deploy/nginx.conf", import.meta.url);
let t: TestApp;
let nginx: ChildProcess | undefined;
let dir: string;
let base: string;
/** Requests the server itself received, by path, with the status it answered. */
const seen: { path: string; status: number }[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** The example as shipped, with only its addresses and paths moved into a scratch folder. */
function scratchConfig(serverPort: number, proxyPort: number): string {
  return readFileSync(CONF, "utf8")
    .replace("server 127.0.0.1:8080;", `server 127.0.0.1:${serverPort};`)
    .replace("listen 80;", `listen 127.0.0.1:${proxyPort};`)
    .replace("/run/nginx-live-pos.pid", join(dir, "nginx.pid"))
    .replaceAll("/var/log/nginx/", `${dir}/`)
    .replaceAll("/var/lib/nginx/", `${dir}/`)
    .replace("/var/cache/nginx/live-pos", join(dir, "cache"));
}

beforeAll(async () => {
  expect(existsSync(NGINX), `${NGINX} is missing: apt-get install nginx-light`).toBe(true);
  t = await makeTestApp({ streamHeartbeatMs: 200 });
  await addMerchant(t, "173", "Bitcoin Coffee");
  const sales = Array.from({ length: 20 }, (_, i) =>
    sale(i + 1, 1000 + i, "2025-11-10T14:30:00.000000+00:00"),
  );
  await ingest(t, "173", sales);
  t.app.server.on("request", (req, res) => {
    res.on("finish", () => seen.push({ path: req.url ?? "", status: res.statusCode }));
  });
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  const serverPort = (t.app.server.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), "nginx-live-pos-"));
  // nginx started as root runs its workers as nobody: they must reach the scratch folder and write its caches.
  chmodSync(dir, 0o755);
  for (const sub of ["cache", "body", "proxy"]) {
    mkdirSync(join(dir, sub));
    chmodSync(join(dir, sub), 0o777);
  }
  const proxyPort = await freePort();
  writeFileSync(join(dir, "nginx.conf"), scratchConfig(serverPort, proxyPort));
  const args = [
    "-p",
    dir,
    "-e",
    join(dir, "startup.log"),
    "-c",
    join(dir, "nginx.conf"),
    "-g",
    "daemon off;",
  ];
  nginx = spawn(NGINX, args, { stdio: "ignore" });
  base = `http://127.0.0.1:${proxyPort}`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 100 || nginx.exitCode !== null)
      throw new Error(`nginx did not start: ${readLog("startup.log")}${readLog("live-pos-error.log")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 30_000);

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx?.once("exit", r));
    nginx.kill("SIGTERM");
    await exited;
  }
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function readLog(name: string): string {
  return existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : "";
}

function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    get(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
    }).on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hits = (path: string) => seen.filter((s) => s.path === path);

describe("deploy/nginx.conf in front of the server", () => {
  it("turns many polling screens into about one server request a second, revalidated with 304", async () => {
    const before = hits("/v1/summary").length;
    const started = performance.now();
    const statuses: string[] = [];
    // 40 screens, each polling every 100 ms, 30 times: 1,200 requests over at least 3 s.
    const screen = async () => {
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${base}/v1/summary`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { total_transactions: number }).total_transactions).toBe(20);
        expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
        statuses.push(res.headers.get("x-cache-status") ?? "");
        await sleep(100);
      }
    };
    await Promise.all(Array.from({ length: 40 }, screen));
    const seconds = (performance.now() - started) / 1000;
    const reached = hits("/v1/summary").slice(before);
    expect(statuses).toHaveLength(1200);
    expect(statuses.filter((s) => s === "HIT" || s === "STALE" || s === "UPDATING").length).toBeGreaterThan(
      1000,
    );
    // At most one fill per second of polling (nginx counts its cache time in whole seconds), plus the first.
    expect(reached.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    expect(reached.length).toBeGreaterThanOrEqual(2);
    // The answer did not change, so every refresh after the first was a bodiless 304.
    expect(reached.slice(1).every((r) => r.status === 304)).toBe(true);
  });

  it("keeps compressed copies apart per coding", async () => {
    // node:http, not fetch: fetch would decode the body itself.
    const br = await rawGet(`${base}/v1/ticker`, { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    const plain = await rawGet(`${base}/v1/ticker`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(JSON.parse(plain.body.toString())).toHaveLength(20);
  });

  it("passes every admin request to the server", async () => {
    const before = hits("/v1/admin/summary").length;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/v1/admin/summary`, { headers: t.auth });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
    }
    expect(hits("/v1/admin/summary").length - before).toBe(3);
  });

  it("streams through unbuffered: the pings arrive one by one while the stream stays open", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/stream`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(res.headers.get("x-cache-status")).toBeNull();
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while ((text.match(/event: ping/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    controller.abort();
    expect(text).toContain(": connected");
    expect((text.match(/event: ping/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });
});
