/**
 * Standalone measurement (not part of `npm run bench`): which read makes the server's resident set grow.
 * The real server on the bench data set, ingesting live sales; each read then runs for 8 s under 25
 * connections, one after the other, and the server's RSS (anonymous and file-backed) is printed after each.
 *   npm run build:server && npx tsc -p tsconfig.bench.json && node dist-bench/bench/memory-by-read.js [sales] [paths]
 */
import { readFileSync } from "node:fs";
import { autocannon } from "./support/autocannon.js";
import { peakRssMb, rssMb } from "./support/server.js";
import { startStack } from "./support/stack.js";

const SALES = Number(process.argv[2] ?? 10_000_000);
const PATHS = (
  process.argv[3] ??
  "/v1/summary,/v1/leaderboard/merchants?window=24h&metric=volume,/v1/timeseries,/v1/leaderboard/products?window=1h"
).split(",");
const SECONDS = 8;

/** Resident memory in MB from /proc/<pid>/smaps_rollup: anonymous (heaps, caches) and the rest (the binary). */
function residentParts(pid: number): { anonymous: number; file: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? Number.NaN);
  const anonymous = kb("Anonymous");
  return { anonymous: anonymous / 1024, file: (kb("Rss") - anonymous) / 1024 };
}

function report(pid: number, label: string): void {
  const { anonymous, file } = residentParts(pid);
  const mb = (v: number) => `${v.toFixed(0)} MB`;
  console.log(
    `${label.padEnd(64)} RSS ${mb(rssMb(pid))}, peak ${mb(peakRssMb(pid))}, anonymous ${mb(anonymous)}, file ${mb(file)}`,
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
