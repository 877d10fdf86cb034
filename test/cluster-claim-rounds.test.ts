/**
 * The lease schedule keeps its slots busy (issue 18, one poller per merchant across instances, every
 * merchant polled each interval): a poll that ends hands its slot to the next due merchant at once,
 * instead of at the next claim round. Here the rounds are an hour apart and one poll runs at a time,
 * so only that hand-over can poll the merchants after the first one (the wait fails otherwise).
 */
import { describe, expect, it } from "vitest";
import { PollLeases } from "../src/cluster/poll-leases.js";
import { LeasePoller } from "../src/ingest/lease-schedule.js";
import type { PollOutcome } from "../src/ingest/poll-types.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { captureLogger } from "./support/log.js";
import { until } from "./support/server-process.js";
import { twoPoolsOnOneDatabase } from "./support/two-pools.js";

const HOUR = 3_600_000;
const pools = twoPoolsOnOneDatabase(["rounds-a", "rounds-b"]);

describe("lease schedule claim rounds", () => {
  it("a finished poll's slot polls the next due merchant without waiting for the next round", async () => {
    const now = Date.now();
    const ids = ["m1", "m2", "m3", "m4"];
    for (const id of ids) await upsertMerchant(pools.one.db, { id, public_key: `pk-${id}`, alias: id }, now);
    const outcomes: PollOutcome[] = [];
    const poller = new LeasePoller({
      db: pools.one.db,
      fetchMerchant: async () => ({ sales: [], products: [], skipped: [], skippedCount: 0, digest: "d" }),
      sourceClients: {},
      intervalMs: HOUR,
      claimEveryMs: HOUR,
      concurrency: 1,
      log: captureLogger().log,
      onOutcome: (o) => outcomes.push(o),
      leases: new PollLeases(pools.one.db),
      ownerId: "a",
      leaseMs: HOUR,
    });
    poller.start();
    try {
      await until("every merchant polled", () => outcomes.length === ids.length, 30_000);
    } finally {
      await poller.stop();
    }
    expect(outcomes.map((o) => o.merchantId).sort()).toEqual(ids);
    expect(outcomes.every((o) => o.kind === "ok")).toBe(true);
  });
});
