/**
 * Standalone measurement (not part of `npm run bench`): windowed reads on a data set whose sales all fall
 * into the last hour, as at an event an hour after doors open, the raw sale-line count the product
 * leaderboard used before the product rollup against the rollup-based one.
 *   npm run build:server && npx tsc -p tsconfig.bench.json && node dist-bench/bench/product-window.js [sales]
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { getMerchantLeaderboard, getProductLeaderboard, getSummary } from "../src/store/dashboard.js";
import { type Db, openDatabase, openReadConnection } from "../src/store/db.js";
import { rebuildDerived } from "../src/store/rollups.js";

const SALES = Number(process.argv[2] ?? 1_000_000);
const MERCHANTS = 1000;
const PRODUCTS_PER_MERCHANT = 20;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/**
 * Five and a half minutes past an hour: a 1h window then starts 55 minutes into the previous hour (the
 * hourly rollup's worst case), and no window starts exactly on a boundary.
 */
const NOW = Date.parse("2025-11-10T20:05:30Z");
const RUNS = 5;
/** Loading takes minutes on a busy machine: the file is kept for the next run (same sales, same seed). */
const FILE = path.join(os.tmpdir(), `product-window-${SALES}-v1.db`);

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

/** Sales spread evenly over the hour before NOW, 0–3 lines each, popular products picked more often. */
async function load(file: string): Promise<void> {
  await (await openDatabase(file)).close();
  const raw = new BetterSqlite3(file);
  const rand = rng(20_251_110);
  const merchant = raw.prepare(
    "insert into merchants (id, public_key, alias, enabled, created_at, updated_at) values (?, 'k', ?, 1, 0, 0)",
  );
  const product = raw.prepare(
    `insert into products (merchant_id, product_id, name, total_transactions, total_units_sold, total_revenue_sats,
       active, deleted, updated_at) values (?, ?, ?, 1, 1, 1, ?, 0, 0)`,
  );
  const sale = raw.prepare(
    `insert into transactions (merchant_id, sale_id, sale_origin, sale_date, amount_sats, created_at)
     values (?, ?, 'pos', ?, ?, 0)`,
  );
  const line = raw.prepare(
    "insert into sale_lines (merchant_id, sale_id, line_no, product_id, name, quantity, unit_sats) values (?, ?, ?, ?, 'p', ?, ?)",
  );
  raw.transaction(() => {
    for (let m = 0; m < MERCHANTS; m++) {
      merchant.run(`m${m}`, `Merchant ${m}`);
      for (let p = 0; p < PRODUCTS_PER_MERCHANT; p++) product.run(`m${m}`, p, `P${p}`, p === 7 ? 0 : 1);
    }
    for (let i = 0; i < SALES; i++) {
      const m = `m${Math.floor(rand() * MERCHANTS)}`;
      const date = NOW - HOUR + Math.floor((i / SALES) * HOUR);
      sale.run(m, i + 1, date, 1000);
      const lines = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * rand() * 3);
      for (let n = 0; n < lines; n++) {
        line.run(m, i + 1, n, Math.floor(rand() * rand() * PRODUCTS_PER_MERCHANT), 1 + (n % 2), 500);
      }
    }
  })();
  raw.close();
  const store = await openDatabase(file);
  await rebuildDerived(store.db);
  store.optimize();
  await store.close();
}

/** The windowed product leaderboard before the product rollup: every sale line of the window. */
function rawProductLeaderboard(db: Db, sinceMs: number) {
  return sql`
    select l.merchant_id, l.product_id, p.name, count(distinct t.sale_id) as transactions,
      sum(round(l.quantity * l.unit_sats)) as volume_sats
    from transactions t
    join sale_lines l on l.merchant_id = t.merchant_id and l.sale_id = t.sale_id
    join products p on p.merchant_id = l.merchant_id and p.product_id = l.product_id
    where t.sale_date >= ${sinceMs} and p.active = 1 and p.deleted = 0
    group by l.merchant_id, l.product_id, p.name
    order by transactions desc, volume_sats desc, l.merchant_id, l.product_id limit 10`.execute(db);
}

/** Median of `runs` timed runs after one untimed; the raw count takes seconds, so it runs once, cold. */
async function median(run: () => Promise<unknown>, runs = RUNS): Promise<number> {
  if (runs > 1) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] as number;
}

{
  let t = performance.now();
  if (!existsSync(FILE)) {
    const partial = `${FILE}.partial`;
    rmSync(partial, { force: true });
    await load(partial);
    renameSync(partial, FILE);
    console.log(`${SALES} sales in the last hour loaded in ${Math.round(performance.now() - t)} ms`);
  }
  // Opened as the service opens it, so migrations added since the file was made run (and back-fill).
  await (await openDatabase(FILE)).close();
  const reader = openReadConnection(FILE);
  const db = reader.db;
  const windows = { "5m": 5 * MINUTE, "1h": HOUR, "24h": 24 * HOUR };
  for (const [name, ms] of Object.entries(windows)) {
    const since = NOW - ms;
    const products = { metric: "transactions" as const, sinceMs: since, limit: 10 };
    const before = await median(() => rawProductLeaderboard(db, since), 1);
    const after = await median(() => getProductLeaderboard(db, products));
    const merchants = await median(() => getMerchantLeaderboard(db, products));
    console.log(
      `window ${name}: products raw ${before.toFixed(1)} ms, rollup ${after.toFixed(1)} ms; merchants ${merchants.toFixed(1)} ms`,
    );
  }
  t = await median(() => getSummary(db, { now: NOW, rateWindowMs: 5 * MINUTE, pollIntervalMs: 30_000 }));
  console.log(`summary (5m rate): ${t.toFixed(1)} ms`);
  await reader.close();
}
