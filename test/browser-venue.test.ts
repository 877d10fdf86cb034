/**
 * The venue screen's honesty and layout (issue 16, defects 3, 4, 5 and 12) in headless Chromium against
 * the real server and the mock upstream: a long event name never pushes anything off screen, the tiles
 * say what they count, the charts leave out the unfinished minute, and merchants that stop reporting show.
 * Layout is measured from bounding boxes, not looked at. Screenshots land in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack, waitUntil } from "./support/browser.js";
import { type Box, overflowing } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
/** The longest name the URL keeps (settings.ts cuts `event` at 80 characters), in wide letters. */
const LONG_EVENT = "W".repeat(40) + " Adopting Bitcoin Conference San Salvador 2026 MMMMMMMMM".slice(0, 40);

interface SummaryBody {
  transactions_per_minute: number;
  volume_per_minute: number;
  active_merchants: number;
  reporting_merchants: number;
  total_merchants: number;
}

let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

async function openPage(path: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const context = await stack.browser.newContext({ viewport, reducedMotion: "reduce" });
  const page = await context.newPage();
  await page.goto(stack.baseUrl + path);
  await page.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
  return page;
}

async function boxOf(page: Page, testId: string): Promise<Box> {
  const r = await page.getByTestId(testId).boundingBox();
  if (!r) throw new Error(`${testId} has no box`);
  return { what: testId, left: r.x, top: r.y, right: r.x + r.width, bottom: r.y + r.height };
}

describe("browser: venue screen layout", () => {
  for (const viewport of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    it(`keeps the longest event name from pushing anything off a ${viewport.width}×${viewport.height} screen`, async () => {
      expect(LONG_EVENT).toHaveLength(80);
      const page = await openPage(
        `/?rotate=off&scene=overview&event=${encodeURIComponent(LONG_EVENT)}`,
        viewport,
      );
      try {
        await page.getByTestId("kpi-total-transactions").waitFor();
        await page.screenshot({ path: resolve(ARTIFACTS, `venue-long-name-${viewport.width}.png`) });
        // Every scene of the built-in rotation, under the same header and footer.
        for (const scene of ["overview", "merchants", "products", "trends"]) {
          await page.getByTestId(`scene-tab-${scene}`).click();
          await page.locator(`[data-testid=scene][data-scene=${scene}]`).waitFor();
          expect({ scene, overflowing: await overflowing(page) }).toEqual({ scene, overflowing: [] });
        }
        for (const id of [
          "clock",
          "last-updated",
          "connection-status",
          "controls",
          "pause-rotation",
          "board-metric",
        ]) {
          const box = await boxOf(page, id);
          expect(box.left, id).toBeGreaterThanOrEqual(0);
          expect(box.top, id).toBeGreaterThanOrEqual(0);
          expect(box.right, id).toBeLessThanOrEqual(viewport.width);
          expect(box.bottom, id).toBeLessThanOrEqual(viewport.height);
        }
        // The rates' window line is there to be read, not squeezed to nothing by the sparkline.
        for (const window of await page.getByTestId("kpi-rate-window").all()) {
          const r = await window.boundingBox();
          expect(r?.height ?? 0).toBeGreaterThan(8);
          expect(await window.textContent()).toBe("avg · last 5 min");
        }
        // The name gave way (cut with an ellipsis) rather than the clock and status.
        const name = await boxOf(page, "event-name");
        expect(name.right).toBeLessThanOrEqual((await boxOf(page, "connection-status")).left);
        const cut = await page
          .getByTestId("event-name")
          .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
        expect(cut.scroll).toBeGreaterThan(cut.client);
        // The whole name stays readable on hover and to assistive technology.
        expect(await page.getByTestId("event-name").getAttribute("title")).toBe(LONG_EVENT);
      } finally {
        await page.context().close();
      }
    });
  }
});

