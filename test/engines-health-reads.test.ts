import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDataHealth } from "../src/store/data-health.js";
import type { Db } from "../src/store/db.js";
import { toDataHealth } from "../src/store/shapes-health.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";
import { expectAnswer } from "./support/read-expect.js";
import { HOUR, MINUTE, NOW, seedReads } from "./support/read-fixture.js";

/*
 * The admin's data health rows on SQLite and PostgreSQL: the same rows (read-fixture.ts) give the
 * same fixed answers, in the same order, and so the same verdicts.
 */

const figure = (
  merchant_id: string,
  product_id: number,
  name: string,
  transactions: number,
  revenue_sats: number,
) => ({ merchant_id, product_id, name, transactions, revenue_sats });

describe.each(ENGINES)("data health reads on %s", (engine) => {
  let store: EngineStore;
  let db: Db;
  beforeAll(async () => {
    store = await openStore(engine);
    db = store.db;
    await seedReads(db);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("data health rows: merchants by alias then id, product figures by key", async () => {
    const rows = await readDataHealth(db, {});
    const m = rows.merchants;
    expectAnswer(
      m.map((r) => r.id),
      ["alpha", "aoff", "beta", "wifi1"],
    );
    expectAnswer(m[0], {
      id: "alpha",
      alias: "Alpha",
      source: "pwf",
      enabled: 1,
      last_polled_at: NOW - 10_000,
      last_error: null,
      consecutive_failures: 0,
      total_failures: 2,
      last_failure: "HTTP 502",
      last_failed_at: NOW - 2 * HOUR,
      skipped_rows: 1,
      skipped_rows_total: 4,
    });
    expectAnswer(m[2], {
      id: "beta",
      alias: "Beta",
      source: "pwf",
      enabled: 1,
      last_polled_at: null,
      last_error: "timeout",
      consecutive_failures: 3,
      total_failures: 3,
      last_failure: "timeout",
      last_failed_at: NOW - MINUTE,
      skipped_rows: 0,
      skipped_rows_total: 0,
    });
    expectAnswer(rows.sourceProducts, [
      figure("alpha", 1, "Coffee", 5, 2_000_000_010),
      figure("alpha", 2, "Tea", 2, 2_999_999_997),
      figure("alpha", 3, "Gone", 4, 400),
      figure("beta", 9, "Cake", 1, 1235),
      figure("beta", 10, "Pie", 1, 1235),
      figure("beta", 11, "Unsold", 0, 0),
    ]);
    expectAnswer(rows.storedProducts, [
      figure("alpha", 1, "", 2, 2_000_000_003),
      figure("alpha", 2, "", 2, 2_999_999_997),
      figure("beta", 9, "", 1, 1235),
    ]);
  });

  it("data health answer: freshness and the product totals verdict from those rows", async () => {
    const health = toDataHealth(await readDataHealth(db, {}), {
      now: NOW,
      intervalMs: 30_000,
      backoffCeilingMs: () => 0,
    });
    expectAnswer(
      health.merchants.map((r) => [r.merchant_id, r.freshness, r.products.verdict]),
      [
        ["alpha", "fresh", "disagree"],
        ["aoff", "not_polled", "unknown"],
        ["beta", "never", "unknown"],
        ["wifi1", "not_polled", "unknown"],
      ],
    );
    const alpha = health.merchants[0]?.products;
    expect(alpha).toMatchObject({
      products_compared: 3,
      products_differing: 2,
      transactions_difference: -7,
      revenue_sats_difference: -407,
    });
    expectAnswer(
      alpha?.differences.map((d) => [d.product_id, d.name]),
      [
        [3, "Gone"],
        [1, "Coffee"],
      ],
    );
  });
});
