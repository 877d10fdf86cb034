/**
 * Load generation in a separate process (the autocannon CLI with JSON output), so the client's
 * CPU shows up as its own process rather than inside the bench's event loop.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const AUTOCANNON = fileURLToPath(new URL("../../../node_modules/autocannon/autocannon.js", import.meta.url));

export interface LoadResult {
  p50: number;
  p99: number;
  /** Mean latency in ms as autocannon records it: whole milliseconds, too coarse for fast requests. */
  mean: number;
  /**
   * Wall time per completed request in ms (duration / requests). With one connection the requests
   * run back to back, so this is the round-trip cost at sub-millisecond resolution.
   */
  msPerRequest: number;
  /** Requests per second (mean over the run). */
  rps: number;
  /** Requests answered during the run. */
  completed: number;
  non2xx: number;
  /** Answers with a 3xx status (the 304s of a revalidation run); counted in non2xx too. */
  status3xx: number;
  /** Response bytes (headers and body, as sent) per completed request. */
  bytesPerRequest: number;
  errors: number;
  timeouts: number;
  /** Non-zero counts of what went wrong, e.g. "4xx=3 errors=12", for the log. */
  problems: string;
}

/**
 * Requests that were not a 2xx answer: bad statuses, socket errors, timeouts; and a run in which no
 * request completed at all counts as one, since its latencies (all 0) would otherwise meet any target.
 */
export function failures(r: LoadResult, notModifiedIsOk = false): number {
  const bad = notModifiedIsOk ? r.non2xx - r.status3xx : r.non2xx;
  return bad + r.errors + r.timeouts + (r.completed === 0 ? 1 : 0);
}

/** `headers` go on every request (e.g. If-None-Match, Accept-Encoding). */
export async function autocannon(
  url: string,
  connections: number,
  durationSec: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]);
  const child = spawn(
    process.execPath,
    [
      AUTOCANNON,
      "-j",
      "-n",
      "-c",
      String(connections),
      "-d",
      String(durationSec),
      "-t",
      "10",
      ...headerArgs,
      url,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    out += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
  });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (c) => resolve(c));
    });
    if (code !== 0) throw new Error(`autocannon exited ${code}: ${err.slice(0, 500)}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  const r = JSON.parse(out) as {
    latency: { p50: number; p99: number; mean: number };
    requests: { average: number; total: number };
    throughput: { total: number };
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
    [count: string]: unknown;
  };
  const problems = ["4xx", "5xx", "errors", "timeouts", "resets", "mismatches"]
    .filter((k) => typeof r[k] === "number" && (r[k] as number) > 0)
    .map((k) => `${k}=${r[k]}`)
    .join(" ");
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    mean: r.latency.mean,
    msPerRequest: r.requests.total > 0 ? (r.duration * 1000) / r.requests.total : Number.NaN,
    rps: r.requests.average,
    completed: r.requests.total,
    non2xx: r.non2xx,
    status3xx: typeof r["3xx"] === "number" ? r["3xx"] : 0,
    bytesPerRequest: r.requests.total > 0 ? r.throughput.total / r.requests.total : Number.NaN,
    errors: r.errors,
    timeouts: r.timeouts,
    problems,
  };
}
