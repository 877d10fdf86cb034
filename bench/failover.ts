/**
 * failover: three instances on one PostgreSQL database poll the mock upstream's merchants, whose every
 * answer takes ANSWER_MS (so polls are in flight at any moment); the bench adds sales upstream at a
 * steady rate. The instance holding the most leases is killed with SIGKILL in the middle of its polls,
 * and the bench watches the lease rows (every SAMPLE_MS) for the moment each merchant it held is taken
 * by another instance, whose poll starts right after the claim: kill → poll again, against the issue's
 * bound, one poll interval plus the lease's expiry. Then the feed stops and the sales PostgreSQL holds
 * are compared with every sale the bench added: none lost, none counted twice, the milestone crossed
 * after the kill fired once.
 */
import { leaseMsFor } from "../src/cluster/poll-leases.js";
import type { Section } from "./section.js";
import { type BenchCluster, firstPolls, ownerPid, quantile, startCluster } from "./support/cluster.js";
import { SEED } from "./support/dataset.js";
import { postgresMissing } from "./support/postgres.js";
import { type BenchRow, serverLogRow } from "./support/report.js";
import type { ServerProcess } from "./support/server.js";
import { failoverMet } from "./targets.js";

const section = "failover";
const INTERVAL_MS = 2000;
const HTTP_TIMEOUT_MS = 1000;
const LEASE_MS = leaseMsFor(HTTP_TIMEOUT_MS);
const ANSWER_MS = 400;
const MERCHANT_COUNT = { quick: 24, full: 90 };
/** One sale upstream this often, round the merchants: 20 a second. */
const SALE_EVERY_MS = 50;
const SAMPLE_MS = 20;
/** The milestone is crossed by this many sales after the kill. */
const MILESTONE_AHEAD = 40;
const WAIT_MS = 30_000;

/** Every sale the bench added, by merchant. */
type Truth = Map<string, Set<number>>;

