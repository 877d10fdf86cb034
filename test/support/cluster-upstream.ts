/**
 * For tests of several instances on one PostgreSQL database (issue 18): one fake upstream per instance,
 * all answering the same merchants with the same sales, so that each request says which instance made
 * it and every merchant's requests, from all of them, can be checked for overlap. Plus the truth those
 * sales add up to and what the database stored, to compare.
 */
import pg from "pg";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./upstream.js";

export interface ClusterUpstream {
  /** One per instance, by the instance's index. */
  upstreams: FakeUpstream[];
  /** Gives the merchant `count` sales (ids and sats follow from its name and index), on every upstream. */
  setSales(merchantId: string, count: number, delayMs?: number): void;
  /** What the upstream holds now, per merchant: sales and sats. */
  truth(): Map<string, { count: number; sats: number }>;
  /** Every request for the merchant, whichever instance made it, by start. */
  requestsFor(merchantId: string): { instance: number; start: number; end: number }[];
  close(): Promise<void>;
}

export async function startClusterUpstream(instances: number): Promise<ClusterUpstream> {
  const upstreams = await Promise.all(Array.from({ length: instances }, () => startFakeUpstream()));
  const counts = new Map<string, number>();
  const base = (merchantId: string) => Number(merchantId.replace(/\D/g, "")) * 10_000;
  return {
    upstreams,
    setSales(merchantId, count, delayMs) {
      counts.set(merchantId, count);
      const date = new Date(Date.now() - 60_000).toISOString().replace("Z", "000+00:00");
      const sales = Array.from({ length: count }, (_, i) => saleRow(base(merchantId) + i, 1000 + i, date));
      for (const u of upstreams)
        u.set(merchantId, { kind: "json", body: posBody(sales), ...(delayMs ? { delayMs } : {}) });
    },
    truth() {
      const out = new Map<string, { count: number; sats: number }>();
      for (const [id, count] of counts)
        out.set(id, { count, sats: count * 1000 + (count * (count - 1)) / 2 });
      return out;
    },
    requestsFor(merchantId) {
      return upstreams
        .flatMap((u, instance) =>
          u.requests
            .filter((r) => r.merchantId === merchantId)
            .map((r) => ({ instance, start: r.start, end: r.end ?? Number.POSITIVE_INFINITY })),
        )
        .sort((a, b) => a.start - b.start);
    },
    close: async () => {
      await Promise.all(upstreams.map((u) => u.close()));
    },
  };
}

/** Pairs of requests for one merchant that were answered at the same time (none: one poller at a time). */
export function overlaps(requests: { instance: number; start: number; end: number }[]): string[] {
  const found: string[] = [];
  for (let i = 1; i < requests.length; i++) {
    const prev = requests[i - 1];
    const cur = requests[i];
    if (prev && cur && cur.start < prev.end)
      found.push(
        `instance ${cur.instance} at ${cur.start} while instance ${prev.instance} until ${prev.end}`,
      );
  }
  return found;
}

/** Reads of the database for what a test checks, on one small pool (the checks run every few ms). */
export interface DatabaseChecks {
  /** What the database stored per merchant: its sales rows and its running totals (which must agree). */
  storedTotals(): Promise<StoredTotals>;
  rows<T extends pg.QueryResultRow>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

export type StoredTotals = Map<
  string,
  { count: number; sats: number; totalCount: number; totalSats: number }
>;

export function databaseChecks(databaseUrl: string): DatabaseChecks {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // pool.end() can resolve before a connection's backend has seen it off; the database's drop (FORCE)
  // right after then terminates it, and the pool re-emits that as "error": unhandled, it failed a
  // whole run on Node 24 (CI; test/cluster-polling.test.ts failed 2 runs in 6 here, 0 in 8 with this).
  pool.on("error", () => {});
  const rows = async <T extends pg.QueryResultRow>(text: string) => (await pool.query<T>(text)).rows;
  return {
    rows,
    async storedTotals() {
      const found = await rows<{ id: string; n: string; sats: string; tn: string; ts: string }>(
        `select m.id, count(t.id) as n, coalesce(sum(t.amount_sats), 0) as sats,
           m.total_transactions as tn, m.total_volume_sats as ts
         from merchants m left join transactions t on t.merchant_id = m.id
         group by m.id order by m.id`,
      );
      return new Map(
        found.map((r) => [
          r.id,
          { count: Number(r.n), sats: Number(r.sats), totalCount: Number(r.tn), totalSats: Number(r.ts) },
        ]),
      );
    },
    close: () => pool.end(),
  };
}

/** True when the stored sales and totals are exactly the upstream's: none lost, none counted twice. */
export function matchesTruth(
  stored: StoredTotals,
  truth: Map<string, { count: number; sats: number }>,
): boolean {
  for (const [id, t] of truth) {
    const s = stored.get(id);
    if (!s || s.count !== t.count || s.sats !== t.sats || s.totalCount !== t.count || s.totalSats !== t.sats)
      return false;
  }
  return true;
}
