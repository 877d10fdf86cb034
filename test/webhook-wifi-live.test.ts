import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../src/config/config.js";
import { createService as createInline, type Service } from "../src/service.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import { openStream, type SseClient, waitFor } from "./support/sse.js";

/*
 * The webhook through the service as main.ts builds it: the sale is stored by the ingest thread and
 * reaches /v1/stream (sale, milestone and summary events) within the test's bounded wait; the query's
 * secret never reaches a log line. Also: a failure to fire milestones keeps the sale and is logged.
 */

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const built = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof createInline;
};

const HASH = "3f9a1c0b4e5d6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a";
const SECRET = "webhook-secret-5f1d";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(over: Partial<Config>, ingest: "thread" | "inline") {
  const dir = mkdtempSync(join(tmpdir(), "webhook-wifi-"));
  const captured = captureLogger();
  const create = ingest === "thread" ? built.createService : createInline;
  const service: Service = await create(testConfig({ dbPath: join(dir, "pos.db"), ...over }), {
    log: captured.log,
    ingest,
    readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
  });
  await service.start();
  const base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
  const clients: SseClient[] = [];
  cleanups.push(async () => {
    for (const c of clients) c.close();
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const stream = async () => {
    const c = await openStream(`${base}/v1/stream`);
    clients.push(c);
    return c;
  };
  return { service, base, stream, lines: captured.lines };
}

const admin = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };
const webhook = (base: string, query: string, body: Record<string, unknown>) =>
  fetch(`${base}/v1/webhooks/wifi${query}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

const eventsNamed = (c: SseClient, name: string) =>
  c.events
    .filter((e) => e.event === name)
    .map((e) => JSON.parse(e.data ?? "null") as Record<string, unknown>);

describe("a webhook sale on the running service", () => {
  it("is stored by the ingest thread and pushed to screens with its milestone and totals", async () => {
    const { base, stream, lines } = await serve({ webhookSecret: SECRET }, "thread");
    const milestone = await fetch(`${base}/v1/admin/milestones`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "First WiFi", type: "transactions", threshold: 1 }),
    });
    expect(milestone.status).toBe(201);
    const screen = await stream();

    const res = await webhook(base, `?secret=${SECRET}`, {
      payment_hash: HASH,
      amount: 2_100_999,
      comment: null,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", inserted: 1, amount_sats: 2100 });

    await waitFor(
      () => eventsNamed(screen, "milestone").length === 1 && eventsNamed(screen, "summary").length > 0,
    );
    expect(eventsNamed(screen, "sale")).toEqual([
      expect.objectContaining({
        sale_id: 1_118_898_048_263_638,
        merchant_id: "wifi",
        merchant_alias: "WiFi Upgrades",
        amount_sats: 2100,
        source: "wifi",
        external_id: HASH,
      }),
    ]);
    expect(eventsNamed(screen, "milestone")[0]).toMatchObject({ name: "First WiFi", total_transactions: 1 });
    expect(eventsNamed(screen, "summary").at(-1)).toMatchObject({
      total_transactions: 1,
      total_volume_sats: 2100,
    });
    // Nothing polled it, so no merchant-health event claims it was.
    expect(eventsNamed(screen, "merchant")).toEqual([]);

    // A redelivery: stored nothing, so nothing new is pushed.
    const again = await webhook(base, "", { payment_hash: HASH, amount: 2_100_999 });
    expect(again.status).toBe(401);
    const redelivered = await fetch(`${base}/v1/webhooks/wifi`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-secret": SECRET },
      body: JSON.stringify({ payment_hash: HASH, amount: 2_100_999 }),
    });
    expect(await redelivered.json()).toEqual({ status: "ok", inserted: 0, amount_sats: 2100 });
    const summary = await (await fetch(`${base}/v1/summary`)).json();
    expect(summary).toMatchObject({ total_transactions: 1, total_volume_sats: 2100, total_merchants: 1 });
    expect(eventsNamed(screen, "sale")).toHaveLength(1);

    // The secret sent in the query (and in the header) never reaches a log line.
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(SECRET);
    const requestLines = lines.filter(
      (l) => typeof l.path === "string" && l.path.startsWith("/v1/webhooks/wifi"),
    );
    expect(requestLines.map((l) => l.path)).toEqual([
      "/v1/webhooks/wifi?secret=[redacted]",
      "/v1/webhooks/wifi",
      "/v1/webhooks/wifi",
    ]);
  });

  it("is kept when its milestones cannot be fired; the failure is logged, not answered", async () => {
    const { service, base, lines } = await serve({}, "inline");
    const db = service.inline?.database.db;
    if (!db) throw new Error("inline ingest exposes its database");
    await fetch(`${base}/v1/admin/milestones`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "First WiFi", type: "transactions", threshold: 1 }),
    });
    // A real SQLite failure inside the milestone step (as a broken table would give).
    await sql`create trigger no_triggers before insert on milestone_triggers
      begin select raise(abort, 'milestone_triggers is broken'); end`.execute(db);

    const res = await webhook(base, "", { payment_hash: HASH, amount: 5_000_000 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", inserted: 1, amount_sats: 5000 });
    const milestones = await db.selectFrom("milestones").select("triggered_at").execute();
    expect(milestones).toEqual([{ triggered_at: null }]);
    expect(await (await fetch(`${base}/v1/summary`)).json()).toMatchObject({ total_transactions: 1 });
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual([
      `milestones could not be evaluated after wifi sale 1118898048263638: milestone_triggers is broken`,
    ]);

    // Mended, the next sale fires it.
    await sql`drop trigger no_triggers`.execute(db);
    await webhook(base, "", { payment_hash: "e".repeat(64), amount: 1000 });
    expect(await db.selectFrom("milestone_triggers").select("total_transactions").execute()).toEqual([
      { total_transactions: 2 },
    ]);
  });
});
