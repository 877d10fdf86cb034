import { afterEach, describe, expect, it } from "vitest";
import type { WebhookDelivery } from "../src/contract/index.js";
import { addMerchant, addMilestone, ingest, sale, send, upstreamDate } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { captureLogger } from "./support/log.js";
import {
  eventually,
  type Received,
  type Reply,
  signatureValid,
  startReceiver,
} from "./support/webhook-receiver.js";

/*
 * Deliveries against a real receiver on 127.0.0.1: signed over the exact bytes, retried on 500 and on a
 * timeout under the same delivery id, one at a time per webhook in the order they were written, and a
 * receiver that hangs holds back neither polls nor the other webhooks.
 */

const SECRET = "receiver-secret-0123456789abcdef";
const T0 = Date.parse("2025-11-10T14:30:00Z");
let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let logs: ReturnType<typeof captureLogger>;

/** A receiver that answers at all answers well within 5 s, even on a loaded machine; the hang test sets 300 ms. */
async function setUp(reply: (r: Received, nth: number) => Reply = () => 200, webhookTimeoutMs = 5000) {
  logs = captureLogger();
  t = await makeTestApp({ log: logs.log, webhookTimeoutMs, webhookMaxAttempts: 3 });
  receiver = await startReceiver(reply);
  await addMerchant(t, "m1", "Coffee");
  t.deliveries.start();
}
afterEach(async () => {
  await t.close();
  await receiver.close();
});

async function addWebhook(events: string[], url = receiver.url): Promise<number> {
  const res = await send(t, "POST", "/v1/admin/webhooks", { url, secret: SECRET, events });
  expect(res.status).toBe(201);
  return (res.body as { id: number }).id;
}

async function deliveries(id: number): Promise<WebhookDelivery[]> {
  const res = await t.app.inject({
    method: "GET",
    url: `/v1/admin/webhooks/${id}/deliveries`,
    headers: t.auth,
  });
  return res.json();
}

const sales = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) =>
    sale(to - i, 100 * (to - i), upstreamDate(T0 + (to - i) * 1000)),
  );

