/**
 * webhooks: how soon a sale reached through a BTCPay or LNbits webhook is on the screens (issue 15:
 * "within a second of the delivery"). The real server (dist/main.js) polls nothing on its schedule
 * meanwhile (POLL_INTERVAL 1 h after its first cycle); each sale is made on the in-process BTCPay or
 * LNbits mock, its webhook delivered (signed, or with the secret header), and the time taken from just
 * before the delivery to the sale's `sale` event on a live stream of the server. Between two sales
 * the bench waits for the last one, so each delivery meets an idle merchant, as on the day.
 */
import { request } from "node:http";
import { type RunningBtcpayMock, startBtcpayMock } from "../src/mock/btcpay/index.js";
import { type StartedLnbitsMock, startLnbitsMock } from "../src/mock/lnbits/index.js";
import { tempDir } from "./ingest/common.js";
import type { Section } from "./section.js";
import { type BenchRow, median, serverLogRow } from "./support/report.js";
import { type ServerProcess, scanLog, startServer } from "./support/server.js";

const section = "webhooks";
const TARGET_MS = 1000;
const SECRET = "bench-webhook-secret-01";

export const webhooksSection: Section = async ({ quick, log }) => {
  const tmp = tempDir("webhooks");
  const btcpay = await startBtcpayMock();
  const lnbits = await startLnbitsMock();
  let server: ServerProcess | undefined;
  try {
    server = await startServer({
      dbPath: tmp.file("pos.db"),
      sourceBaseUrl: "http://127.0.0.1:9",
      dir: tmp.dir,
      pollInterval: "1h",
    });
    const { storeId, inkey } = await register(server, btcpay, lnbits);
    const stream = await openSaleStream(`${server.url}/v1/stream`);
    try {
      const n = quick ? 10 : 40;
      log(`${n} deliveries per source`);
      const btcpayMs: number[] = [];
      const lnbitsMs: number[] = [];
      for (let i = 0; i < n; i++) {
        const inv = btcpay.addInvoice(storeId, { currency: "SATS", amount: String(1000 + i) });
        const target = { url: `${server.url}/v1/webhooks/btcpay/bench-btcpay`, secret: SECRET };
        btcpayMs.push(
          await timed(stream, inv.id, () => btcpay.sendWebhook(target, "InvoiceSettled", storeId, inv.id)),
        );
        const hash = lnbits.addPayment(inkey, { amountSats: 2000 + i, lnurlp: {} });
        const url = `${server.url}/v1/webhooks/lnbits/bench-lnbits`;
        const headers = { "X-Webhook-Secret": SECRET };
        lnbitsMs.push(
          await timed(stream, hash, () => lnbits.sendLnurlpWebhook(url, inkey, hash, { headers })),
        );
      }
      const scan = await scanLog(server.logFile);
      return [
        ...rows("BTCPay", btcpayMs),
        ...rows("LNbits pay link", lnbitsMs),
        serverLogRow(section, "webhook deliveries", scan.problemCount),
      ];
    } finally {
      stream.close();
    }
  } finally {
    await server?.stop();
    await btcpay.stop();
    await lnbits.stop();
    tmp.remove();
  }
};

function rows(what: string, ms: number[]): BenchRow[] {
  const sorted = [...ms].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] as number;
  return [
    {
      section,
      metric: `${what} delivery → sale on the stream, median`,
      value: median(ms),
      unit: "ms",
      runs: ms,
    },
    {
      section,
      metric: `${what} delivery → sale on the stream, p99 (${ms.length} sales)`,
      value: p99,
      unit: "ms",
      target: `< ${TARGET_MS} ms`,
      pass: p99 < TARGET_MS,
    },
  ];
}

async function register(server: ServerProcess, btcpay: RunningBtcpayMock, lnbits: StartedLnbitsMock) {
  const { id: storeId, apiKey } = btcpay.addStore({ name: "Bench Coffee" });
  const { inkey } = lnbits.addWallet({ name: "Bench Tacos" });
  const post = async (body: object) => {
    const res = await fetch(`${server.url}/v1/admin/merchants`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== 201)
      throw new Error(`creating a merchant answered ${res.status}: ${await res.text()}`);
  };
  await post({
    id: "bench-btcpay",
    alias: "Bench Coffee",
    source: "btcpay",
    btcpay: { base_url: btcpay.url, store_id: storeId, api_key: apiKey, webhook_secret: SECRET },
  });
  await post({
    id: "bench-lnbits",
    alias: "Bench Tacos",
    source: "lnbits",
    lnbits: { base_url: lnbits.url, api_key: inkey, webhook_secret: SECRET },
  });
  return { storeId, inkey };
}

interface SaleStream {
  /** Resolves with the receipt time (performance.now()) of the sale with this external id. */
  next(externalId: string): Promise<number>;
  close(): void;
}

/** Delivers, and measures from just before the delivery to the sale's event. */
async function timed(stream: SaleStream, key: string, deliver: () => Promise<unknown>): Promise<number> {
  const received = stream.next(key);
  const t0 = performance.now();
  await deliver();
  return (await received) - t0;
}

/** The server's live stream, reduced to the receipt times of its `sale` events by external id. */
function openSaleStream(url: string): Promise<SaleStream> {
  const waiting = new Map<string, (at: number) => void>();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: "text/event-stream" } }, (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!block.split("\n").includes("event: sale")) continue;
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          const sale = JSON.parse(data?.slice(6) ?? "{}") as { external_id?: string };
          const done = sale.external_id === undefined ? undefined : waiting.get(sale.external_id);
          done?.(at);
        }
      });
      resolve({
        next: (key) =>
          new Promise<number>((done, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`sale ${key} not on the stream after 10 s`)),
              10_000,
            );
            waiting.set(key, (at) => {
              clearTimeout(timer);
              waiting.delete(key);
              done(at);
            });
          }),
        close: () => req.destroy(),
      });
    });
    req.on("error", reject);
    req.end();
  });
}
