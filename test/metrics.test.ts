import { mkdtempSync, rmSync } from "node:fs";
import { get as httpGet, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import type { createService as CreateService, Service } from "../src/service.js";
import { makeTestApp, TEST_TOKEN, type TestApp, testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const { createService } = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reading of Prometheus' text format 0.0.4: every line is a HELP or TYPE comment, blank, or a
 * sample of a metric whose TYPE came first; label values are quoted. Anything else fails the test.
 * (prom-client writes NaN as "Nan"; Prometheus reads floats with Go's ParseFloat, which ignores case.)
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g))
      labels[l[1] as string] = l[2] as string;
    const name = m[1] as string;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    if (!types.has(name) && !types.has(base)) throw new Error(`sample before its TYPE: ${line}`);
    samples.push({ name, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

async function scrape(app: FastifyInstance) {
  const res = await app.inject({ url: "/metrics" });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

let mock: MockUpstream | undefined;
let service: Service | undefined;
let t: TestApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await service?.stop();
  await t?.close();
  await mock?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  mock = service = t = dir = undefined;
});

describe("GET /metrics", () => {
  it("counts a real poll on the ingest thread: polls, duration, sales, bytes, triggers, staleness", async () => {
    mock = await startMockUpstream({ seed: 3, generate: false, history: true, port: 0 });
    dir = mkdtempSync(join(tmpdir(), "metrics-"));
    const config = testConfig({ dbPath: join(dir, "db.sqlite"), sourceBaseUrl: mock.url });
    service = await createService(config, { log: pino({ level: "silent" }) });
    const { app } = service;
    const merchants = mock.merchants().slice(0, 3);
    for (const m of merchants) {
      const payload = { id: m.id, public_key: m.publicKey, alias: m.name };
      expect(
        (await app.inject({ method: "POST", url: "/v1/admin/merchants", payload, headers: auth })).statusCode,
      ).toBe(201);
    }
    const failing = { id: "9999", public_key: "not-a-key", alias: "Nobody" };
    await app.inject({ method: "POST", url: "/v1/admin/merchants", payload: failing, headers: auth });
    const milestone = { name: "First", type: "transactions", threshold: 1 };
    await app.inject({ method: "POST", url: "/v1/admin/milestones", payload: milestone, headers: auth });

    const before = (await scrape(app)).samples;
    expect(total(before, "livepos_polls_total")).toBe(0);
    service.ingest.startPolling();
    let samples = before;
    while (total(samples, "livepos_polls_total") < 4) {
      await new Promise((r) => setTimeout(r, 50));
      samples = (await scrape(app)).samples;
    }
    const summary = (await app.inject({ url: "/v1/summary" })).json() as { total_transactions: number };
    expect(summary.total_transactions).toBeGreaterThan(0);
    const served = merchants.reduce(
      (n, m) => n + (mock?.groundTruth(m.id).merchants[0]?.sales.length ?? 0),
      0,
    );
    expect(summary.total_transactions).toBe(served);

    expect(total(samples, "livepos_polls_total", { source: "pwf", outcome: "ok" })).toBe(3);
    expect(total(samples, "livepos_polls_total", { source: "pwf", outcome: "failed" })).toBe(1);
    expect(total(samples, "livepos_poll_duration_seconds_count", { source: "pwf" })).toBe(4);
    expect(total(samples, "livepos_sales_stored_total", { source: "pwf" })).toBe(summary.total_transactions);
    expect(total(samples, "livepos_upstream_bytes_total", { source: "pwf" })).toBeGreaterThan(
      summary.total_transactions * 50,
    );
    expect(total(samples, "livepos_rows_skipped_total")).toBe(0);
    expect(total(samples, "livepos_milestone_triggers_total")).toBe(1);
    const stale = samples.filter((s) => s.name === "livepos_merchant_seconds_since_last_successful_poll");
    expect(stale.map((s) => s.labels.merchant_id).sort()).toEqual(merchants.map((m) => m.id).sort());
    for (const s of stale) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(samples.some((s) => s.name === "livepos_seconds_since_last_successful_poll_max")).toBe(true);
  });

  it("labels requests by route pattern and status class, never by URL", async () => {
    t = await makeTestApp();
    const { app } = t;
    await app.inject({
      method: "POST",
      url: "/v1/admin/merchants",
      headers: auth,
      payload: { id: "173", public_key: "k", alias: "A" },
    });
    await app.inject({
      method: "PUT",
      url: "/v1/admin/merchants/173",
      headers: auth,
      payload: { alias: "B" },
    });
    await app.inject({
      method: "PUT",
      url: "/v1/admin/merchants/174",
      headers: auth,
      payload: { alias: "B" },
    });
    await app.inject({ url: "/v1/summary?merchant_id=173&source=pwf" });
    await app.inject({ url: "/no/such/page/12345" });
    await app.inject({ url: "/v1/nope?x=1" });
    const { samples } = await scrape(app);
    const requests = samples.filter((s) => s.name === "livepos_http_requests_total");
    const routes = new Set(requests.map((s) => s.labels.route));
    for (const route of routes) expect(route).not.toMatch(/\?|173|174|12345|nope/);
    const put = { method: "PUT", route: "/v1/admin/merchants/:id" };
    expect(total(samples, "livepos_http_requests_total", { ...put, status_class: "2xx" })).toBe(1);
    expect(total(samples, "livepos_http_requests_total", { ...put, status_class: "4xx" })).toBe(1);
    expect(total(samples, "livepos_http_requests_total", { route: "/v1/summary", status_class: "2xx" })).toBe(
      1,
    );
    expect(total(samples, "livepos_http_requests_total", { route: "unmatched", status_class: "4xx" })).toBe(
      2,
    );
    expect(total(samples, "livepos_http_request_duration_seconds_count", put)).toBe(2);
  });

  it("counts read-cache hits and misses, stream clients and the events sent", async () => {
    t = await makeTestApp({ cache: { maxStaleMs: 60_000, refreshAfterMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: "/v1/ticker" })).statusCode).toBe(200);
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const stream = await new Promise<IncomingMessage>((resolve) =>
      httpGet(`http://127.0.0.1:${port}/v1/stream`, (res) => res.once("data", () => resolve(res))),
    );
    await t.app.inject({ method: "PUT", url: "/v1/admin/event", headers: auth, payload: { name: "Meetup" } });
    await new Promise((r) => stream.once("data", r));
    const { samples } = await scrape(t.app);
    expect(total(samples, "livepos_read_cache_misses_total")).toBe(1);
    expect(total(samples, "livepos_read_cache_hits_total")).toBe(2);
    expect(total(samples, "livepos_stream_clients")).toBe(1);
    expect(total(samples, "livepos_stream_events_sent_total", { event: "event" })).toBe(1);
    stream.destroy();
  });

  it("follows Prometheus' naming and carries the process defaults", async () => {
    t = await makeTestApp();
    for (const url of ["/v1/summary", "/v1/summary", "/v1/ticker", "/nope"]) await t.app.inject({ url });
    const { types, samples } = await scrape(t.app);
    // Each request histogram series: cumulative buckets ending in +Inf = _count.
    const counts = samples.filter((s) => s.name === "livepos_http_request_duration_seconds_count");
    expect(counts.length).toBeGreaterThanOrEqual(3);
    for (const c of counts) {
      const buckets = samples.filter(
        (s) =>
          s.name === "livepos_http_request_duration_seconds_bucket" &&
          s.labels.route === c.labels.route &&
          s.labels.status_class === c.labels.status_class,
      );
      const values = buckets.map((b) => b.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(buckets.at(-1)?.labels.le).toBe("+Inf");
      expect(buckets.at(-1)?.value).toBe(c.value);
    }
    expect(total(samples, "livepos_http_requests_total", { route: "/v1/summary" })).toBe(2);
    for (const [name, type] of types) {
      expect(name).toMatch(/^livepos_/);
      if (type === "counter") expect(name).toMatch(/_total$/);
    }
    expect(types.get("livepos_poll_duration_seconds")).toBe("histogram");
    expect(types.get("livepos_http_request_duration_seconds")).toBe("histogram");
    expect(types.get("livepos_process_resident_memory_bytes")).toBe("gauge");
    expect(types.get("livepos_nodejs_eventloop_lag_seconds")).toBe("gauge");
  });
});

describe("METRICS_TOKEN", () => {
  const TOKEN = "metrics-token-0123456789abcdef-XYZ";

  it("is open without it", async () => {
    t = await makeTestApp();
    expect((await t.app.inject({ url: "/metrics" })).statusCode).toBe(200);
  });

  it("wants Authorization: Bearer <METRICS_TOKEN> when set, answers 401 JSON otherwise, and never logs it", async () => {
    const { log, lines } = captureLogger();
    t = await makeTestApp({ metricsToken: TOKEN, log });
    const wrong = [
      {},
      { authorization: "Bearer nope" },
      { authorization: TOKEN },
      auth,
      { "x-admin-token": TOKEN },
    ];
    for (const headers of wrong) {
      const res = await t.app.inject({ url: "/metrics", headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json()).toEqual({ error: "unauthorized" });
    }
    const ok = await t.app.inject({ url: "/metrics", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("livepos_http_requests_total");
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    // The admin API does not take it either.
    const admin = await t.app.inject({
      url: "/v1/admin/merchants",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(admin.statusCode).toBe(401);
  });
});