describe("browser: venue figures", () => {
  it("labels the catalogue count for what it is: products on sale, not products sold", async () => {
    const page = await openPage("/?rotate=off&scene=overview");
    try {
      const tile = page.locator("section.kpi--products");
      await expect.poll(() => tile.locator(".kpi__label").textContent()).toBe("Products on sale");
      expect(await tile.getAttribute("aria-label")).toBe("Products on sale");
    } finally {
      await page.context().close();
    }
  });

  it("plots finished minutes only, and its 'now' is the rate tiles' figure", async () => {
    // Sales in the current minute: a plotted partial minute would show them as a whole minute's rate.
    for (let i = 0; i < 6; i++) stack.mock.addSale("100", { amountSats: 1_000 });
    await stack.refetch("100");
    await settle(stack);
    const page = await openPage("/?rotate=off&scene=trends");
    try {
      const chart = page.getByTestId("trend-transactions");
      await chart.waitFor();
      const read = async () => ({
        api: await stack.api<SummaryBody>("/v1/summary"),
        now: Number(await page.getByTestId("trend-transactions-now").getAttribute("data-value")),
        sats: Number(await page.getByTestId("trend-volume-now").getAttribute("data-value")),
        last: await chart.getAttribute("data-last-start"),
        points: Number(await chart.getAttribute("data-points")),
      });
      const seen = await waitUntil(read, (r) => r.now === r.api.transactions_per_minute && r.points > 0, {
        what: "the trend's now to equal the summary's rate",
      });
      expect(seen.now).toBeGreaterThan(0);
      expect(seen.sats).toBe(seen.api.volume_per_minute);
      // A whole window of finished minutes: the last one plotted ended before now.
      expect(seen.points).toBe(60);
      expect(Date.parse(String(seen.last)) + 60_000).toBeLessThanOrEqual(Date.now());
      expect(await page.locator(".trend--tx .trend__stats dt").first().textContent()).toBe(
        "Now · avg · last 5 min",
      );
      // Every figure says its window: the charts theirs, the header only the charts'.
      expect(await page.locator("#trend-tx-title").textContent()).toBe(
        "Transactions per minute · last 60 min",
      );
      expect(await page.getByTestId("window-label").textContent()).toBe("Live · charts: last 60 min");
      await page.screenshot({ path: resolve(ARTIFACTS, "venue-trends-now.png") });
    } finally {
      await page.context().close();
    }
  });

  it("counts merchants reporting out of those enabled, and follows a failing upstream without a reload", async () => {
    const page = await openPage("/?rotate=off&scene=overview");
    const tile = page.getByTestId("kpi-active-merchants");
    const failing = ["100", "101"];
    try {
      const enabled = (await stack.api<SummaryBody>("/v1/summary")).active_merchants;
      expect(enabled).toBeGreaterThan(2);
      await expect.poll(() => tile.getAttribute("data-value"), { timeout: 10_000 }).toBe(String(enabled));
      for (const id of failing) stack.mock.setFault(id, { status: 500 });
      const api = await waitUntil(
        () => stack.api<SummaryBody>("/v1/summary"),
        (s) => s.reporting_merchants === enabled - failing.length,
        { what: "the summary to count the failing merchants out" },
      );
      expect(api.active_merchants).toBe(enabled);
      await expect.poll(() => tile.getAttribute("data-value"), { timeout: 10_000 }).toBe(String(enabled - 2));
      expect(await tile.getAttribute("data-total")).toBe(String(enabled));
      expect(await page.getByTestId("kpi-merchants-missing").textContent()).toBe("2 not reporting");
      expect(await page.locator("section.kpi--merchants .kpi__label").textContent()).toBe(
        "Merchants reporting",
      );
      await page.screenshot({ path: resolve(ARTIFACTS, "venue-merchants-not-reporting.png") });
      for (const id of failing) {
        stack.mock.clearFault(id);
        await stack.refetch(id); // now, not after the failures' backoff
      }
      await expect.poll(() => tile.getAttribute("data-value"), { timeout: 15_000 }).toBe(String(enabled));
    } finally {
      for (const id of failing) stack.mock.clearFault(id);
      await page.context().close();
    }
  });
});
