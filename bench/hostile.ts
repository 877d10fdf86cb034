/**
 * hostile: the server's resident set while one merchant's upstream answers with junk of every kind
 * that could make a client hold what it reads (an error page, JSON whose bytes are all outside the
 * sales, one endless sale, nothing but malformed rows, a failure with a long body), each at the size
 * MAX_UPSTREAM_BYTES allows and one byte past it. The real server (dist/main.js, as `npm start` starts
 * it), a fresh one per answer so that its VmHWM (the kernel's high-water mark of its resident set,
 * which no sampling interval can miss) is that answer's alone, from start-up until the poll's
 * failure is recorded. The body is written on the fly in this process (support/hostile-upstream.ts).
 */

import { formatByteSize } from "../src/config/byte-size.js";
import { openDatabase } from "../src/store/db.js";
import { registerMerchants, tempDir } from "./ingest/common.js";
import type { Section } from "./section.js";
import {
  HOSTILE_KINDS,
  type HostileKind,
  type HostileUpstream,
  startHostileUpstream,
} from "./support/hostile-upstream.js";
import { type BenchRow, serverLogRow } from "./support/report.js";
import { type ServerProcess, scanLog, startServer } from "./support/server.js";
import { RSS_TARGET_MB } from "./targets.js";

const section = "hostile";
/** MAX_UPSTREAM_BYTES's default (src/config/config.ts); the quick run sets a quarter of it. */
const DEFAULT_CAP = 2 ** 30;
const QUICK_CAP = 2 ** 28;
/** Generous: the row measures memory; a slow shared machine must not turn it into a timeout. */
const HTTP_TIMEOUT = "120s";
const FAILURE_WAIT_MS = 300_000;
const MERCHANT = { id: "666", publicKey: "hostile-key", name: "Hostile upstream" };

interface Case {
  kind: HostileKind;
  /** Body length given the cap. */
  bytes: (cap: number) => number;
  declareLength: boolean;
  /** What last_error must read. */
  error: RegExp;
}

const TOO_LARGE = /^upstream answer larger than MAX_UPSTREAM_BYTES \(/;

const CASES: Case[] = [
  { kind: "not JSON", bytes: () => 50e6, declareLength: false, error: /^upstream body is not JSON$/ },
  { kind: "not JSON", bytes: (cap) => cap, declareLength: false, error: /^upstream body is not JSON$/ },
  { kind: "not JSON", bytes: (cap) => cap + 1, declareLength: true, error: TOO_LARGE },
  { kind: "one long string outside the sales", bytes: (cap) => cap, declareLength: false, error: /outside/ },
  { kind: "one endless sale", bytes: (cap) => cap, declareLength: false, error: /a sale larger than/ },
  { kind: "only malformed rows", bytes: (cap) => cap + 1, declareLength: false, error: TOO_LARGE },
  { kind: "a 500 with a long body", bytes: (cap) => cap + 1, declareLength: false, error: /responded 500/ },
];

export const hostileSection: Section = async ({ quick, log }) => {
  const cap = quick ? QUICK_CAP : DEFAULT_CAP;
  const upstream = await startHostileUpstream();
  const rows: BenchRow[] = [];
  try {
    for (const c of CASES) rows.push(...(await oneAnswer(upstream, c, cap, quick, log)));
  } finally {
    await upstream.close();
  }
  return rows;
};

async function oneAnswer(
  upstream: HostileUpstream,
  c: Case,
  cap: number,
  quick: boolean,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const bytes = c.bytes(cap);
  upstream.set({ ...HOSTILE_KINDS[c.kind], bytes, declareLength: c.declareLength });
  const tmp = tempDir("hostile");
  let server: ServerProcess | undefined;
  try {
    const dbPath = tmp.file("hostile.db");
    const store = await openDatabase(dbPath);
    try {
      await registerMerchants(store, [MERCHANT]);
    } finally {
      await store.close();
    }
    server = await startServer({
      dbPath,
      sourceBaseUrl: upstream.url,
      dir: tmp.dir,
      pollInterval: "30s",
      // The quick run's cap is set; the full run's is the default, as a deployment has it.
      env: { HTTP_TIMEOUT, ...(quick ? { MAX_UPSTREAM_BYTES: String(cap) } : {}) },
    });
    const { error, ms } = await waitForFailure(server);
    const peak = server.peakRssMb();
    const what = `${c.kind}, ${size(bytes, cap)} (${c.declareLength ? "Content-Length" : "chunked"}), MAX_UPSTREAM_BYTES ${formatByteSize(cap)}`;
    log(`${what}: failed after ${ms.toFixed(0)} ms with "${error}", server VmHWM ${peak.toFixed(0)} MB`);
    await server.stop();
    const problems = await scanLog(server.logFile);
    return [
      // One warning is the failed poll itself.
      serverLogRow(section, what, problems.problemCount),
      {
        section,
        metric: `server RSS peak (VmHWM) until the poll failed: ${what} → "${error}"`,
        value: peak,
        unit: "MB",
        target: `< ${RSS_TARGET_MB} MB, last_error ${c.error.source}`,
        pass: peak < RSS_TARGET_MB && c.error.test(error),
      },
    ];
  } finally {
    await server?.stop();
    tmp.remove();
  }
}

/** The body's length in the cap's terms. */
function size(bytes: number, cap: number): string {
  if (bytes === cap + 1) return `${formatByteSize(cap)} + 1 byte`;
  return bytes % 2 ** 10 === 0 ? formatByteSize(bytes) : `${bytes / 1e6} MB`;
}

/** The merchant's last_error once its first poll has failed, or "none, polled" (the row then fails). */
async function waitForFailure(server: ServerProcess): Promise<{ error: string; ms: number }> {
  const started = performance.now();
  while (performance.now() - started < FAILURE_WAIT_MS) {
    const res = await fetch(`${server.url}/v1/admin/merchants`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    const [m] = (await res.json()) as { last_polled_at?: string; last_error?: string }[];
    if (m?.last_error !== undefined) return { error: m.last_error, ms: performance.now() - started };
    // Taken for a good poll: the row fails on its error.
    if (m?.last_polled_at !== undefined) return { error: "none, polled", ms: performance.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no poll failure recorded after ${FAILURE_WAIT_MS / 1000} s`);
}
