import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Merchant } from "../src/contract/index.js";
import type { createService as createInline, Service } from "../src/service.js";
import { TEST_TOKEN, testConfig } from "./support/app.js";
import { btcpayEventBody, btcpaySig } from "./support/btcpay-webhook.js";
import { captureLogger } from "./support/log.js";

/*
 * The source webhooks through the service as main.ts builds it, on a real port: the route asks the
 * ingest thread for the merchant, and a valid delivery's hint crosses to the thread's poller, which
 * polls that merchant at once. The merchants' servers (port 9) are not listening, so the poll fails at
 * once and its `last_error` is what shows the hint arrived (end to end against the mocks:
 * webhook-sources-e2e.test.ts). A query's secret never reaches a log line.
 */

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const built = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof createInline;
};

const BTCPAY_SECRET = "whsec-threaded-9d8c7b";
const LN_SECRET = "ln-q-secret-Zx81";
const HASH = "9f".repeat(32);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve() {
  const dir = mkdtempSync(join(tmpdir(), "webhook-sources-"));
  const captured = captureLogger();
  const service: Service = await built.createService(testConfig({ dbPath: join(dir, "pos.db") }), {
    log: captured.log,
    readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
  });
  cleanups.push(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // Listening, not polling: only the deliveries' hints poll (the schedule would poll everyone).
  await service.app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
  const add = (id: string, source: string, source_settings: object) =>
    service.ingest.store.change("upsertMerchant", {
      input: { id, public_key: `pk-${id}`, alias: id, source, source_settings },
      now: Date.now(),
    });
  await add("coffee", "btcpay", {
    base_url: "http://127.0.0.1:9",
    store_id: "7Hn2cQx9",
    api_key: "greenfield-key-0001",
    webhook_secret: BTCPAY_SECRET,
  });
  await add("tacos", "lnbits", {
    base_url: "http://127.0.0.1:9",
    api_key: "inv-key",
    webhook_secret: LN_SECRET,
  });
  const merchant = async (id: string) => {
    const res = await fetch(`${base}/v1/admin/merchants`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    return ((await res.json()) as Merchant[]).find((m) => m.id === id) as Merchant;
  };
  return { base, lines: captured.lines, merchant };
}

/** Until `cond` holds, bounded; resolves with how long it took. */
async function until(cond: () => Promise<boolean>, ms = 5000): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

describe("source webhooks on the running service", () => {
  it("pass a signed BTCPay delivery's hint to the ingest thread's poller, and refuse a bad one", async () => {
    const { base, merchant } = await serve();
    const body = btcpayEventBody();
    const post = (sig: string) =>
      fetch(`${base}/v1/webhooks/btcpay/coffee`, {
        method: "POST",
        headers: { "content-type": "application/json", "btcpay-sig": sig },
        body,
      });
    const wrong = await post(btcpaySig("not-the-secret", body));
    expect(wrong.status).toBe(401);
    expect((await merchant("coffee")).last_error).toBeUndefined();

    const ok = await post(btcpaySig(BTCPAY_SECRET, body));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok" });
    await until(async () => (await merchant("coffee")).last_error !== undefined);
    expect(await merchant("coffee")).toMatchObject({
      last_error: "BTCPay request failed: ECONNREFUSED",
      consecutive_failures: 1,
    });
  });

  it("take LNbits' core webhook with ?secret= and no content type, and keep the secret out of the log", async () => {
    const { base, lines, merchant } = await serve();
    const payment = JSON.stringify(
      JSON.stringify({ payment_hash: HASH, amount: 2_000_000, status: "success" }),
    );
    // A Uint8Array body: fetch sends it without a content type, as LNbits' core webhook does.
    const post = (secret: string) =>
      fetch(`${base}/v1/webhooks/lnbits/tacos?secret=${secret}&x=1`, {
        method: "POST",
        body: new TextEncoder().encode(payment),
      });
    expect((await post("wrong-secret-value")).status).toBe(401);
    const ok = await post(LN_SECRET);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok" });
    await until(async () => (await merchant("tacos")).last_error !== undefined);
    expect((await merchant("tacos")).last_error).toBe("LNbits request failed: ECONNREFUSED");

    const requests = lines.filter((l) => String(l.path ?? "").startsWith("/v1/webhooks/lnbits/"));
    expect(requests.map((l) => [l.path, l.status])).toEqual([
      ["/v1/webhooks/lnbits/tacos?secret=[redacted]&x=1", 401],
      ["/v1/webhooks/lnbits/tacos?secret=[redacted]&x=1", 200],
    ]);
    // The ingest thread logs on its own; only the hint's keys cross to it, never the request's URL.
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(LN_SECRET);
    expect(everything).not.toContain("wrong-secret-value");
  });
});
