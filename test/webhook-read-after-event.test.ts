/**
 * What the WiFi scene relies on: when a webhook sale's `sale` event reaches a screen, the REST reads it
 * then makes (/v1/summary?source=wifi, /v1/ticker?source=wifi) already count that sale, through the
 * production read cache. The scene re-reads only when a wifi sale arrives, so an answer cached from
 * before the sale would stay on screen until the next one (seen in test/browser-wifi.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lnbitsPayment, paymentHash, postWebhook, type Served, serve } from "./support/original-client.js";
import { openStream, type SseClient, waitFor } from "./support/sse.js";

let served: Served;
let screen: SseClient;
beforeAll(async () => {
  served = await serve({ webhookSecret: undefined });
  screen = await openStream(`${served.base}/v1/stream`);
}, 30_000);
afterAll(async () => {
  screen?.close();
  await served?.stop();
});

const saleEvents = () => screen.events.filter((e) => e.event === "sale").length;
const read = async <T>(path: string) => (await served.client.get<T>(path)).data;

describe("a webhook sale, read again on its live event", () => {
  it("is in the summary and ticker the screen reads right after the event, sale after sale", async () => {
    for (let n = 1; n <= 5; n++) {
      // The screen's reads of the figures before the sale: these are the cached answers.
      expect((await read<{ total_transactions: number }>("/v1/summary?source=wifi")).total_transactions).toBe(
        n - 1,
      );
      expect(await read<unknown[]>("/v1/ticker?limit=6&source=wifi")).toHaveLength(n - 1);
      const events = saleEvents();
      const answer = await postWebhook(served.base, lnbitsPayment(paymentHash(n), 2_100_000));
      expect(answer.status).toBe(200);
      await waitFor(() => saleEvents() > events);
      const summary = await read<{ total_transactions: number; total_volume_sats: number }>(
        "/v1/summary?source=wifi",
      );
      expect(summary, `after sale ${n}`).toMatchObject({
        total_transactions: n,
        total_volume_sats: 2100 * n,
      });
      expect(await read<unknown[]>("/v1/ticker?limit=6&source=wifi"), `after sale ${n}`).toHaveLength(n);
    }
  });
});
