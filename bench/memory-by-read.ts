/**
 * Standalone measurement (not part of `npm run bench`): which read makes the server's resident set grow.
 * The real server on the bench data set, ingesting live sales; each read then runs for 8 s under 25
 * connections, one after the other, and the server's RSS (anonymous and file-backed) is printed after each.
 *   npm run build:server && npx tsc -p tsconfig.bench.json && node dist-bench/bench/memory-by-read.js [sales] [paths]
 */
import { readFileSync } from "node:fs";
import { autocannon } from "./support/autocannon.js";
import { startStack } from "./support/stack.js";

const SALES = Number(process.argv[2] ?? 10_000_000);
const PATHS = (
  process.argv[3] ??
  "/v1/summary,/v1/leaderboard/merchants?window=24h&metric=volume,/v1/timeseries,/v1/leaderboard/products?window=1h"
).split(",");
const SECONDS = 8;

function kb(text: string, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+)`).exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

function report(pid: number, label: string): void {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const mb = (v: number) => `${(v / 1024).toFixed(0)} MB`;
  const anon = kb(rollup, "Anonymous");
  console.log(
    `${label.padEnd(64)} RSS ${mb(kb(status, "VmRSS"))}, peak ${mb(kb(status, "VmHWM"))}, anonymous ${mb(anon)}, file ${mb(kb(rollup, "Rss") - anon)}`,
  );
}

const stack = await startStack(SALES, (m) => console.error(`[memory-by-read] ${m}`), 15 * 60_000);
try {
  await stack.firstCycle(60_000);
  report(stack.server.pid, "after the first poll cycle");
  for (const path of PATHS) {
    await autocannon(stack.server.url + path, 25, SECONDS);
    report(stack.server.pid, `after ${SECONDS} s of ${path}`);
  }
} finally {
  await stack.close();
}