export const failoverSection: Section = async ({ quick, log, postgres }) => {
  const missing = postgresMissing();
  if (missing !== undefined) {
    log(`failover skipped: needs PostgreSQL (${missing})`);
    return [];
  }
  const merchants = quick ? MERCHANT_COUNT.quick : MERCHANT_COUNT.full;
  const cluster = await startCluster({
    postgres: await postgres(),
    instances: 3,
    mock: { seed: SEED, merchants, intervalMs: 500, speed: 1, generate: false, latencyMs: ANSWER_MS },
    env: { POLL_INTERVAL: `${INTERVAL_MS}ms`, HTTP_TIMEOUT: `${HTTP_TIMEOUT_MS}ms`, POLL_CONCURRENCY: "10" },
    log,
  });
  const feed = saleFeed(cluster);
  try {
    log(`every merchant polled once after ${((await firstPolls(cluster, 60_000)) / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    await milestoneAhead(cluster);
    const kill = await killBusiest(cluster);
    log(`killed pid ${kill.victim.pid} holding ${kill.held.length} leases`);
    const taken = await takeovers(cluster, kill);
    log(`its merchants polled again by the others after ${taken.map((t) => t.toFixed(0)).join(", ")} ms`);
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    const truth = await feed.stop();
    const settleStarted = performance.now();
    const check = await untilStored(cluster, truth);
    const settleMs = performance.now() - settleStarted;
    const problems = await cluster.errors();
    if (problems.problemCount > 0)
      log(
        `instances logged ${problems.problemCount} warnings/errors, e.g. ${problems.problems.slice(0, 3).join(" | ")}`,
      );
    return [
      serverLogRow(section, "3 instances (one killed)", problems.problemCount),
      ...failoverRows(kill.held.length, taken, merchants),
      ...integrityRows(truth, check, settleMs),
    ];
  } finally {
    await feed.stop();
    await cluster.close();
  }
};

/** Adds a sale every SALE_EVERY_MS, round the merchants, until stop(), which returns them all. */
function saleFeed(cluster: BenchCluster): { stop(): Promise<Truth> } {
  const truth: Truth = new Map();
  let running = true;
  const loop = (async () => {
    for (let k = 0; running; k++) {
      const merchant = cluster.mock.merchants[k % cluster.mock.merchants.length]?.id as string;
      const sale = await cluster.mock.addSale(merchant);
      const sales = truth.get(merchant) ?? new Set<number>();
      truth.set(merchant, sales.add(sale.saleId));
      await new Promise((r) => setTimeout(r, SALE_EVERY_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return truth;
    },
  };
}

/** A milestone on the total count that only sales stored after the kill can cross. */
async function milestoneAhead({ db, instances }: BenchCluster): Promise<void> {
  const { rows } = await db.query<{ n: string }>("select count(*) as n from transactions");
  const s = instances[0] as ServerProcess;
  const res = await fetch(`${s.url}/v1/admin/milestones`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "after the kill",
      type: "transactions",
      threshold: Number(rows[0]?.n) + MILESTONE_AHEAD,
    }),
  });
  if (res.status !== 201) throw new Error(`milestone: HTTP ${res.status} ${await res.text()}`);
}

interface Kill {
  victim: ServerProcess;
  owner: string;
  /** The merchants whose leases it still held once it was dead. */
  held: string[];
  /** performance.now() at the kill. */
  at: number;
}

/** SIGKILL to the instance holding the most leases (at least two, so it is mid-poll on several). */
async function killBusiest(cluster: BenchCluster): Promise<Kill> {
  const started = performance.now();
  for (;;) {
    const { rows } = await cluster.db.query<{ owner: string; n: string }>(
      "select owner, count(*) as n from poll_leases where owner is not null group by owner order by n desc limit 1",
    );
    const owner = rows[0]?.owner;
    const victim = cluster.instances.find((s) => owner !== undefined && s.pid === ownerPid(owner));
    if (owner !== undefined && victim && Number(rows[0]?.n) >= 2) {
      victim.child.kill("SIGKILL");
      const at = performance.now();
      // Read after the kill: what it holds now, it holds until its leases lapse.
      const held = await cluster.db.query<{ merchant_id: string }>(
        "select merchant_id from poll_leases where owner = $1",
        [owner],
      );
      return { victim, owner, held: held.rows.map((r) => r.merchant_id), at };
    }
    if (performance.now() - started > WAIT_MS) throw new Error("no instance held two leases at once");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Per merchant the victim held: ms from the kill until a claim of it by another instance was seen (not a
 * release: the victim's last commit can land just after the kill, and the merchant is then due later).
 */
async function takeovers({ db }: BenchCluster, kill: Kill): Promise<number[]> {
  const taken = new Map<string, number>();
  while (taken.size < kill.held.length && performance.now() - kill.at < WAIT_MS) {
    const { rows } = await db.query<{ merchant_id: string; owner: string | null }>(
      "select merchant_id, owner from poll_leases where merchant_id = any($1)",
      [kill.held],
    );
    const now = performance.now();
    for (const r of rows)
      if (r.owner !== null && r.owner !== kill.owner && !taken.has(r.merchant_id))
        taken.set(r.merchant_id, now - kill.at);
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
  return kill.held.map((id) => taken.get(id) ?? Number.POSITIVE_INFINITY);
}

interface Stored {
  lost: number;
  /** Stored sales the bench never added. */
  unknown: number;
  /** Rows beyond one per sale, plus running totals above the sales behind them. */
  twice: number;
  milestones: number;
}

async function readStored({ db }: BenchCluster, truth: Truth): Promise<Stored> {
  const sales = await db.query<{ merchant_id: string; sale_id: string }>(
    "select merchant_id, sale_id from transactions",
  );
  const totals = await db.query<{ id: string; total_transactions: string; n: string }>(
    `select m.id, m.total_transactions, (select count(*) from transactions t where t.merchant_id = m.id) as n
     from merchants m`,
  );
  const triggers = await db.query<{ n: string }>("select count(*) as n from milestone_triggers");
  const seen = new Set(sales.rows.map((r) => `${r.merchant_id}:${r.sale_id}`));
  let lost = 0;
  for (const [m, ids] of truth) for (const id of ids) if (!seen.has(`${m}:${id}`)) lost++;
  const unknown = sales.rows.filter((r) => !truth.get(r.merchant_id)?.has(Number(r.sale_id))).length;
  const overCounted = totals.rows.reduce(
    (n, r) => n + Math.max(0, Number(r.total_transactions) - Number(r.n)),
    0,
  );
  return {
    lost,
    unknown,
    twice: sales.rows.length - seen.size + overCounted,
    milestones: Number(triggers.rows[0]?.n),
  };
}

/** Waits (bounded) for the survivors to store every sale added; returns the last comparison. */
async function untilStored(cluster: BenchCluster, truth: Truth): Promise<Stored> {
  const started = performance.now();
  for (;;) {
    const s = await readStored(cluster, truth);
    if (s.lost === 0 || performance.now() - started > WAIT_MS) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function failoverRows(held: number, taken: number[], merchants: number): BenchRow[] {
  const max = taken.length > 0 ? Math.max(...taken) : Number.NaN;
  const bound = `≤ poll interval + lease (${INTERVAL_MS} + ${LEASE_MS} ms)`;
  const where = `${held} merchants it held (of ${merchants}, ${ANSWER_MS} ms answers), claims sampled every ${SAMPLE_MS} ms`;
  return [
    {
      section,
      metric: "leases the killed instance held mid-poll at its kill -9",
      value: held,
      unit: "merchants",
      target: "≥ 1",
      pass: held >= 1,
    },
    {
      section,
      metric: `kill -9 → polled again by another instance, max over ${where}`,
      value: max,
      unit: "ms",
      target: bound,
      pass: taken.length > 0 && failoverMet(max, INTERVAL_MS, LEASE_MS),
    },
    {
      section,
      metric: `kill -9 → polled again by another instance, median over ${where}`,
      value: quantile(taken, 0.5),
      unit: "ms",
    },
  ];
}

function integrityRows(truth: Truth, s: Stored, settleMs: number): BenchRow[] {
  const added = [...truth.values()].reduce((n, ids) => n + ids.size, 0);
  const zero = (metric: string, value: number, unit = "sales"): BenchRow => ({
    section,
    metric,
    value,
    unit,
    target: "0",
    pass: value === 0,
  });
  return [
    {
      section,
      metric: `sales added upstream over the run (one per ${SALE_EVERY_MS} ms), compared ${(settleMs / 1000).toFixed(1)} s after the feed stopped (once all were stored, or after 30 s)`,
      value: added,
      unit: "sales",
    },
    zero("sales lost (added upstream, not in PostgreSQL)", s.lost),
    zero("sales stored twice (rows or running totals beyond one per sale)", s.twice),
    zero("sales in PostgreSQL the upstream never had", s.unknown),
    {
      section,
      metric: "milestone crossed after the kill: times fired",
      value: s.milestones,
      unit: "times",
      target: "= 1",
      pass: s.milestones === 1,
    },
  ];
}
