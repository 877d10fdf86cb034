import { request } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { EXPORT_BATCH } from "../src/api/exports.js";
import { buildApp } from "../src/app.js";
import type { ExportedLine, TickerRow } from "../src/contract/index.js";
import { type LocalIngest, openIngest } from "../src/ingest/runtime.js";
import type { StoreAccess } from "../src/store/access.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { applyPoll } from "../src/store/poll-transaction.js";
import { parsePosPayload } from "../src/upstream/payload.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { posBody, saleRow } from "./support/upstream.js";

/*
 * Exports over many batches: the real app on the real store, which counts the export batches it is
 * asked for. 3 merchants × 4,000 sales, two lines each, dated in runs of 50 sharing one instant, so
 * batches end inside a run of equal dates and inside a sale's lines.
 */
const MERCHANTS = ["m1", "m2", "m3"];
const SALES_EACH = 4000;
const SAME_DATE_RUN = 50;
const T0 = Date.parse("2025-11-10T08:00:00Z");
const auth = { authorization: `Bearer ${TEST_TOKEN}` };

let ingest: LocalIngest;
let app: FastifyInstance;
let batches = 0;

beforeAll(async () => {
  ingest = await openIngest(testConfig(), pino({ level: "silent" }), {});
  const db = ingest.database.db;
  for (const [m, id] of MERCHANTS.entries()) {
    await upsertMerchant(db, { id, public_key: `pk-${id}`, alias: `Stall ${id}` }, T0);
    const sales = Array.from({ length: SALES_EACH }, (_, i) => {
      const date = new Date(T0 + Math.floor((i * MERCHANTS.length + m) / SAME_DATE_RUN) * 1000);
      const lines = [1, 2].map((p) => ({
        ProductID: p,
        ProductName: `Item ${p}`,
        ProductPriceSats: 100 * p,
        Quantity: 1,
      }));
      return saleRow(i + 1, 300, date.toISOString().replace("Z", "000+00:00"), lines);
    });
    await applyPoll(db, id, parsePosPayload(posBody(sales)), T0);
  }
  const store: StoreAccess = {
    read: (name, args) => {
      if (name === "exportBatch") batches++;
      return ingest.store.read(name, args);
    },
    change: (name, args) => ingest.store.change(name, args),
  };
  app = await buildApp({ store, config: testConfig(), refetch: ingest.refetch });
  await app.listen({ host: "127.0.0.1", port: 0 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await ingest?.stop();
});

const total = MERCHANTS.length * SALES_EACH;

test("every sale once, in (sale_date, id) order, across batch boundaries inside runs of equal dates", async () => {
  batches = 0;
  const res = await app.inject({
    method: "GET",
    url: "/v1/admin/exports/sales?format=ndjson",
    headers: auth,
  });
  const sales = res.body
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as TickerRow);
  expect(sales).toHaveLength(total);
  expect(new Set(sales.map((s) => `${s.merchant_id}/${s.sale_id}`)).size).toBe(total);
  const dates = sales.map((s) => Date.parse(s.sale_date));
  expect(dates).toEqual([...dates].sort((a, b) => a - b));
  expect(batches).toBe(Math.floor(total / EXPORT_BATCH) + 1);
});

test("every line once when batches end between a sale's lines; filters hold on every batch", async () => {
  const res = await app.inject({
    method: "GET",
    url: `/v1/admin/exports/lines?format=ndjson&merchant_id=m2&from=${new Date(T0 + 60_000).toISOString()}`,
    headers: auth,
  });
  const lines = res.body
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as ExportedLine);
  const sales = new Set(lines.map((l) => l.sale_id));
  expect(lines.length).toBe(sales.size * 2);
  expect(lines.length).toBeGreaterThan(EXPORT_BATCH * 2);
  expect(lines.every((l) => l.merchant_id === "m2" && Date.parse(l.sale_date) >= T0 + 60_000)).toBe(true);
  expect(new Set(lines.map((l) => `${l.sale_id}/${l.line_no}`)).size).toBe(lines.length);
});

test("an aborted download stops reading", async () => {
  batches = 0;
  const { port } = app.server.address() as AddressInfo;
  const closed = new Promise<void>((resolve) =>
    app.server.once("request", (_req, res) => res.once("close", resolve)),
  );
  await new Promise<void>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/v1/admin/exports/lines?format=csv", headers: auth },
      (res) => {
        expect(res.statusCode).toBe(200);
        // The first bytes arrive, then the client goes away without reading on.
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      },
    );
    req.on("error", (e) => (e.message.includes("socket hang up") ? resolve() : reject(e)));
    req.end();
  });
  await closed;
  const atClose = batches;
  // Whatever read was on its way when the connection closed is the last: wait for more to be asked for.
  const full = await app.inject({ method: "GET", url: "/v1/admin/exports/products", headers: auth });
  expect(full.statusCode).toBe(200);
  await new Promise((r) => setTimeout(r, 200));
  const allLines = Math.ceil((total * 2) / EXPORT_BATCH);
  expect(batches - 1).toBeLessThanOrEqual(atClose + 1);
  expect(atClose).toBeLessThan(allLines / 2);
});
