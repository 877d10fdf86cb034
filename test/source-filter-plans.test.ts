import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getMerchantLeaderboard,
  getProductLeaderboard,
  getSummary,
  getTicker,
} from "../src/store/dashboard.js";
import type { Db, OpenedDatabase } from "../src/store/db.js";
import { openDatabase } from "../src/store/db.js";
import { readExportBatch } from "../src/store/exports.js";
import { upsertMerchant } from "../src/store/merchants.js";
import type { IncomingSale } from "../src/store/poll-contents.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import type { Database } from "../src/store/schema.js";
import { getTimeseries } from "../src/store/timeseries.js";

/*
 * A filtered read must cost what the unfiltered one costs: the source's merchants' running totals and
 * rollups, and raw sales only for the leading part of a window, found through (source, sale_date).
 * Proved on SQLite's own plans (EXPLAIN QUERY PLAN) of the exact statements the reads run, on a file
 * database with planner statistics as production has them (PRAGMA optimize after a cycle).
 */

const HOUR = 3_600_000;
const NOW = Date.parse("2025-11-10T15:30:30Z");
const dir = mkdtempSync(join(tmpdir(), "source-plans-"));
let store: OpenedDatabase;
let sqlite: BetterSqlite3.Database;
let db: Db;
const ran: { sql: string; parameters: readonly unknown[] }[] = [];

const sale = (saleId: number, date: number, sats: number): IncomingSale => ({
  saleId,
  origin: "pos",
  date,
  amountSats: sats,
  fiatAmount: sats / 1000,
  currency: "usd",
  lines: [{ productId: saleId % 7, name: `p${saleId % 7}`, quantity: 1, unitSats: sats }],
});
const products = Array.from({ length: 7 }, (_, i) => ({
  productId: i,
  name: `p${i}`,
  currency: null,
  price: null,
  totalTransactions: 10,
  totalUnitsSold: 10,
  totalRevenueSats: 100 * i,
  active: true,
  deleted: false,
}));

