import { type TSchema, Type } from "typebox";
import { Compile } from "typebox/compile";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as C from "../src/contract/index.js";
import { addMerchant, addMilestone, get, ingest, line, product, sale, send } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/*
 * Fastify serialises answers with the route's schema but never validates them, so an answer could
 * differ from the contract (a missing field, a wrong type) without any other test noticing.
 */

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await addMerchant(t, "173", "Bitcoin Coffee");
  await addMerchant(t, "174", "Sats Bar", { enabled: false });
  await addMilestone(t, { name: "First sale", type: "transactions", threshold: 1 });
  await addMilestone(t, { name: "Far away", type: "volume", threshold: 1_000_000_000 });
  // Its deliveries stay pending (nothing sends them here): the log has entries to check.
  const hook = {
    url: "http://127.0.0.1:9/hook",
    secret: "contract-secret-0123456789",
    events: ["milestone", "sale"],
  };
  expect((await send(t, "POST", "/v1/admin/webhooks", hook)).status).toBe(201);
  await ingest(
    t,
    "173",
    [
      sale(1, 2100, "2025-11-10T14:58:30.123456+00:00", [line(480, "Espresso", 3, 700)]),
      sale(2, 50, "2025-11-08T10:00:00.000000+00:00", [], { currency: "eur", amount: "0.05" }),
    ],
    [product(480, "Espresso", 40, "38500")],
  );
});
afterEach(() => t.close());

/** What is wrong with `body` against `schema`; empty when it conforms. */
function violations(schema: TSchema, body: unknown): string[] {
  return Compile(schema)
    .Errors(body)
    .map((e) => `${e.instancePath} ${e.message}`);
}

const admin = () => t.auth;
const reads: [url: string, status: number, schema: TSchema, headers?: () => Record<string, string>][] = [
  ["/v1/health", 200, C.Health],
  ["/v1/summary", 200, C.Summary],
  ["/v1/ticker", 200, Type.Array(C.TickerRow)],
  ["/v1/leaderboard/merchants", 200, Type.Array(C.MerchantStanding)],
  ["/v1/leaderboard/merchants?window=all&metric=volume", 200, Type.Array(C.MerchantStanding)],
  ["/v1/leaderboard/products", 200, Type.Array(C.ProductStanding)],
  ["/v1/leaderboard/products?window=24h", 200, Type.Array(C.ProductStanding)],
  ["/v1/milestones/triggers", 200, Type.Array(C.MilestoneTrigger)],
  ["/v1/milestones/upcoming", 200, Type.Array(C.UpcomingMilestone)],
  ["/v1/summary?merchant_id=173", 200, C.Summary],
  ["/v1/ticker?merchant_id=173", 200, Type.Array(C.TickerRow)],
  ["/v1/leaderboard/products?merchant_id=173&window=24h", 200, Type.Array(C.ProductStanding)],
  ["/v1/summary?merchant_id=999", 404, C.ErrorBody],
  ["/v1/timeseries?window=60m&bucket=10m", 200, C.Timeseries],
  ["/v1/wifi/config", 200, C.WifiConfig],
  ["/v1/admin/merchants", 200, Type.Array(C.Merchant), admin],
  ["/v1/admin/milestones", 200, Type.Array(C.Milestone), admin],
  ["/v1/admin/data-health", 200, C.DataHealth, admin],
  ["/v1/scenes", 200, Type.Array(C.Scene)],
  ["/v1/admin/scenes", 200, Type.Array(C.Scene), admin],
  ["/v1/event", 200, C.EventSettings],
  ["/v1/event/logo", 404, C.ErrorBody],
  ["/v1/admin/webhooks", 200, Type.Array(C.Webhook), admin],
  ["/v1/admin/webhooks/1/deliveries", 200, Type.Array(C.WebhookDelivery), admin],
  ["/v1/ticker?limit=0", 400, C.ErrorBody],
  ["/v1/admin/merchants", 401, C.ErrorBody],
];

describe("REST answers follow the contract", () => {
  it.each(reads)("GET %s (%i)", async (url, status, schema, headers) => {
    const res = await get(t, url, headers?.() ?? {});
    expect(res.status).toBe(status);
    expect(res.body, "an empty list would prove nothing").not.toEqual([]);
    expect(violations(schema, res.body)).toEqual([]);
  });

  it("answers to admin changes, and the check refuses what differs", async () => {
    const merchant = await send(t, "PUT", "/v1/admin/merchants/173", { alias: "Coffee" });
    expect(violations(C.Merchant, merchant.body)).toEqual([]);
    const milestone = await send(t, "PUT", "/v1/admin/milestones/1", { reset_trigger: true });
    expect(violations(C.Milestone, milestone.body)).toEqual([]);
    const event = await send(t, "PUT", "/v1/admin/event", { doors_opened_at: "2025-11-10T00:00:00Z" });
    expect(violations(C.EventSettings, event.body)).toEqual([]);
    const sinceDoors = await get(t, "/v1/summary");
    expect((sinceDoors.body as C.Summary).since_doors?.total_transactions).toBe(1);
    expect(violations(C.Summary, sinceDoors.body)).toEqual([]);
    const missing = await send(t, "PUT", "/v1/admin/milestones/99", { enabled: false });
    expect(missing.status).toBe(404);
    expect(violations(C.ErrorBody, missing.body)).toEqual([]);

    const { alias: _alias, ...withoutAlias } = merchant.body as Record<string, unknown>;
    expect(violations(C.Merchant, withoutAlias)).not.toEqual([]);
  });
});
