import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { KnownReads, serverAnsweringKnownReads } from "../src/api/known-reads.js";
import { ReadCache } from "../src/api/read-cache.js";
import { captureLogger } from "./support/log.js";

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/**
 * KnownReads in front of a stand-in for Fastify's handler that counts what reaches it: which requests
 * the shortcut answers itself is invisible over HTTP by design (test/cached-answers.test.ts checks the
 * answers are the same either way), so it is checked here.
 */
async function start(opts: { anyOrigin: boolean; now: () => number }) {
  const cache = new ReadCache({ maxStaleMs: 1000, refreshAfterMs: 1000, now: opts.now });
  const captured = captureLogger();
  let n = 0;
  const known = new KnownReads({ cache, log: captured.log, nextRequestId: () => `r${++n}`, ...opts });
  let computed = 0;
  const compute = async () => Buffer.from(JSON.stringify({ computed: ++computed }));
  let routed = 0;
  const factory = serverAnsweringKnownReads(() => known);
  const s = factory((_req, res) => {
    routed++;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  }, {} as never) as Server;
  server = s;
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  // What a route does after answering /v1/summary from the cache.
  await cache.get("summary", compute);
  known.learn(
    { url: "/v1/summary", headers: {} },
    { key: "summary", compute, headers: { "content-type": "application/json; charset=utf-8", "x-a": "1" } },
  );
  return { url, routed: () => routed, lines: captured.lines };
}

describe("known reads in front of the router", () => {
  it("answers a learnt URL itself while the cached answer is fresh, with its headers and a request line", async () => {
    const s = await start({ anyOrigin: true, now: () => 0 });
    const res = await fetch(`${s.url}/v1/summary`);
    expect(await res.json()).toEqual({ computed: 1 });
    expect(res.headers.get("x-a")).toBe("1");
    expect(res.headers.get("content-length")).toBe(String('{"computed":1}'.length));
    expect(s.routed()).toBe(0);
    expect(s.lines.find((l) => l.reqId === "r1")).toMatchObject({
      method: "GET",
      path: "/v1/summary",
      status: 200,
      bytes: 14,
      ip: "127.0.0.1",
    });
  });

  it("leaves to the router other URLs, other methods, and Origins checked against a list", async () => {
    const s = await start({ anyOrigin: false, now: () => 0 });
    await fetch(`${s.url}/v1/summary?x=1`);
    await fetch(`${s.url}/v1/summary`, { method: "HEAD" });
    await fetch(`${s.url}/v1/summary`, { headers: { origin: "https://screen.example" } });
    expect(s.routed()).toBe(3);
    await fetch(`${s.url}/v1/summary`);
    expect(s.routed()).toBe(3);
  });

  it("leaves a stale answer to the router, which then shares the refresh", async () => {
    let t = 0;
    const s = await start({ anyOrigin: true, now: () => t });
    t = 5000;
    await fetch(`${s.url}/v1/summary`);
    expect(s.routed()).toBe(1);
  });

  it("does not learn headers answered to an Origin from a list", () => {
    const known = new KnownReads({
      cache: new ReadCache({ maxStaleMs: 1000, refreshAfterMs: 1000 }),
      log: captureLogger().log,
      nextRequestId: () => "r",
      anyOrigin: false,
    });
    const compute = async () => Buffer.from("{}");
    known.learn(
      { url: "/v1/summary", headers: { origin: "https://a.example" } },
      { key: "k", compute, headers: {} },
    );
    const answered = known.answer({ method: "GET", url: "/v1/summary", headers: {} } as never, {} as never);
    expect(answered).toBe(false);
  });
});
