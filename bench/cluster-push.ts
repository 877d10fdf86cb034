/**
 * cluster-push: live push across instances (issue 18). Two instances on one PostgreSQL database poll
 * the mock upstream's 1,000 merchants (live sales, ~30/s, as in push); 2,000 SSE clients on /v1/stream,
 * 1,000 on each instance. Measured as push.ts measures: T0 (CLOCK_MONOTONIC, comparable across
 * processes) just before a sale is added upstream and a refetch of its merchant is asked of one
 * instance, alternately A and B; each client's receipt − T0 is an upper bound of commit → receipt.
 *
 * Who committed each sale is read from the instances' own logs, not assumed: with shared leases the
 * instance that receives the refetch polls only if no other holds the merchant (ingest/lease-schedule.ts),
 * else the holder's poll, or the one after it, stores the sale. Each instance logs every poll it
 * committed ("poll complete", new_tx); the sale's committer is the instance whose polls of that
 * merchant stored something in the seconds after the sale was added. When both did (a live sale of the
 * same merchant stored by the other just then), the sale is left out of the split, and counted.
 *
 * Under two polling loads: the default POLL_INTERVAL (30 s: 1,000 merchants make ~33 polls a second
 * over both instances), which carries the target, and in the full run also 2 s (up to 500 a second,
 * 15 times that, as much as the instances can poll on this machine), for information.
 */
import {
  CLIENTS,
  DEFAULT_LOAD,
  HEAVY_LOAD,
  type Load,
  type Measured,
  rows,
  SETTLE_MS,
} from "./cluster-push-rows.js";
import type { Section } from "./section.js";
import { type BenchCluster, committersFromLogs, firstPolls, startCluster } from "./support/cluster.js";
import { MERCHANTS, SEED } from "./support/dataset.js";
import { postgresMissing } from "./support/postgres.js";
import { monoMs } from "./support/procs.js";
import type { BenchRow } from "./support/report.js";
import { openStreams, type StreamClients } from "./support/sse.js";

const SALES = { quick: 6, full: 40 };
const SPACING_MS = 300;
/** A poll that stored something this long after a sale was added may be the one that stored it. */
const ATTRIBUTION_MS = 3000;
const OPEN_MS = { quick: 20_000, full: 60_000 };
const FIRST_POLLS_MS = 120_000;

export const clusterPushSection: Section = async ({ quick, log, postgres }) => {
  const missing = postgresMissing();
  if (missing !== undefined) {
    log(`cluster-push skipped: needs PostgreSQL (${missing})`);
    return [];
  }
  const out: BenchRow[] = [];
  for (const load of quick ? [DEFAULT_LOAD] : [DEFAULT_LOAD, HEAVY_LOAD])
    out.push(...(await measureAt(load, quick, log, await postgres())));
  return out;
};

async function measureAt(
  load: Load,
  quick: boolean,
  log: (message: string) => void,
  pg: Awaited<ReturnType<Parameters<Section>[0]["postgres"]>>,
): Promise<BenchRow[]> {
  log(`cluster-push at ${load.label}`);
  const cluster = await startCluster({
    postgres: pg,
    instances: 2,
    mock: { seed: SEED, merchants: MERCHANTS, intervalMs: 500, speed: 2 },
    env: { POLL_INTERVAL: load.interval },
    log,
  });
  const groups: StreamClients[] = [];
  try {
    const firstMs = await firstPolls(cluster, FIRST_POLLS_MS);
    log(`every merchant polled once after ${(firstMs / 1000).toFixed(1)} s`);
    const openMs = quick ? OPEN_MS.quick : OPEN_MS.full;
    for (const s of cluster.instances)
      groups.push(await openStreams(`${s.url}/v1/stream`, CLIENTS / 2, openMs, false, 1));
    log(`streams open: ${groups.map((g) => `${g.connected} (${g.failed} failed)`).join(" and ")}`);
    const measured = await measureSales(cluster, groups, quick ? SALES.quick : SALES.full);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const results = await Promise.all(groups.map((g) => g.collect()));
    const committers = await committersFromLogs(
      cluster.instances.map((i) => i.logFile),
      measured,
      ATTRIBUTION_MS,
    );
    const problems = await cluster.errors();
    if (problems.problemCount > 0)
      log(
        `instances logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems.slice(0, 3).join(" | ")}`,
      );
    return rows({
      groups,
      results,
      measured,
      committers,
      firstMs,
      problemCount: problems.problemCount,
      load,
    });
  } finally {
    await Promise.all(groups.map((g) => g.stop()));
    await cluster.close();
  }
}

/** One sale at a time, each refetched on A then B in turn; waits SPACING_MS between them. */
async function measureSales(
  cluster: BenchCluster,
  groups: StreamClients[],
  count: number,
): Promise<Measured[]> {
  const { mock, instances } = cluster;
  const out: Measured[] = [];
  for (let k = 0; k < count; k++) {
    // Spread over the fleet, so no merchant's poll is still running from the previous sale.
    const merchant = mock.merchants[(k * 137) % mock.merchants.length]?.id as string;
    const asked = k % instances.length;
    const server = instances[asked] as (typeof instances)[number];
    await Promise.all(groups.map((g) => g.watch(merchant)));
    const addedAt = Date.now();
    const t0 = monoMs();
    const sale = await mock.addSale(merchant);
    const res = await fetch(`${server.url}/v1/admin/merchants/${merchant}/refetch`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    await res.arrayBuffer();
    out.push({ merchantId: merchant, saleId: sale.saleId, t0, addedAt, asked, refetchStatus: res.status });
    await Promise.all(groups.map((g) => g.expect(merchant, sale.saleId)));
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  return out;
}