describe("outgoing webhooks", () => {
  it("POSTs the trigger record, signed over the exact body, and logs it delivered", async () => {
    await setUp();
    const hook = await addWebhook(["milestone"]);
    await addMilestone(t, { name: "Two sales", type: "transactions", threshold: 2 });
    await ingest(t, "m1", sales(1, 2));
    await receiver.waitFor(1);
    const [got] = receiver.seen as [Received];
    expect(got.headers["content-type"]).toBe("application/json");
    expect(got.headers["x-webhook-event"]).toBe("milestone");
    expect(signatureValid(got, SECRET)).toBe(true);
    expect(signatureValid({ ...got, raw: Buffer.from(JSON.stringify(got.json)) }, `${SECRET}x`)).toBe(false);
    const triggers = await t.app.inject({ url: "/v1/milestones/triggers?since=2025-11-10T00:00:00Z" });
    expect(got.json).toEqual(triggers.json()[0]);
    expect(got.raw.toString("utf8")).toBe(JSON.stringify(triggers.json()[0]));
    const log = await eventually(async () => {
      const [d] = await deliveries(hook);
      expect(d?.status).toBe("delivered");
      return d as WebhookDelivery;
    });
    expect(log).toMatchObject({ id: got.deliveryId, event: "milestone", attempts: 1, last_status_code: 200 });
    expect(log.last_error).toBeUndefined();
  });

  it("sends each sale in the ticker's shape to sale webhooks only, oldest first", async () => {
    await setUp();
    const saleHook = await addWebhook(["sale"]);
    const milestoneHook = await addWebhook(["milestone"], `${receiver.url}/milestones`);
    await ingest(t, "m1", sales(1, 3));
    await receiver.waitFor(3);
    const ticker = (await t.app.inject({ url: "/v1/ticker?limit=3" })).json();
    expect(receiver.seen.map((r) => r.json)).toEqual([...ticker].reverse());
    expect(receiver.seen.every((r) => r.path === "/hook" && signatureValid(r, SECRET))).toBe(true);
    expect(new Set(receiver.seen.map((r) => r.deliveryId)).size).toBe(3);
    expect(await deliveries(milestoneHook)).toEqual([]);
    await eventually(async () =>
      expect((await deliveries(saleHook)).map((d) => d.status)).toEqual(Array(3).fill("delivered")),
    );
  });

  it("retries a 500 with the same delivery id, and sends the next delivery only after it", async () => {
    await setUp((_r, nth) => (nth <= 2 ? 500 : 200));
    const hook = await addWebhook(["sale"]);
    await ingest(t, "m1", sales(1, 3));
    await receiver.waitFor(5);
    const ids = receiver.seen.map((r) => r.deliveryId);
    const saleIds = receiver.seen.map((r) => (r.json as { sale_id: number }).sale_id);
    expect(saleIds).toEqual([1, 1, 1, 2, 3]);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[1]).toBe(ids[2]);
    expect(new Set(ids).size).toBe(3);
    const log = await eventually(async () => {
      const d = await deliveries(hook);
      expect(d.map((x) => x.status)).toEqual(["delivered", "delivered", "delivered"]);
      return d;
    });
    expect(log[2]).toMatchObject({ id: ids[0], attempts: 3, last_status_code: 200 });
  });

  it("retries a receiver that does not answer within WEBHOOK_TIMEOUT, then gives up after the last attempt", async () => {
    await setUp((_r, nth) => (nth === 1 ? "hang" : 500), 300);
    const hook = await addWebhook(["sale"]);
    await ingest(t, "m1", sales(1, 2));
    await receiver.waitFor(4);
    expect(receiver.seen.slice(0, 3).map((r) => (r.json as { sale_id: number }).sale_id)).toEqual([1, 1, 1]);
    expect(new Set(receiver.seen.slice(0, 3).map((r) => r.deliveryId)).size).toBe(1);
    // Given up after three attempts, the webhook's next delivery goes.
    expect(receiver.seen[3]?.json).toMatchObject({ sale_id: 2 });
    const first = await eventually(async () => {
      const d = (await deliveries(hook)).at(-1) as WebhookDelivery;
      expect(d.status).toBe("failed");
      return d;
    });
    expect(first).toMatchObject({ attempts: 3, last_status_code: 500, last_error: "HTTP 500" });
    const given = logs.lines.find((l) => l.msg.includes("given up"));
    expect(given?.msg).toContain(first.id);
    expect(logs.lines.some((l) => l.msg.includes("timed out after 300 ms"))).toBe(true);
    expect(JSON.stringify(logs.lines)).not.toContain(SECRET);
  });

  it("a hanging receiver delays neither polls nor another webhook", async () => {
    const events: string[] = [];
    // The slow receiver never answers within the test (its timeout is a minute).
    const reply = (r: Received): Reply => {
      events.push(`received ${(r.json as { sale_id: number }).sale_id} at ${r.path}`);
      return r.path === "/hook" ? "hang" : 200;
    };
    await setUp(reply, 60_000);
    await addWebhook(["sale"]);
    const other = await addWebhook(["sale"], `${receiver.url}/fast`);
    await ingest(t, "m1", sales(1, 2));
    await receiver.waitFor(1);
    events.push("poll 2 starts");
    await ingest(t, "m1", sales(1, 4));
    events.push("poll 2 stored");
    const ticker = (await t.app.inject({ url: "/v1/ticker?limit=10" })).json();
    expect(ticker.map((s: { sale_id: number }) => s.sale_id)).toEqual([4, 3, 2, 1]);
    await eventually(async () =>
      expect((await deliveries(other)).filter((d) => d.status === "delivered")).toHaveLength(4),
    );
    // The slow webhook has had its first delivery in flight all along, and nothing after it.
    expect(events.filter((e) => e.endsWith("/hook"))).toEqual(["received 1 at /hook"]);
    expect(events.indexOf("poll 2 stored")).toBeGreaterThan(events.indexOf("poll 2 starts"));
  });
});
