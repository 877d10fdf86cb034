/**
 * metrics: what counting every HTTP request in /metrics costs (issue 17). Two servers of the same
 * build, one with the request counter and histogram hook and one without (bench/support/
 * metrics-child.ts), serve /v1/summary to 100 connections in alternating runs (on, off, off, on, …),
 * so the machine's drift between runs falls on both alike; the cost is the median of the pairs' own
 * ratios.
 */
import { fileURLToPath } from "node:url";
import { ServiceMetrics } from "../src/metrics/service-metrics.js";
import { tempDir } from "./ingest/common.js";
import type { Section } from "./section.js";
import { autocannon, failures } from "./support/autocannon.js";
import { type BenchRow, median } from "./support/report.js";
import { type ServerProcess, startServer } from "./support/server.js";

const section = "metrics";
const CONNECTIONS = 100;
const CHILD = fileURLToPath(new URL("./support/metrics-child.js", import.meta.url));

export const metricsSection: Section = async ({ quick, log }) => {
  const tmp = tempDir("metrics");
  const servers: ServerProcess[] = [];
  try {
    const start = async (mode: "on" | "off") => {
      const server = await startServer({
        dbPath: tmp.file(`${mode}.db`),
        sourceBaseUrl: "http://127.0.0.1:9",
        dir: tmp.dir,
        pollInterval: "1h",
        env: { LOG_LEVEL: "warn" },
        script: { path: CHILD, args: [mode] },
      });
      servers.push(server);
      return server;
    };
    const on = await start("on");
    const off = await start("off");
    const pairs = quick ? 3 : 6;
    const seconds = quick ? 3 : 8;
    const onRps: number[] = [];
    const offRps: number[] = [];
    const ratios: number[] = [];
    let bad = 0;
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? [on, off] : [off, on];
      const rps = new Map<ServerProcess, number>();
      for (const server of order) {
        const r = await autocannon(`${server.url}/v1/summary`, CONNECTIONS, seconds);
        bad += failures(r);
        rps.set(server, r.rps);
      }
      onRps.push(rps.get(on) as number);
      offRps.push(rps.get(off) as number);
      ratios.push((rps.get(on) as number) / (rps.get(off) as number));
      log(
        `pair ${i + 1}: with ${onRps.at(-1)?.toFixed(0)} req/s, without ${offRps.at(-1)?.toFixed(0)} req/s`,
      );
    }
    const ratio = median(ratios);
    return [...rows(onRps, offRps, ratio, bad), hookCostRow(quick)];
  } finally {
    for (const s of servers) await s.stop();
    tmp.remove();
  }
};

/**
 * The hook's own work per request, in this process without HTTP: what the pairs above cannot resolve
 * on a busy machine (their own runs differ by more). Median of five rounds.
 */
function hookCostRow(quick: boolean): BenchRow {
  const metrics = new ServiceMetrics({
    streamClients: () => 0,
    streamEvents: () => new Map(),
    cache: () => ({ hits: 0, misses: 0 }),
    merchants: async () => [],
    polledSources: [],
    now: Date.now,
  });
  const n = quick ? 200_000 : 1_000_000;
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (let i = 0; i < n; i++) metrics.httpRequest("GET", "/v1/summary", 200, 0.2 + (i % 7) * 0.1);
    rounds.push(((performance.now() - started) * 1e6) / n);
  }
  return {
    section,
    metric: "HTTP metrics hook's work per request",
    value: median(rounds),
    unit: "ns",
    runs: rounds,
  };
}

function rows(onRps: number[], offRps: number[], ratio: number, bad: number): BenchRow[] {
  const metric = (what: string) => `/v1/summary, ${CONNECTIONS} connections, ${what}`;
  return [
    {
      section,
      metric: metric("without the HTTP metrics hook"),
      value: median(offRps),
      unit: "req/s",
      runs: offRps,
    },
    {
      section,
      metric: metric("with the HTTP metrics hook"),
      value: median(onRps),
      unit: "req/s",
      runs: onRps,
      baseline: median(offRps),
      baselineLabel: "without",
      ratio,
      target: "≥ 90 % of without; no failed requests",
      pass: ratio >= 0.9 && bad === 0,
    },
  ];
}
