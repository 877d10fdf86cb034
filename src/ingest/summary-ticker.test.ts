import { afterEach, describe, expect, it } from "vitest";
import type { Summary } from "../contract/index.js";
import { getSummary } from "../store/dashboard.js";
import { type OpenedDatabase, openDatabase } from "../store/db.js";
import { SummaryTicker } from "./summary-ticker.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
let store: OpenedDatabase | undefined;
let ticker: SummaryTicker | undefined;
afterEach(async () => {
  ticker?.stop();
  await store?.close();
});

async function start(everyMs: number) {
  store = await openDatabase(":memory:");
  const db = store.db;
  const emitted: Summary[] = [];
  let reads = 0;
  ticker = new SummaryTicker({
    read: () => {
      reads++;
      return getSummary(db, {
        now: Date.parse("2025-11-10T12:00:10Z"),
        rateWindowMs: 300_000,
        pollIntervalMs: 30_000,
      });
    },
    emit: (s) => emitted.push(s),
    everyMs,
  });
  return { ticker, emitted, reads: () => reads };
}

describe("SummaryTicker", () => {
  it("reads and emits one summary for a burst of stored polls, from the store", async () => {
    const { ticker, emitted, reads } = await start(50);
    ticker.poke();
    ticker.poke();
    ticker.poke();
    await pause(120);
    expect(reads()).toBe(1);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ total_transactions: 0, fiat_volume: [] });
  });

  it("while polls keep storing, emits at most one per window, and one after the last", async () => {
    const { ticker, emitted } = await start(80);
    ticker.poke();
    await pause(20);
    ticker.poke(); // the first has gone out: the next waits for the window's end
    await pause(20);
    expect(emitted).toHaveLength(1);
    ticker.poke(); // already scheduled: no third read
    await pause(120);
    expect(emitted).toHaveLength(2);
  });

  it("emits nothing once stopped", async () => {
    const { ticker, emitted } = await start(20);
    ticker.poke();
    ticker.stop();
    await pause(60);
    expect(emitted).toEqual([]);
  });
});
