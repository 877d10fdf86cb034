/**
 * Live push on every instance (issue 18): two real services (createService, ingest inline) on one
 * PostgreSQL database of the run's throwaway cluster, as two instances behind a load balancer. What
 * one stores reaches the other's stream clients (a real SSE stream on a port), its cached answers
 * refresh, and after its LISTEN connection is cut it catches up on what it missed. Waits only wait for
 * something to happen; nothing is timed.
 */
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Health, Merchant } from "../src/contract/index.js";
import type { Service } from "../src/service.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { admin, auth, clusterHarness, hash, named, WAIT_MS, wifiSale } from "./support/cluster-instances.js";
import type { SseClient } from "./support/sse.js";
import { waitFor } from "./support/sse.js";
import { posBody, saleRow } from "./support/upstream.js";

const { twoInstances, stream, call, cutListening } = clusterHarness();

describe("live push across instances on one PostgreSQL", () => {
  it("a sale stored by A reaches B's stream clients as a sale and a summary", async () => {
    const { a, b } = await twoInstances();
    const onB = await stream(b);
    expect((await wifiSale(a, 1)).kind).toBe("stored");
    await waitFor(() => named(onB, "sale").length === 1, WAIT_MS);
    expect(named(onB, "sale")[0]).toMatchObject({
      merchant_id: "wifi",
      amount_sats: 1001,
      external_id: hash(1),
      source: "wifi",
    });
    await waitFor(() => named(onB, "summary").some((s) => s.total_volume_sats === 1001), WAIT_MS);
    // Each sale once: B's own ingest stored nothing, and B hears A's message once.
    expect((await wifiSale(a, 2)).kind).toBe("stored");
    await waitFor(() => named(onB, "sale").length === 2, WAIT_MS);
    expect(named(onB, "sale").map((s) => s.external_id)).toEqual([hash(1), hash(2)]);
  });

  it("a poll stored by A: B publishes its newest sales (a hundred of 250, too many to name) and its milestone", async () => {
    const { a, b } = await twoInstances();
    const onB = await stream(b);
    await call(a, "POST", "/v1/admin/merchants", { id: "m1", public_key: "k-m1", alias: "Coffee" });
    await call(a, "POST", "/v1/admin/milestones", {
      name: "First 200",
      type: "transactions",
      threshold: 200,
    });
    const sales = Array.from({ length: 250 }, (_, i) =>
      saleRow(i + 1, 100, new Date(Date.parse("2025-11-10T12:00:00Z") + i * 1000).toISOString()),
    );
    const db = a.inline?.database.db;
    if (!db) throw new Error("inline ingest exposes its database");
    const stored = await applyPoll(db, "m1", parsePosPayload(posBody(sales)), Date.now());
    expect(stored?.storedCount).toBe(250);
    await waitFor(() => named(onB, "milestone").length === 1, WAIT_MS);
    expect(named(onB, "milestone")[0]).toMatchObject({ name: "First 200", total_transactions: 250 });
    // Oldest first, as the local feed publishes a poll's newest hundred.
    expect(named(onB, "sale").map((s) => s.sale_id)).toEqual(Array.from({ length: 100 }, (_, i) => 151 + i));
    await waitFor(() => named(onB, "summary").some((s) => s.total_transactions === 250), WAIT_MS);
  });

  it("an operator's change on A shows in B's cached answers and is pushed as B's own event", async () => {
    const { a, b } = await twoInstances();
    const onB = await stream(b);
    expect(await call(b, "GET", "/v1/summary")).toMatchObject({ total_merchants: 0 });
    await call(a, "POST", "/v1/admin/merchants", { id: "m1", public_key: "k-m1", alias: "Coffee" });
    // B's answer was cached for a minute: only A's announcement refreshes it.
    await expect
      .poll(async () => (await call(b, "GET", "/v1/summary")).total_merchants, { timeout: WAIT_MS })
      .toBe(1);

    await call(a, "PUT", "/v1/admin/scenes/products", { enabled: false });
    await waitFor(() => named(onB, "scenes").length === 1, WAIT_MS);
    const pushed = named(onB, "scenes")[0]?.scenes as { id: string }[];
    expect(pushed.map((s) => s.id)).not.toContain("products");
    expect(pushed).toEqual(await (await fetch(`${base(b)}/v1/scenes`)).json());

    await call(a, "PUT", "/v1/admin/event", { name: "Adopting Bitcoin" });
    await waitFor(() => named(onB, "event").length === 1, WAIT_MS);
    expect(named(onB, "event")[0]).toMatchObject({ name: "Adopting Bitcoin" });
  });

  it("B's cut LISTEN connection: health degraded, then ok, and a sale stored meanwhile reaches B's screens", async () => {
    const { a, b, databaseName } = await twoInstances();
    const onB = await stream(b);
    const health = async () => (await b.app.inject({ url: "/v1/health" })).json() as Health;
    expect(await health()).toEqual({ status: "ok" });
    // A connection of A's pool is open before new ones are refused: A can still store.
    expect((await wifiSale(a, 1)).kind).toBe("stored");
    await waitFor(() => named(onB, "sale").length === 1, WAIT_MS);

    await cutListening(b, databaseName);
    await expect.poll(async () => (await health()).status, { timeout: WAIT_MS }).toBe("degraded");
    expect((await health()).live_push?.error).toMatch(/not hearing the other instances' writes/);
    expect((await wifiSale(a, 2)).kind).toBe("stored");

    await admin(`alter database ${databaseName} allow_connections true`);
    await expect.poll(async () => (await health()).status, { timeout: WAIT_MS }).toBe("ok");
    await waitFor(() => named(onB, "sale").length === 2, WAIT_MS);
    expect(named(onB, "sale").map((s) => s.external_id)).toEqual([hash(1), hash(2)]);
    await waitFor(() => named(onB, "summary").some((s) => s.total_volume_sats === 1001 + 1002), WAIT_MS);
  });

  it("a merchant's health A's poll changed reaches B's screens, and one changed while B was not listening too", async () => {
    const { a, b, databaseName } = await twoInstances();
    const onB = await stream(b);
    const failing = async (id: string) => {
      await call(a, "POST", "/v1/admin/merchants", { id, public_key: `k-${id}`, alias: `Shop ${id}` });
      // Nothing answers on the configured upstream: A's poll fails.
      await call(a, "POST", `/v1/admin/merchants/${id}/refetch`);
      const failures = async () => {
        const res = await a.app.inject({ url: "/v1/admin/merchants", headers: auth });
        return (res.json() as Merchant[]).find((m) => m.id === id)?.consecutive_failures;
      };
      await expect.poll(failures, { timeout: WAIT_MS }).toBeGreaterThan(0);
    };
    await failing("m1");
    await waitFor(() => named(onB, "merchant").length === 1, WAIT_MS);
    expect(named(onB, "merchant")).toEqual([{ id: "m1", alias: "Shop m1", healthy: false }]);

    await cutListening(b, databaseName);
    await failing("m2");
    await admin(`alter database ${databaseName} allow_connections true`);
    await waitFor(() => named(onB, "merchant").length === 2, WAIT_MS);
    // From the stored poll state; m1, unchanged, is not published again.
    expect(named(onB, "merchant")[1]).toEqual({ id: "m2", alias: "Shop m2", healthy: false });
  });

  it("A not listening still shows its own sales at once, and not again once it listens", async () => {
    const { a, databaseName } = await twoInstances();
    const onA = await stream(a);
    const health = async () => (await a.app.inject({ url: "/v1/health" })).json() as Health;
    await cutListening(a, databaseName);
    await expect.poll(async () => (await health()).status, { timeout: WAIT_MS }).toBe("degraded");
    expect((await wifiSale(a, 1)).kind).toBe("stored");
    await waitFor(() => named(onA, "sale").length === 1, WAIT_MS);
    // Out of the shared order: its id names no position, so no other instance resumes from it.
    expect(onA.events.find((e) => e.event === "sale")?.id).toMatch(/^\d+$/);
    await admin(`alter database ${databaseName} allow_connections true`);
    await expect.poll(async () => (await health()).status, { timeout: WAIT_MS }).toBe("ok");
    expect((await wifiSale(a, 2)).kind).toBe("stored");
    await waitFor(() => named(onA, "sale").length >= 2, WAIT_MS);
    expect(named(onA, "sale").map((s) => s.external_id)).toEqual([hash(1), hash(2)]);
  });

  it("a client of A resuming on B gets what it missed there, once, and a reset for what B cannot place", async () => {
    const { a, b } = await twoInstances();
    const onA = await stream(a);
    const onB = await stream(b);
    await wifiSale(a, 1);
    await wifiSale(b, 2);
    // Each instance publishes its own sales as it hears them, in the order they were committed.
    await waitFor(() => named(onA, "sale").length === 2 && named(onB, "sale").length === 2, WAIT_MS);
    const order = (c: SseClient) => named(c, "sale").map((s) => s.external_id);
    expect(order(onA)).toEqual(order(onB));
    const seen = onA.events.find((e) => e.event === "sale")?.id ?? "";
    expect(seen).toMatch(/^\d+\.s\d+$/);
    await wifiSale(a, 3);
    await waitFor(() => named(onB, "sale").length === 3, WAIT_MS);

    const resumed = await stream(b, { "last-event-id": seen });
    await waitFor(() => named(resumed, "sale").length === 2, WAIT_MS);
    expect(order(resumed)).toEqual(order(onB).slice(1));
    expect(named(resumed, "reset")).toEqual([]);
    // From here on the client holds B's ids: a further resume on B goes by number.
    await wifiSale(a, 4);
    await waitFor(() => named(resumed, "sale").length === 3 && named(onA, "sale").length === 4, WAIT_MS);
    expect(new Set(order(onA)).size).toBe(4);

    const unknown = await stream(b, { "last-event-id": "12.s999999999" });
    await waitFor(() => unknown.events.some((e) => e.event !== undefined), WAIT_MS);
    expect(unknown.events.find((e) => e.event !== undefined)?.event).toBe("reset");
  });
});

function base(s: Service): string {
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
}
