// An LNbits merchant through the real poller and store (real SQLite) against the LNbits mock over
// HTTP: sales land keyed by payment hash with sats, fiat, lines and products; a second poll stores
// nothing new and reads only the recent window; a sale paid later lands on a later poll.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Poller, type PollOutcome } from "../src/ingest/poller.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../src/mock/lnbits/index.js";
import { createLnbitsClient } from "../src/sources/lnbits/client.js";
import type { SourceClient } from "../src/sources/source-client.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";
import { getMerchant, upsertMerchant } from "../src/store/merchants.js";
import { createUpstreamClient } from "../src/upstream/client.js";
import { captureLogger } from "./support/log.js";

const T0 = Date.UTC(2025, 10, 10, 15, 0, 0);
const MIN = 60_000;
let clock = T0;
let mock: StartedLnbitsMock;
let store: OpenedDatabase;
let poller: Poller | undefined;

beforeEach(async () => {
  clock = T0;
  mock = await startLnbitsMock({ now: () => clock });
  store = await openDatabase(":memory:");
});
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
  await mock.stop();
  await store.close();
});

function makePoller() {
  const { log, messages } = captureLogger();
  const outcomes: PollOutcome[] = [];
  poller = new Poller({
    db: store.db,
    // No PayWithFlash merchant here: nothing listens on this port.
    fetchMerchant: createUpstreamClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 500 }),
    sourceClients: { lnbits: createLnbitsClient({ timeoutMs: 2000, pageSize: 50 }) as SourceClient<unknown> },
    intervalMs: 60_000,
    concurrency: 2,
    log,
    onOutcome: (o) => outcomes.push(o),
    now: () => clock,
    random: () => 0.5,
  });
  return { poller, messages, outcomes };
}

const transactions = () =>
  store.db
    .selectFrom("transactions")
    .select(["sale_id", "source", "external_id", "amount_sats", "fiat_amount", "currency", "sale_date"])
    .where("merchant_id", "=", "ln1")
    .orderBy("sale_date", "desc")
    .execute();

describe("an LNbits merchant through the poller", () => {
  it("stores its sales once, keyed by payment hash, with fiat, lines and products", async () => {
    const { inkey } = mock.addWallet({ name: "Taco Stand" });
    await upsertMerchant(
      store.db,
      {
        id: "ln1",
        public_key: "-",
        alias: "Taco Stand",
        source: "lnbits",
        source_settings: { base_url: mock.url, api_key: inkey },
      },
      1,
    );
    const cart = {
      satsPerUnit: 1000,
      currency: "USD",
      items: [
        { title: "Taco", price: 3.5, quantity: 2 },
        { title: "Horchata", price: 1.5, quantity: 1 },
      ],
    };
    // A history longer than a page, older than the re-poll window.
    for (let i = 0; i < 120; i++)
      mock.addPayment(inkey, { amountSats: 100 + i, time: T0 - 3 * 24 * 60 * MIN + i * MIN });
    const taco = mock.addPayment(inkey, { tpos: cart, time: T0 - 10 * MIN });
    mock.addPayment(inkey, { kind: "tip-forward", amountSats: 500, time: T0 - 9 * MIN });
    const pending = mock.addPayment(inkey, { status: "pending", tpos: cart, time: T0 - 2 * MIN });

    const p = makePoller();
    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant ln1 poll complete (new_tx=121)");
    const rows = await transactions();
    expect(rows).toHaveLength(121);
    const truth = mock.groundTruth(inkey);
    expect(rows.map((r) => [r.external_id, r.amount_sats, r.sale_date])).toEqual(
      truth.map((s) => [s.hash, s.amountSats, s.timeMs]),
    );
    expect(rows[0]).toMatchObject({
      source: "lnbits",
      external_id: taco,
      sale_id: Number.parseInt(taco.slice(0, 13), 16),
      amount_sats: 8500,
      fiat_amount: 8.5,
      currency: "usd",
    });
    const lines = await store.db
      .selectFrom("sale_lines")
      .select(["name", "quantity", "unit_sats"])
      .where("merchant_id", "=", "ln1")
      .where("sale_id", "=", rows[0]?.sale_id ?? -1)
      .orderBy("line_no")
      .execute();
    expect(lines).toEqual([
      { name: "Taco", quantity: 2, unit_sats: 3500 },
      { name: "Horchata", quantity: 1, unit_sats: 1500 },
    ]);
    const products = await store.db
      .selectFrom("products")
      .select(["name", "total_transactions", "total_units_sold", "total_revenue_sats"])
      .where("merchant_id", "=", "ln1")
      .orderBy("name")
      .execute();
    expect(products).toEqual([
      { name: "Horchata", total_transactions: 1, total_units_sold: 1, total_revenue_sats: 1500 },
      { name: "Taco", total_transactions: 1, total_units_sold: 2, total_revenue_sats: 7000 },
    ]);
    const firstRows = mock.requests(inkey).reduce((n, r) => n + r.rows, 0);
    expect(firstRows).toBe(123);

    // Nothing new: nothing stored, and only the recent window read.
    mock.clearRequests();
    clock += MIN;
    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant ln1 poll complete (new_tx=0)");
    expect(await transactions()).toHaveLength(121);
    expect(mock.requests(inkey).map((r) => r.rows)).toEqual([50]);

    // The pending invoice is paid: the next poll stores it, at its creation time.
    clock += MIN;
    mock.settle(inkey, pending);
    await p.poller.pollAll();
    expect(p.messages()).toContain("merchant ln1 poll complete (new_tx=1)");
    const after = await transactions();
    expect(after[0]).toMatchObject({ external_id: pending, sale_date: T0 - 2 * MIN, amount_sats: 8500 });
    expect((await getMerchant(store.db, "ln1"))?.last_error).toBeUndefined();
  });

  it("a failing LNbits records why in plain words, without the key", async () => {
    const { inkey } = mock.addWallet({ inkey: "s3cret-invoice-key" });
    mock.setFault(inkey, { html: true });
    await upsertMerchant(
      store.db,
      {
        id: "ln1",
        public_key: "-",
        alias: "Taco Stand",
        source: "lnbits",
        source_settings: { base_url: mock.url, api_key: inkey },
      },
      1,
    );
    const p = makePoller();
    await p.poller.pollAll();
    const m = await getMerchant(store.db, "ln1");
    expect(m?.last_error).toBe(
      "LNbits answered 502 with a page that is not JSON (an outage, or a proxy in front of it)",
    );
    expect(JSON.stringify(p.messages())).not.toContain(inkey);
  });
});
