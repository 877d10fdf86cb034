/**
 * outgoing: what a webhook subscribed to every sale costs ingest. The same polls (a growing history,
 * 1,000 new sales each, as parsePosPayload reads them) are stored through applyPoll on a fresh file
 * three ways: no webhook; one sale webhook (each new sale also writes its delivery into the outbox in
 * the poll's transaction); and the same with the delivery worker sending the outbox to a real receiver
 * on 127.0.0.1 on the same thread meanwhile, as on the ingest thread. Sales stored per second, median of
 * the runs; and, for the last, how many deliveries had gone out when the last poll was stored.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { createWebhook } from "../src/store/webhooks.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { DeliveryWorker } from "../src/webhooks/delivery-worker.js";
import { tempDir } from "./ingest/common.js";
import type { Section } from "./section.js";
import { type BenchRow, median } from "./support/report.js";

const section = "outgoing";
const PER_POLL = 1000;

type Mode = "none" | "subscribed" | "delivering";

function payload(upTo: number, from: number, now: number) {
  const sales = [];
  for (let id = upTo; id > from; id--)
    sales.push({
      SaleId: id,
      SaleDate: new Date(now - (upTo - id)).toISOString(),
      TotalCostSats: String(100 + (id % 900)),
      Products: [{ ProductID: id % 20, ProductName: "Coffee", ProductPriceSats: 100, Quantity: 1 }],
    });
  return parsePosPayload({ success: true, data: { sales, products: [] } });
}

async function receiver() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received: () => received, close: () => new Promise((r) => server.close(r)) };
}

async function run(mode: Mode, polls: number, file: string) {
  const store = await openDatabase(file);
  const sink = await receiver();
  const now = Date.now();
  await upsertMerchant(store.db, { id: "m1", public_key: "k", alias: "Bench" }, now);
  if (mode !== "none")
    await createWebhook(
      store.db,
      { url: sink.url, secret: "bench-secret-0123456789", events: ["sale"] },
      now,
    );
  const options = { timeoutMs: 5000, retryBaseMs: 1000, retryCapMs: 5000, maxAttempts: 3 };
  const worker = new DeliveryWorker({ db: store.db, log: pino({ level: "silent" }), options });
  if (mode === "delivering") worker.start();
  // Each poll's body is built before the clock starts: only storing is timed.
  const bodies = Array.from({ length: polls }, (_, i) => payload((i + 1) * PER_POLL, i * PER_POLL, now));
  const started = performance.now();
  for (const body of bodies) {
    await applyPoll(store.db, "m1", body, Date.now());
    worker.poke();
  }
  const ms = performance.now() - started;
  const delivered = sink.received();
  const outbox = await store.db
    .selectFrom("webhook_deliveries")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  // Then the outbox drained: one delivery at a time to the one webhook, as order per webhook requires.
  let drainPerSecond = 0;
  if (mode === "delivering") {
    const from = performance.now();
    while (sink.received() < Number(outbox.n)) await new Promise((r) => setTimeout(r, 20));
    drainPerSecond = ((Number(outbox.n) - delivered) * 1000) / (performance.now() - from);
  }
  await worker.stop();
  await sink.close();
  await store.close();
  return {
    salesPerSecond: (polls * PER_POLL * 1000) / ms,
    delivered,
    outbox: Number(outbox.n),
    drainPerSecond,
  };
}

export const outgoingWebhooksSection: Section = async ({ quick, log }) => {
  const polls = quick ? 20 : 60;
  const repeats = quick ? 3 : 5;
  const rows: BenchRow[] = [];
  const results = new Map<Mode, number[]>();
  let delivered = 0;
  const drains: number[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const mode of ["none", "subscribed", "delivering"] as const) {
      const tmp = tempDir(`outgoing-${mode}`);
      try {
        const res = await run(mode, polls, tmp.file("pos.db"));
        results.set(mode, [...(results.get(mode) ?? []), res.salesPerSecond]);
        if (mode === "delivering") {
          delivered = Math.max(delivered, res.delivered);
          drains.push(res.drainPerSecond);
        }
        if (mode !== "none" && res.outbox !== polls * PER_POLL)
          throw new Error(`outbox holds ${res.outbox} deliveries`);
      } finally {
        tmp.remove();
      }
    }
  }
  log(`${polls} polls of ${PER_POLL} new sales, ${repeats} runs each`);
  const none = median(results.get("none") ?? []);
  const label: Record<Mode, string> = {
    none: "ingest, no webhook",
    subscribed: "ingest, one sale webhook (outbox written)",
    delivering: "ingest, one sale webhook, worker delivering",
  };
  for (const mode of ["none", "subscribed", "delivering"] as const) {
    const runs = results.get(mode) ?? [];
    const value = median(runs);
    rows.push({
      section,
      metric: label[mode],
      value: Math.round(value),
      unit: "sales/s",
      ...(mode === "none"
        ? {}
        : { baseline: Math.round(none), baselineLabel: "no webhook", ratio: value / none }),
      runs: runs.map(Math.round),
    });
  }
  // Polls stored back to back leave the worker no turn (it runs between them on the day): how many it sent.
  rows.push({
    section,
    metric: "deliveries sent while those polls were stored",
    value: delivered,
    unit: "count",
  });
  rows.push({
    section,
    metric: "outbox drained afterwards, one webhook, in order",
    value: Math.round(median(drains)),
    unit: "deliveries/s",
    runs: drains.map(Math.round),
  });
  return rows;
};
