/**
 * `npm run bench [-- --quick] [-- --only ingest,reads,push,memory,hostile,webhooks,exports,caching,metrics,outgoing,
 * startup]`: runs every section, prints one
 * markdown table and writes it with the raw runs as JSON under bench/results/ (git-ignored).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Section } from "./section.js";
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
};

function parseArgs(argv: string[]): { quick: boolean; only: string[] } {
  let quick = false;
  let only = Object.keys(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") quick = true;
    else if (a === "--only") {
      only = (argv[++i] ?? "").split(",").filter(Boolean);
      const unknown = only.filter((s) => !(s in SECTIONS));
      if (unknown.length > 0 || only.length === 0)
        throw new Error(`--only takes a comma-separated list of ${Object.keys(SECTIONS).join(", ")}`);
    } else throw new Error(`unknown argument ${a}; use --quick and/or --only <sections>`);
  }
  return { quick, only };
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (msg: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}`);
  log(`${quick ? "quick" : "full"} run: ${only.join(", ")} on ${machine()}`);
  const rows: BenchRow[] = [];
  for (const name of only) {
    const section = await (SECTIONS[name] as () => Promise<Section>)();
    log(`section ${name}`);
    rows.push(...(await section({ quick, log })));
  }
  const table = markdownTable(rows);
  const header = `Benchmark (${quick ? "quick" : "full"}) ${new Date().toISOString()}\nMachine: ${machine()}\n`;
  console.log(`${header}\n${table}`);
  const dir = fileURLToPath(new URL("../../bench/results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    { quick, startedAt: new Date(started).toISOString(), machine: machine(), rows },
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
