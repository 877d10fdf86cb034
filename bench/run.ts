/**
 * `npm run bench [-- --quick] [-- --only ingest,reads,push,memory,hostile,webhooks,exports,caching,metrics,outgoing,
 * startup,cluster-push,failover] [-- --engine sqlite|postgres|both]`: runs every section, prints one
 * markdown table and writes it with the raw runs as JSON under bench/results/ (git-ignored). The engine
 * applies to ingest and reads (default: both where PostgreSQL is installed, see support/postgres.ts);
 * cluster-push and failover run several instances on PostgreSQL, and only where it is installed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Section } from "./section.js";
import { defaultEngines, type Engine, lazyPostgres, parseEngines } from "./support/postgres.js";
import { type BenchRow, markdownTable } from "./support/report.js";

const SECTIONS: Record<string, () => Promise<Section>> = {
  ingest: async () => (await import("./ingest.js")).ingestSection,
  reads: async () => (await import("./reads.js")).readsSection,
  push: async () => (await import("./push.js")).pushSection,
  memory: async () => (await import("./memory.js")).memorySection,
  hostile: async () => (await import("./hostile.js")).hostileSection,
  webhooks: async () => (await import("./webhooks.js")).webhooksSection,
  exports: async () => (await import("./exports.js")).exportsSection,
  caching: async () => (await import("./caching.js")).cachingSection,
  metrics: async () => (await import("./metrics.js")).metricsSection,
  outgoing: async () => (await import("./outgoing-webhooks.js")).outgoingWebhooksSection,
  startup: async () => (await import("./startup.js")).startupSection,
  "cluster-push": async () => (await import("./cluster-push.js")).clusterPushSection,
  failover: async () => (await import("./failover.js")).failoverSection,
};

interface Args {
  quick: boolean;
  only: string[];
  /** Unset: the default, decided once the log exists. */
  engines: Engine[] | undefined;
}

function parseArgs(argv: string[]): Args {
  let quick = false;
  let only = Object.keys(SECTIONS);
  let engines: Engine[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") quick = true;
    else if (a === "--engine") engines = parseEngines(argv[++i]);
    else if (a === "--only") {
      only = (argv[++i] ?? "").split(",").filter(Boolean);
      const unknown = only.filter((s) => !(s in SECTIONS));
      if (unknown.length > 0 || only.length === 0)
        throw new Error(`--only takes a comma-separated list of ${Object.keys(SECTIONS).join(", ")}`);
    } else throw new Error(`unknown argument ${a}; use --quick, --only <sections>, --engine <engine>`);
  }
  return { quick, only, engines };
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { quick, only } = args;
  const started = Date.now();
  const log = (msg: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}`);
  const engines = args.engines ?? defaultEngines(log);
  log(`${quick ? "quick" : "full"} run: ${only.join(", ")} (engines ${engines.join(", ")}) on ${machine()}`);
  const rows: BenchRow[] = [];
  const postgres = lazyPostgres(log);
  try {
    for (const name of only) {
      const section = await (SECTIONS[name] as () => Promise<Section>)();
      log(`section ${name}`);
      rows.push(...(await section({ quick, log, engines, postgres: postgres.get })));
    }
  } finally {
    await postgres.stop();
  }
  const table = markdownTable(rows);
  const header = `Benchmark (${quick ? "quick" : "full"}) ${new Date().toISOString()}\nMachine: ${machine()}\nEngines (ingest, reads): ${engines.join(", ")}\n`;
  console.log(`${header}\n${table}`);
  const dir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { quick, engines, startedAt: new Date(started).toISOString(), machine: machine(), rows },
    null,
    2,
  );
  const stamp = new Date(started).toISOString().replace(/[:.]/g, "-");
  writeFileSync(`${dir}${stamp}.json`, json);
  writeFileSync(`${dir}latest.json`, json);
  writeFileSync(`${dir}latest.md`, `${header}\n${table}\n`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in bench/results/latest.{json,md}`);
  const failed = rows.filter((r) => r.pass === false).length;
  if (failed > 0) log(`${failed} target(s) missed`);
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
