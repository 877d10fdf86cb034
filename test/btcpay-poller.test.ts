// A BTCPay merchant through the real poller and store: sales land once with their source, external id,
// sats, fiat and lines; products add up from the lines; a hand-marked invalid invoice hinted by a
// webhook is removed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Poller } from "../src/ingest/poller.js";
import { createBtcpayClient } from "../src/sources/btcpay/client.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { createUpstreamClient } from "../src/upstream/client.js";
import { type BtcpayFixture, startBtcpayFixture, T0 } from "./support/btcpay.js";
import { captureLogger } from "./support/log.js";

let f: BtcpayFixture;
let store: OpenedDatabase;
let poller: Poller | undefined;

beforeEach(async () => {
  f = await startBtcpayFixture();
  store = await openDatabase(":memory:");
});
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  await f.mock.stop();
  await store.close();
});

function makePoller() {
  const { log, messages } = captureLogger();
  poller = new Poller({
    db: store.db,
    fetchMerchant: createUpstreamClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 2000 }),
    sourceClients: { btcpay: createBtcpayClient({ timeoutMs: 2000 }) },
    intervalMs: 60_000,
    concurrency: 2,
    log,
    random: () => 0.999999,
  });
  return { poller, messages };
}

const stored = () =>
  store.db
    .selectFrom("transactions")
    .select(["sale_id", "external_id", "source", "amount_sats", "fiat_amount", "currency", "sale_date"])
    .where("merchant_id", "=", "taco")
    .orderBy("sale_date")
    .execute();

describe("BTCPay merchant through the poller", () => {
  it("stores settled invoices once, with lines and products; a marked-invalid hinted invoice is removed", async () => {
    const s = f.storeId;
    const a = f.mock.addInvoice(s, {
      createdTime: T0 - 5 * 86_400,
      cart: [
        { id: "taco", title: "Taco", price: 3.5, count: 2 },
        { id: "agua", title: "Agua", price: 2, count: 1 },
      ],
    });
    const b = f.mock.addInvoice(s, {
      createdTime: T0,
      single: { itemCode: "taco", itemDesc: "Taco", price: 3.5 },
    });
    f.mock.addInvoice(s, { createdTime: T0 + 60, status: "Expired", additionalStatus: "PaidLate" });
    await upsertMerchant(
      store.db,
      { id: "taco", public_key: "-", alias: "Taco Stand", source: "btcpay", source_settings: f.settings },
      1,
    );
    const p = makePoller();
    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant taco poll complete (new_tx=2)");
    const rows = await stored();
    const truth = f.mock.groundTruth(s)[0];
    expect(rows.map((r) => [r.external_id, r.source, r.amount_sats, r.fiat_amount, r.currency])).toEqual(
      [a, b].map((inv) => {
        const t = truth?.sales.find((x) => x.invoiceId === inv.id);
        return [inv.id, "btcpay", t?.sats, t?.fiat, t?.currency];
      }),
    );
    const lines = await store.db
      .selectFrom("sale_lines")
      .select(["sale_id", "name", "quantity", "unit_sats"])
      .where("merchant_id", "=", "taco")
      .orderBy("sale_id")
      .orderBy("line_no")
      .execute();
    expect(lines.map((l) => [l.name, l.quantity]).sort()).toEqual([
      ["Agua", 1],
      ["Taco", 1],
      ["Taco", 2],
    ]);
    const products = await store.db
      .selectFrom("products")
      .select(["name", "total_units_sold", "total_revenue_sats"])
      .where("merchant_id", "=", "taco")
      .orderBy("name")
      .execute();
    expect(products).toEqual([
      { name: "Agua", total_units_sold: 1, total_revenue_sats: 4000 },
      { name: "Taco", total_units_sold: 3, total_revenue_sats: 3 * 7000 },
    ]);

    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant taco poll complete (new_tx=0)");
    expect((await stored()).length).toBe(2);
    const totals = await store.db
      .selectFrom("merchants")
      .select(["total_transactions", "last_error"])
      .where("id", "=", "taco")
      .executeTakeFirst();
    expect(totals).toEqual({ total_transactions: 2, last_error: null });

    // Five days old, outside the re-poll's window: only the webhook's hint brings its new status.
    f.mock.markInvalid(s, a.id);
    await p.poller.pollAll();
    expect((await stored()).map((r) => r.external_id)).toEqual([a.id, b.id]);
    let done = false;
    const before = p.messages().length;
    p.poller.hint("taco", { keys: [a.id] });
    const end = Date.now() + 5000;
    while (!done && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      done = p
        .messages()
        .slice(before)
        .some((m) => m.includes("marked invalid by the source and removed"));
    }
    expect(done).toBe(true);
    expect((await stored()).map((r) => r.external_id)).toEqual([b.id]);
    const taco = await store.db
      .selectFrom("products")
      .select(["name", "total_units_sold"])
      .where("merchant_id", "=", "taco")
      .where("name", "=", "Taco")
      .executeTakeFirst();
    expect(taco?.total_units_sold).toBe(1);
  });

  it("looks up a burst of webhook-hinted invoices side by side without Node's listener warning", async () => {
    const s = f.storeId;
    const invoices = Array.from({ length: 15 }, (_, i) =>
      f.mock.addInvoice(s, { createdTime: T0 - 10 * 86_400 + i, currency: "SATS", amount: String(100 + i) }),
    );
    // Three merchants reading the same store, hinted at once: their lookups (4 at a time each) all
    // listen on the poller's one signal.
    for (const id of ["taco", "taco-2", "taco-3"])
      await upsertMerchant(
        store.db,
        { id, public_key: "-", alias: id, source: "btcpay", source_settings: f.settings },
        1,
      );
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const p = makePoller();
      await p.poller.pollAll();
      const keys = invoices.map((inv) => inv.id);
      const before = p.messages().length;
      for (const id of ["taco", "taco-2", "taco-3"]) p.poller.hint(id, { keys });
      const done = () =>
        p
          .messages()
          .slice(before)
          .filter((m) => m.includes("poll complete (new_tx=0)"));
      const end = Date.now() + 5000;
      while (done().length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(done()).toHaveLength(3);
      // Warnings are emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