beforeAll(async () => {
  const file = join(dir, "plans.db");
  store = await openDatabase(file);
  // 20 PayWithFlash merchants with 300 sales each over the last 30 hours, one wifi merchant with 50.
  for (let m = 0; m < 21; m++) {
    const id = m === 20 ? "wifi" : `m${m}`;
    await upsertMerchant(store.db, { id, public_key: "k", alias: id }, NOW);
    const n = m === 20 ? 50 : 300;
    const sales = Array.from({ length: n }, (_, i) =>
      sale(i + 1, NOW - Math.floor((((i * 7919) % n) * (30 * HOUR)) / n), 100 + i),
    );
    await applyPoll(store.db, id, { sales, products }, NOW);
  }
  await sql`update merchants set source = 'wifi' where id = 'wifi'`.execute(store.db);
  await sql`update transactions set source = 'wifi' where merchant_id = 'wifi'`.execute(store.db);
  store.optimize();
  // A second connection, as reads have in the service, that records every statement it runs.
  sqlite = new BetterSqlite3(file, { readonly: true });
  db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (e) => {
      if (e.level === "query") ran.push({ sql: e.query.sql, parameters: e.query.parameters });
    },
  });
});
afterAll(async () => {
  await db.destroy();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The plan rows of every statement `read` runs. */
async function plansOf(read: () => Promise<unknown>): Promise<string[][]> {
  ran.length = 0;
  await read();
  return ran.map((q) =>
    (sqlite.prepare(`explain query plan ${q.sql}`).all(...q.parameters) as { detail: string }[]).map(
      (r) => r.detail,
    ),
  );
}

/** Plan rows that read the sales table (named or as `t`). */
const salesRows = (plan: string[]) => plan.filter((d) => /^(SCAN|SEARCH) (transactions|t)\b/.test(d));
const BOUNDED_BY_SOURCE =
  /^SEARCH (transactions|t) USING (COVERING )?INDEX transactions_source_date \(source=\? AND sale_date>\? AND sale_date<\?\)$/;

const windows: [string, number | null][] = [
  ["all", null],
  ["24h", NOW - 24 * HOUR],
  ["90m", NOW - 90 * 60_000],
  ["1h", NOW - HOUR],
  ["5m", NOW - 5 * 60_000],
];
const reads: [string, () => Promise<unknown>][] = [
  [
    "summary",
    () => getSummary(db, { now: NOW, rateWindowMs: 5 * 60_000, pollIntervalMs: 30_000, source: "wifi" }),
  ],
  [
    "summary, 1h rate",
    () => getSummary(db, { now: NOW, rateWindowMs: HOUR, pollIntervalMs: 30_000, source: "wifi" }),
  ],
  ...windows.flatMap(([name, sinceMs]): [string, () => Promise<unknown>][] => [
    [
      `merchants ${name}`,
      () => getMerchantLeaderboard(db, { metric: "volume", sinceMs, limit: 10, source: "wifi" }),
    ],
    [
      `products ${name}`,
      () => getProductLeaderboard(db, { metric: "transactions", sinceMs, limit: 10, source: "wifi" }),
    ],
  ]),
  ...[
    [HOUR, 60_000],
    [3 * HOUR, 60_000],
    [24 * HOUR, HOUR],
    [5 * 60_000, 10_000],
  ].map(([windowMs = 0, bucketMs = 0]): [string, () => Promise<unknown>] => [
    `timeseries ${windowMs / 60_000} min by ${bucketMs / 1000} s`,
    () => getTimeseries(db, { now: NOW, windowMs, bucketMs, source: "wifi" }),
  ]),
];

describe("filtered reads do not scan sales", () => {
  it.each(reads)(
    "%s reads sales only through (source, sale_date), bounded on both sides",
    async (_n, read) => {
      const plans = await plansOf(read);
      expect(plans.length).toBeGreaterThan(0);
      for (const plan of plans)
        for (const row of salesRows(plan)) expect(row, plan.join("\n")).toMatch(BOUNDED_BY_SOURCE);
    },
  );

  it("all-time figures and the summary's totals read no sales at all", async () => {
    for (const read of [
      () => getMerchantLeaderboard(db, { metric: "volume", sinceMs: null, limit: 10, source: "wifi" }),
      () => getProductLeaderboard(db, { metric: "volume", sinceMs: null, limit: 10, source: "wifi" }),
    ]) {
      for (const plan of await plansOf(read)) expect(salesRows(plan), plan.join("\n")).toEqual([]);
    }
    // The summary's one statement on sales is its rate's raw leading part (checked above).
    const summary = await plansOf(() =>
      getSummary(db, { now: NOW, rateWindowMs: 5 * 60_000, pollIntervalMs: 30_000, source: "wifi" }),
    );
    expect(summary.filter((p) => salesRows(p).length > 0).length).toBe(1);
  });

  it("the filtered ticker walks the (source, sale_date) index newest first and sorts nothing", async () => {
    const [plan = []] = await plansOf(() => getTicker(db, 20, "wifi"));
    expect(salesRows(plan)).toEqual([
      expect.stringMatching(/^SEARCH t USING INDEX transactions_source_date \(source=\?\)$/),
    ]);
    expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
    const rows = await getTicker(db, 20, "wifi");
    expect(rows.length).toBe(20);
    expect(rows.every((r) => r.source === "wifi")).toBe(true);
  });

  it("one merchant's export of one source walks the merchant's (merchant_id, sale_date) index and sorts nothing", async () => {
    // The source's index would walk every merchant's sales of that source: exports.ts hides t.source
    // from the planner (t.source || '', one text for both engines where SQLite alone had +t.source).
    // With these statistics SQLite would choose the merchant's index anyway; this pins the plan the
    // portable text must keep.
    for (const kind of ["sales", "lines"] as const) {
      const filter = { merchantId: "m3", source: "pwf", fromMs: NOW - 10 * HOUR, toMs: NOW };
      const [plan = []] = await plansOf(() => readExportBatch(db, { kind, filter, after: null, limit: 50 }));
      expect(salesRows(plan), plan.join("\n")).toEqual([
        expect.stringMatching(
          /^SEARCH t USING INDEX transactions_merchant_date \(merchant_id=\? AND sale_date>\? AND sale_date<\?\)$/,
        ),
      ]);
      expect(plan.join("\n")).not.toMatch(/TEMP B-TREE/);
    }
  });

  it("the filtered answers are the unfiltered ones' share (sanity of the data the plans ran on)", async () => {
    const wifi = await getSummary(db, {
      now: NOW,
      rateWindowMs: HOUR,
      pollIntervalMs: 30_000,
      source: "wifi",
    });
    const pwf = await getSummary(db, { now: NOW, rateWindowMs: HOUR, pollIntervalMs: 30_000, source: "pwf" });
    const all = await getSummary(db, { now: NOW, rateWindowMs: HOUR, pollIntervalMs: 30_000 });
    expect(wifi.total_transactions).toBe(50);
    expect(pwf.total_transactions + wifi.total_transactions).toBe(all.total_transactions);
    expect(pwf.transactions_per_minute + wifi.transactions_per_minute).toBeCloseTo(
      all.transactions_per_minute,
      1,
    );
  });
});
