import { Compile } from "typebox/compile";
import { afterEach, describe, expect, it } from "vitest";
import { LiveEvents } from "../src/contract/index.js";
import { createService } from "../src/service.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { createMilestone } from "../src/store/milestones.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { fakeStreamClient } from "./support/fake-stream.js";
import { captureLogger } from "./support/log.js";
import { waitFor } from "./support/sse.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

const validators = new Map(Object.entries(LiveEvents).map(([name, schema]) => [name, Compile(schema)]));

interface Frame {
  event: string;
  data: unknown;
}

/** The named events in what a stream client was sent (comments and the retry hint are not events). */
function framesOf(text: string): Frame[] {
  const frames: Frame[] = [];
  for (const block of text.split("\n\n")) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) });
  }
  return frames;
}

/** What is wrong with each frame against the contract's schema for its event; empty when all conform. */
function violations(frames: Frame[]): string[] {
  return frames.flatMap(({ event, data }) => {
    const validator = validators.get(event);
    if (!validator) return [`${event}: not an event of the contract`];
    return validator
      .Errors(data)
      .map((e) => `${event} ${JSON.stringify(data)}: ${e.instancePath} ${e.message}`);
  });
}

let upstream: FakeUpstream;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real poll cycle (one merchant selling, one failing) through the service into its live hub. */
async function streamOfOnePollCycle() {
  upstream = await startFakeUpstream();
  cleanups.push(() => upstream.close());
  const service = await createService(testConfig({ sourceBaseUrl: upstream.url, streamHeartbeatMs: 20 }), {
    log: captureLogger().log,
    ingest: "inline",
  });
  cleanups.push(() => service.stop());
  const { hub, inline } = service;
  if (!inline) throw new Error("inline ingest exposes its database");
  const { db } = inline.database;
  const now = Date.parse("2025-11-10T14:00:00Z");
  await upsertMerchant(db, { id: "173", public_key: "k173", alias: "Café 173", enabled: true }, now);
  await upsertMerchant(db, { id: "174", public_key: "k174", alias: "Bar 174", enabled: true }, now);
  await createMilestone(db, { name: "First sale", type: "transactions", threshold: 1 }, now);
  await createMilestone(db, { name: "First 100 sats", type: "volume", threshold: 100 }, now);
  const date = "2025-11-10T13:59:00.000000+00:00";
  const line = { ProductID: 5, ProductName: "Espresso", ProductPriceSats: 100, Quantity: 1 };
  const product = { productid: 5, name: "Espresso", total_transactions: 1, total_units_sold: 1 };
  upstream.set("173", {
    kind: "json",
    body: posBody(
      [saleRow(1, 100, date, [line]), saleRow(2, 250, date)],
      [{ ...product, total_revenue_sats: "100" }],
    ),
  });
  upstream.set("174", { kind: "status", status: 500 });

  const watching = fakeStreamClient();
  hub.attach(watching.res, {});
  await inline.pollAll();
  await waitFor(() => framesOf(watching.text()).some((f) => f.event === "summary"));
  // An operator's change to the venue playlist.
  const edit = await service.app.inject({
    method: "PUT",
    url: "/v1/admin/scenes/merch",
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
    payload: { enabled: true, content: "Cap\nHoodie" },
  });
  expect(edit.statusCode).toBe(200);
  await waitFor(() => framesOf(watching.text()).some((f) => f.event === "scenes"));
  // An operator's change to the event settings (the summary after it carries since-doors figures).
  const event = await service.app.inject({
    method: "PUT",
    url: "/v1/admin/event",
    headers: { authorization: `Bearer ${TEST_TOKEN}` },
    payload: {
      name: "Contract Conf",
      doors_opened_at: "2025-11-10T13:00:00Z",
      public_url: "https://example.org/",
    },
  });
  expect(event.statusCode).toBe(200);
  await waitFor(() => framesOf(watching.text()).some((f) => f.event === "event"));
  // The heartbeat (the service is not started here: its timer is).
  hub.start();
  await waitFor(() => framesOf(watching.text()).some((f) => f.event === "ping"));
  // A screen back from a long sleep (an id the hub never gave) is told to start over.
  const resuming = fakeStreamClient();
  hub.attach(resuming.res, {}, "stale");
  hub.stop();
  return [...framesOf(watching.text()), ...framesOf(resuming.text())];
}

describe("live stream contract", () => {
  it("every event a real poll cycle sends validates against its schema, and every event is covered", async () => {
    const frames = await streamOfOnePollCycle();
    expect(new Set(frames.map((f) => f.event))).toEqual(new Set(Object.keys(LiveEvents)));
    // Both milestone types fire.
    expect(frames.filter((f) => f.event === "milestone")).toHaveLength(2);
    // Both kinds of merchant event, in either order since the two polls run at once.
    const merchantEvents = frames.filter((f) => f.event === "merchant").map((f) => f.data);
    expect(merchantEvents).toHaveLength(2);
    expect(merchantEvents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "173", healthy: true, last_polled_at: expect.any(String) }),
        { id: "174", alias: "Bar 174", healthy: false },
      ]),
    );
    expect(violations(frames)).toEqual([]);

    // The check is not vacuous: a sale without its merchant's alias, or with a field the contract
    // does not name, is refused.
    const sale = frames.find((f) => f.event === "sale")?.data as Record<string, unknown>;
    const { merchant_alias: _alias, ...withoutAlias } = sale;
    expect(violations([{ event: "sale", data: withoutAlias }])).toEqual([
      expect.stringContaining("must have required properties merchant_alias"),
    ]);
    expect(violations([{ event: "sale", data: { ...sale, internal_id: 7 } }])).toContainEqual(
      expect.stringContaining("must not have additional properties"),
    );
  });
});
