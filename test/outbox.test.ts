import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nothingStoredYet, storeSaleBatch } from "../src/store/sale-batches.js";
import { storeWebhookSale } from "../src/store/webhook-sale.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { addMerchant, ingest, sale, send, upstreamDate } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { posBody } from "./support/upstream.js";

/*
 * Every path that stores sales writes their sale deliveries in its own transaction: a plain poll, a
 * streamed poll's batches, a WiFi webhook's sale; and a sale long before the webhook existed is not news.
 * The bodies are the ticker's rows.
 */

const SECRET = "outbox-secret-0123456789abcdef";
let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await addMerchant(t, "m1", "Coffee");
  const hook = { url: "http://127.0.0.1:9/hook", secret: SECRET, events: ["sale"] };
  expect((await send(t, "POST", "/v1/admin/webhooks", hook)).status).toBe(201);
});
afterEach(() => t.close());

const outbox = () =>
  t.store.db.selectFrom("webhook_deliveries").select(["event", "body", "status"]).orderBy("id").execute();

describe("the outbox", () => {
  it("holds one pending delivery per new sale of each path, in the ticker's shape", async () => {
    const now = t.clock.now;
    await ingest(t, "m1", [sale(2, 200, upstreamDate(now - 1000)), sale(1, 100, upstreamDate(now - 2000))]);
    const batch = parsePosPayload(posBody([sale(3, 300, upstreamDate(now - 500))])).sales;
    expect(await storeSaleBatch(t.store.db, "m1", batch, now, nothingStoredYet())).toBe(true);
    const hash = "ab".repeat(32);
    const wifi = await storeWebhookSale(t.store.db, { paymentHash: hash, amountSats: 21, date: now }, now);
    expect(wifi.kind).toBe("stored");
    // Stored again: nothing new, no delivery.
    await ingest(t, "m1", [sale(2, 200, upstreamDate(now - 1000)), sale(1, 100, upstreamDate(now - 2000))]);

    const ticker = (await t.app.inject({ url: "/v1/ticker?limit=10" })).json() as object[];
    const rows = await outbox();
    expect(rows.map((r) => r.event)).toEqual(["sale", "sale", "sale", "sale"]);
    expect(rows.every((r) => r.status === "pending")).toBe(true);
    // The same fields and values as the ticker (the stream's `sale` event orders its keys the same way).
    expect(rows.map((r) => JSON.parse(r.body))).toEqual([...ticker].reverse());
    expect(JSON.parse(rows[3]?.body ?? "{}")).toMatchObject({ source: "wifi", external_id: hash });
  });

  it("leaves out sales dated more than an hour before the webhook was made", async () => {
    const now = t.clock.now;
    await ingest(t, "m1", [
      sale(2, 200, upstreamDate(now - 59 * 60_000)),
      sale(1, 100, upstreamDate(now - 61 * 60_000)),
    ]);
    expect((await outbox()).map((r) => JSON.parse(r.body).sale_id)).toEqual([2]);
  });

  it("goes with its webhook", async () => {
    await ingest(t, "m1", [sale(1, 100, upstreamDate(t.clock.now))]);
    expect(await outbox()).toHaveLength(1);
    expect((await send(t, "DELETE", "/v1/admin/webhooks/1")).status).toBe(200);
    expect(await outbox()).toEqual([]);
  });
});
