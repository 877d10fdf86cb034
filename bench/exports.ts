/**
 * exports: the admin exports read whole over HTTP from the server (the real build in its own process)
 * on the bulk data set, 1M sales and in the full run 10M, while it keeps ingesting live sales: rows a
 * second, the server's peak resident set during each export (the kernel's high-water mark, reset just
 * before it, so no sampling interval can miss a peak), and the slowest /v1/summary answer asked for
 * every 100 ms meanwhile (the export must not starve the dashboard's reads).
 */
import { writeFileSync } from "node:fs";
import type { Section } from "./section.js";
import { fmtCount } from "./support/dataset.js";
import { type BenchRow, serverLogRow } from "./support/report.js";
import { peakRssMb } from "./support/server.js";
import { startStack } from "./support/stack.js";
import { RSS_TARGET_MB } from "./targets.js";

/** The exports are whole-history reads: the data set's dates need not be recent. */
const ANY_DATE_AGE_MS = Number.POSITIVE_INFINITY;
const EXPORTS = ["sales?format=csv", "lines?format=ndjson"];
/**
 * Rows a second an export must keep up at any size: a 10M-sale history then downloads in under
 * 10 minutes beside live ingest on this two-core machine. What matters more is that it holds
 * from 1M to 10M (keyset batches cost the same wherever they start).
 */
const MIN_ROWS_PER_SECOND = 20_000;
/** Slowest summary answer while an export runs: a screen's refresh must not wait for a batch. */
const MAX_SUMMARY_MS = 250;
const section = "exports";

export const exportsSection: Section = async ({ quick, log }) => {
  const sizes = quick ? [1_000_000] : [1_000_000, 10_000_000];
  const rows: BenchRow[] = [];
  for (const sales of sizes) {
    const stack = await startStack(sales, log, ANY_DATE_AGE_MS);
    try {
      await stack.firstCycle(30_000);
      for (const path of EXPORTS) {
        const m = await measureExport(stack.server.url, stack.server.adminToken, stack.server.pid, path);
        log(
          `${fmtCount(sales)} ${path}: ${fmtCount(m.rows)} rows in ${(m.ms / 1000).toFixed(1)} s, peak RSS ${m.peakMb.toFixed(0)} MB, slowest summary ${m.slowestSummaryMs.toFixed(0)} ms`,
        );
        rows.push(...exportRows(`${fmtCount(sales)} sales, ${path}`, m));
      }
      rows.push(serverLogRow(section, `${fmtCount(sales)} sales`, (await stack.errors()).problemCount));
    } finally {
      await stack.close();
    }
  }
  return rows;
};

interface Measured {
  rows: number;
  ms: number;
  peakMb: number;
  slowestSummaryMs: number;
}

function exportRows(what: string, m: Measured): BenchRow[] {
  const perSecond = m.rows / (m.ms / 1000);
  return [
    {
      section,
      metric: `${what}: rows/s (${fmtCount(m.rows)} rows)`,
      value: perSecond,
      unit: "rows/s",
      target: `≥ ${fmtCount(MIN_ROWS_PER_SECOND)}`,
      pass: perSecond >= MIN_ROWS_PER_SECOND,
    },
    {
      section,
      metric: `${what}: server peak RSS during the export`,
      value: m.peakMb,
      unit: "MB",
      target: `< ${RSS_TARGET_MB} MB`,
      pass: m.peakMb < RSS_TARGET_MB,
    },
    {
      section,
      metric: `${what}: slowest /v1/summary meanwhile`,
      value: m.slowestSummaryMs,
      unit: "ms",
      target: `< ${MAX_SUMMARY_MS} ms`,
      pass: m.slowestSummaryMs < MAX_SUMMARY_MS,
    },
  ];
}

/** One export read to its end (rows counted as line ends, less the CSV header), summaries asked meanwhile. */
async function measureExport(url: string, token: string, pid: number, path: string): Promise<Measured> {
  // Writing 5 to clear_refs resets the process's VmHWM (Linux 4.0+): the peak is then this export's.
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
  let done = false;
  let slowestSummaryMs = 0;
  const summaries = (async () => {
    while (!done) {
      const started = performance.now();
      await (await fetch(`${url}/v1/summary`)).arrayBuffer();
      slowestSummaryMs = Math.max(slowestSummaryMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const started = performance.now();
  const res = await fetch(`${url}/v1/admin/exports/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200 || !res.body) throw new Error(`export ${path} answered ${res.status}`);
  let lines = 0;
  for await (const chunk of res.body) {
    for (const byte of chunk as Uint8Array) if (byte === 10) lines++;
  }
  const ms = performance.now() - started;
  done = true;
  await summaries;
  return { rows: path.includes("csv") ? lines - 1 : lines, ms, peakMb: peakRssMb(pid), slowestSummaryMs };
}
