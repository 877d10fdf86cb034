/**
 * The real app (makeTestApp: inject(), real SQLite, ingest in this thread) with BTCPay, LNbits and
 * PayWithFlash merchants made through the store, for the source webhooks' tests. A delivery is a hint:
 * a valid one makes the poller poll that merchant at once. Their base_url (port 9) has nothing
 * listening, so each poll a hint starts fails at once (ECONNREFUSED), counted in the merchant's
 * consecutive_failures: that count is the number of polls the deliveries caused. End to end against
 * the mocks: webhook-sources-e2e.test.ts.
 */
import { expect } from "vitest";
import { upsertMerchant } from "../../src/store/merchants.js";
import { addMerchant } from "./api-helpers.js";
import { makeTestApp } from "./app.js";

export const SECRET = "whsec-Coffee-7f3a9c";
export const OTHER_SECRET = "whsec-Bakery-1b2d4e";
export const LN_SECRET = "ln-hook-secret-55aa";
export const NOW = Date.parse("2025-11-10T15:00:00Z");

export type Headers = Record<string, string>;
export type SourceWebhookApp = Awaited<ReturnType<typeof sourceWebhookApp>>;

/**
 * BTCPay: coffee (SECRET), bakery (OTHER_SECRET), nosecret, closed (disabled, SECRET). LNbits: tacos
 * (LN_SECRET), juice, ln-nosecret. PayWithFlash: 173.
 */
export async function sourceWebhookApp() {
  const t = await makeTestApp({ now: NOW });
  const add = (id: string, source: string, settings: object, enabled = true) =>
    upsertMerchant(
      t.store.db,
      { id, public_key: `pk-${id}`, alias: id, enabled, source, source_settings: settings },
      NOW,
    );
  const secret = (webhook_secret?: string) => (webhook_secret === undefined ? {} : { webhook_secret });
  const btcpay = (s?: string) => ({
    base_url: "http://127.0.0.1:9",
    store_id: "7Hn2cQx9",
    api_key: "gf-key-1",
    ...secret(s),
  });
  const lnbits = (s?: string) => ({
    base_url: "http://127.0.0.1:9",
    api_key: "invoice-key-01",
    ...secret(s),
  });
  await add("coffee", "btcpay", btcpay(SECRET));
  await add("bakery", "btcpay", btcpay(OTHER_SECRET));
  await add("nosecret", "btcpay", btcpay());
  await add("closed", "btcpay", btcpay(SECRET), false);
  await add("tacos", "lnbits", lnbits(LN_SECRET));
  await add("juice", "lnbits", lnbits("juice-secret"));
  await add("ln-nosecret", "lnbits", lnbits());
  await addMerchant(t, "173", "PayWithFlash stand");

  const deliver = async (url: string, body: string | Buffer, headers: Headers = {}) => {
    const res = await t.app.inject({ method: "POST", url, headers, payload: body });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  /** The merchant's poll record: every poll a hint starts fails (no client yet) and counts one. */
  const pollRecord = async (id: string) => {
    const row = await t.store.db
      .selectFrom("merchants")
      .select(["consecutive_failures", "last_error"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return { polls: row.consecutive_failures, last_error: row.last_error };
  };
  /**
   * Waits (bounded) until the merchant has been polled `n` times, then gives any further poll a moment
   * to show up: the count must be exactly `n`, so a delivery that should not have hinted is caught.
   */
  const expectPolls = async (id: string, n: number) => {
    const end = Date.now() + 5000;
    while ((await pollRecord(id)).polls < n && Date.now() < end) await sleep(5);
    await sleep(150);
    expect((await pollRecord(id)).polls).toBe(n);
  };
  const sales = () => t.store.db.selectFrom("transactions").selectAll().execute();
  return { t, add, deliver, pollRecord, expectPolls, sales, close: () => t.close() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
