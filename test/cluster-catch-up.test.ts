/**
 * Catching up after a time without listening (issue 18: "no sale … is missed on any screen"). Row
 * ids are handed out in insertion order, rows appear in commit order: a transaction that took its id
 * before another's and committed after it, while B was not listening, left a sale below B's marks.
 * Two real services on one PostgreSQL database; the slow transaction is a client of the test's own.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { Health } from "../src/contract/index.js";
import { admin, clusterHarness, hash, named, WAIT_MS, wifiSale } from "./support/cluster-instances.js";
import { waitFor } from "./support/sse.js";

const { twoInstances, stream, call, cutListening, cleanups } = clusterHarness();

async function slowWriter(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // The database's drop at the test's end may end it first.
  client.on("error", () => {});
  await client.connect();
  cleanups.push(() => client.end());
  return client;
}

describe("an instance catching up", () => {
  it("publishes a sale committed unheard below the marks it had reached, and nothing it published already", async () => {
    const { a, b, databaseUrl, databaseName } = await twoInstances();
    const onB = await stream(b);
    const health = async () => (await b.app.inject({ url: "/v1/health" })).json() as Health;
    await call(a, "POST", "/v1/admin/merchants", { id: "m1", public_key: "k-m1", alias: "Coffee" });

    const slow = await slowWriter(databaseUrl);
    await slow.query("begin");
    const now = Date.now();
    const { rows } = await slow.query<{ id: string }>(
      `insert into transactions (merchant_id, sale_id, sale_origin, sale_date, amount_sats, created_at)
       values ('m1', 7, 'pos', $1, 777, $1) returning id`,
      [now],
    );
    // A later sale, with a higher row id, committed first: B hears it and its marks pass the slow one.
    expect((await wifiSale(a, 1)).kind).toBe("stored");
    await waitFor(() => named(onB, "sale").length === 1, WAIT_MS);

    await cutListening(b, databaseName);
    await expect.poll(async () => (await health()).status, { timeout: WAIT_MS }).toBe("degraded");
    await slow.query("commit");
    await admin(`alter database ${databaseName} allow_connections true`);
    await expect.poll(async () => (await health()).status, { timeout: WAIT_MS }).toBe("ok");

    await waitFor(() => named(onB, "sale").length === 2, WAIT_MS);
    expect(named(onB, "sale").map((s) => s.external_id ?? `${s.merchant_id}:${s.sale_id}`)).toEqual([
      hash(1),
      "m1:7",
    ]);
    expect(Number(rows[0]?.id)).toBeLessThan(
      Number(onB.events.find((e) => e.event === "sale")?.id?.split(".s")[1]),
    );
  });
});
