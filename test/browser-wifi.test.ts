/**
 * The WiFi scene on a running venue screen, in headless Chromium: pinned to `wifi` (enabled in the
 * playlist through the admin API), it shows the offer from /v1/wifi/config and an honest "No WiFi sales
 * yet"; LNbits' webhook payments then appear on the open screen (count, sats, the sale in its ticker)
 * through the live stream, without a reload, and the figures fit their tiles at 1600×900.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack, waitUntil } from "./support/browser.js";
import { lnbitsPayment, paymentHash, postWebhook } from "./support/original-client.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const SECRET = "browser-webhook-s3cret";
const ADDRESS = "wifi@pay.example";

interface WifiConfig {
  lightning_address: string;
  description: string;
  price_sats: string;
  duration_hours: string;
}

let stack: Stack;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack({ webhookSecret: SECRET, wifiLightningAddress: ADDRESS });
}, 30_000);
afterAll(async () => {
  await stack?.close();
});

const pay = async (n: number, amountMsat: number) => {
  const answer = await postWebhook(stack.baseUrl, lnbitsPayment(paymentHash(n), amountMsat), {
    headers: { "X-Webhook-Secret": SECRET },
  });
  expect(answer.status).toBe(200);
};

/** Waits until the tile's number shows `text` (its value tweens towards the new total). */
const waitForFigure = (page: Page, testId: string, text: string) =>
  waitUntil(
    () => page.getByTestId(testId).textContent(),
    (shown) => shown === text,
    { what: `${testId} to show ${text}` },
  );

/** For each figure tile: whether its value (number and unit) fits inside the tile, as rendered. */
const figureFits = (page: Page) =>
  page.locator(".wifi-figures .kpi").evaluateAll((tiles) =>
    tiles.map((tile) => {
      const value = tile.querySelector(".kpi__value");
      const box = tile.getBoundingClientRect();
      const content = tile.querySelector(".kpi__fitbox")?.getBoundingClientRect();
      return {
        label: tile.getAttribute("aria-label"),
        scrollWidth: value?.scrollWidth ?? Number.NaN,
        clientWidth: value?.clientWidth ?? Number.NaN,
        insideTile: content !== undefined && content.left >= box.left && content.right <= box.right,
      };
    }),
  );

const VIEWPORT = { width: 1600, height: 900 };

/** Elements of the venue screen whose right edge is past the window's (clipped: the screen hides overflow). */
const pastTheEdge = (page: Page) =>
  page.locator("[data-testid=venue] *").evaluateAll(
    (elements, width) =>
      elements
        .filter((e) => e.getBoundingClientRect().right > width + 0.5)
        .slice(0, 5)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${e.className}: right ${Math.round(e.getBoundingClientRect().right)}`,
        ),
    VIEWPORT.width,
  );

/** The figures fit their tiles, and nothing on the screen (tiles, clock, nav, controls) is cut off. */
async function expectFiguresFit(page: Page): Promise<void> {
  for (const f of await figureFits(page)) {
    expect(f.scrollWidth, JSON.stringify(f)).toBeLessThanOrEqual(f.clientWidth);
    expect(f.insideTile, JSON.stringify(f)).toBe(true);
  }
  expect(await pastTheEdge(page)).toEqual([]);
}

describe("browser: the WiFi scene", () => {
  it("shows the offer and 'No WiFi sales yet', then webhook sales live, fitting at 1600×900", async () => {
    await stack.api("/v1/admin/scenes/wifi", { method: "PUT", body: { enabled: true } });
    const config = await stack.api<WifiConfig>("/v1/wifi/config");
    expect(config.lightning_address).toBe(ADDRESS);

    const context = await stack.browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.baseUrl}/?scene=wifi&rotate=off`);
      // Any navigation after this one (a reload) would be a failure: the screen must update in place.
      const navigations: string[] = [];
      page.on("framenavigated", (f) => {
        if (f === page.mainFrame()) navigations.push(f.url());
      });
      await page.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid=scene][data-scene="wifi"]').waitFor({ timeout: 10_000 });

      // Before any payment: the offer as the server states it, and no invented zeros.
      await page.getByTestId("wifi-empty").waitFor({ timeout: 10_000 });
      expect(await page.getByTestId("wifi-empty").textContent()).toBe("No WiFi sales yet");
      expect(await page.getByTestId("wifi-sales-count").count()).toBe(0);
      expect(await page.getByTestId("wifi-description").textContent()).toBe(config.description);
      expect(await page.getByTestId("wifi-price").textContent()).toBe(
        `${config.duration_hours} hours for 2,100 satoshis`,
      );
      expect(await page.getByTestId("wifi-lightning-address").textContent()).toBe(ADDRESS);
      // Five scenes in the nav (the four and wifi) and the controls still fit the 1600 px screen.
      expect(await page.getByTestId("scene-nav-item").count()).toBe(5);
      expect(await pastTheEdge(page)).toEqual([]);
      await page.screenshot({ path: resolve(ARTIFACTS, "venue-wifi-empty.png") });

      // A payment arrives: count, sats and the sale itself, on the open screen.
      await pay(1, 2_100_999);
      await waitForFigure(page, "wifi-sales-count", "1");
      await waitForFigure(page, "wifi-sales-volume", "2,100");
      expect(await page.getByTestId("wifi-empty").count()).toBe(0);
      const rows = page.locator(".wifi-sales [data-testid=ticker-row]");
      await waitUntil(
        () => rows.count(),
        (n) => n === 1,
        { what: "the sale in the WiFi ticker" },
      );
      expect(await rows.first().textContent()).toContain("2,100");
      await expectFiguresFit(page);

      // More upgrades, then a total as long as a busy event's (9 digits): still inside the tiles.
      await pay(2, 2_100_000);
      await waitForFigure(page, "wifi-sales-count", "2");
      await waitForFigure(page, "wifi-sales-volume", "4,200");
      await waitUntil(
        () => rows.count(),
        (n) => n === 2,
        { what: "the second sale in the WiFi ticker" },
      );
      await expectFiguresFit(page);
      await pay(3, 123_456_789_000);
      await waitForFigure(page, "wifi-sales-volume", "123,460,989");
      await waitForFigure(page, "wifi-sales-count", "3");
      await expectFiguresFit(page);
      await page.screenshot({ path: resolve(ARTIFACTS, "venue-wifi-sales.png") });

      expect(await page.locator('[data-testid=scene][data-scene="wifi"]').count()).toBe(1);
      expect(navigations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
