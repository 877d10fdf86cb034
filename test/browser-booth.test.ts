/**
 * Issue 16, group "booth", in headless Chromium against the real server and the mock upstream: a booth
 * screen (`/?merchant=ID`) shows only its merchant's figures and follows only its sales; the venue and
 * attendee pages show progress to the next milestone and move with each sale; the attendee page
 * celebrates a milestone with its lighter card; sound is off by default, and with `sound=1` asks for the
 * click browsers need, then plays a tone on a sale and on a milestone. Screenshots in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Stack, type Summary, settle, startStack } from "./support/browser.js";
import { overflowing } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const BOOTH = "100";
const OTHER = "101";

let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

/**
 * Counts the oscillators the page starts (each note of a tone is one), whatever code starts them: the
 * page's own counter (data-sounds-played) is checked against what really reached the Web Audio API.
 */
const COUNT_TONES = `(() => {
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
})()`;

async function openPage(
  path: string,
  options: { viewport?: { width: number; height: number }; reducedMotion?: "reduce" | "no-preference" } = {},
): Promise<Page> {
  const context = await stack.browser.newContext({
    viewport: options.viewport ?? { width: 1920, height: 1080 },
    reducedMotion: options.reducedMotion ?? "reduce",
  });
  const page = await context.newPage();
  await page.addInitScript(COUNT_TONES);
  const offMachine: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(stack.baseUrl) && !r.url().startsWith("data:")) offMachine.push(r.url());
  });
  (page as Page & { offMachine?: string[] }).offMachine = offMachine;
  await page.goto(stack.baseUrl + path);
  await page.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
  return page;
}

const offMachine = (page: Page) => (page as Page & { offMachine?: string[] }).offMachine ?? [];

/** One sale upstream at `merchantId`, polled at once; resolves when the server has stored it. */
async function sell(merchantId: string, amountSats = 1_000) {
  const sale = stack.mock.addSale(merchantId, { amountSats });
  await stack.refetch(merchantId);
  await settle(stack);
  return sale;
}

async function admin<T>(path: string, body: unknown, method = "POST"): Promise<T> {
  const res = await fetch(stack.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function disableMilestones(): Promise<void> {
  for (const m of await stack.api<{ id: number }[]>("/v1/admin/milestones")) {
    await admin(`/v1/admin/milestones/${m.id}`, { enabled: false }, "PUT");
  }
}

const value = (page: Page, testId: string) => page.getByTestId(testId).getAttribute("data-value");

describe("browser: booth and progress layout", () => {
  for (const viewport of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    it(`keeps the booth screen and the venue's progress strip inside ${viewport.width}×${viewport.height}`, async () => {
      await disableMilestones();
      const { total_transactions: total } = await settle(stack);
      const milestone = await admin<{ id: number }>("/v1/admin/milestones", {
        name: "A milestone with a long name that has to give way on a small screen, somewhere",
        type: "transactions",
        threshold: total + 1000,
      });
      const booth = await openPage(`/?merchant=${BOOTH}`, { viewport });
      const venue = await openPage("/?rotate=off&scene=overview", { viewport });
      try {
        await booth.locator("[data-testid=booth-top-products] [data-product-id]").first().waitFor();
        await booth.getByTestId("booth-trend").waitFor();
        expect(await overflowing(booth, { root: "[data-testid=booth]" })).toEqual([]);
        await booth.screenshot({ path: resolve(ARTIFACTS, `booth-${viewport.width}.png`) });
        await venue.getByTestId("milestone-progress").waitFor();
        expect(await overflowing(venue, { root: "[data-testid=venue]" })).toEqual([]);
        await venue.screenshot({ path: resolve(ARTIFACTS, `venue-progress-${viewport.width}.png`) });
      } finally {
        await booth.context().close();
        await venue.context().close();
        await admin(`/v1/admin/milestones/${milestone.id}`, { enabled: false }, "PUT");
      }
    });
  }
});

describe("browser: a booth screen for one merchant", () => {
  it("shows only its merchant's figures and follows its sales, not another merchant's", async () => {
    const page = await openPage(`/?merchant=${BOOTH}`);
    try {
      const own = () => stack.api<Summary>(`/v1/summary?merchant_id=${BOOTH}`);
      const everyone = await stack.api<Summary>("/v1/summary");
      const before = await own();
      expect(before.total_transactions).toBeLessThan(everyone.total_transactions);
      await expect.poll(() => value(page, "kpi-total-transactions")).toBe(String(before.total_transactions));
      expect(await value(page, "kpi-total-volume")).toBe(String(before.total_volume_sats));
      const merchantIds = async (selector: string) =>
        page.locator(selector).evaluateAll((els) => els.map((e) => e.getAttribute("data-merchant-id")));
      const tickerIds = await merchantIds("[data-testid=ticker-row]");
      expect(tickerIds.length).toBeGreaterThan(0);
      expect(new Set(tickerIds)).toEqual(new Set([BOOTH]));
      await page.locator("[data-testid=booth-top-products] [data-product-id]").first().waitFor();
      expect(new Set(await merchantIds("[data-testid=booth-top-products] [data-product-id]"))).toEqual(
        new Set([BOOTH]),
      );
      expect(await page.getByTestId("booth-name").textContent()).toBe(
        stack.mock.merchants().find((m) => m.id === BOOTH)?.name,
      );
      await page.screenshot({ path: resolve(ARTIFACTS, "booth.png") });

      // Another merchant sells first, then this one: once this one's sale shows, the other's has
      // already passed through the stream, and the screen took no notice of it.
      const other = await sell(OTHER, 7_777);
      const mine = await sell(BOOTH, 4_321);
      await page
        .locator(`[data-testid=ticker-row][data-merchant-id="${BOOTH}"][data-sale-id="${mine.saleId}"]`)
        .waitFor({ timeout: 5_000 });
      const after = await own();
      expect(after.total_transactions).toBe(before.total_transactions + 1);
      await expect.poll(() => value(page, "kpi-total-transactions")).toBe(String(after.total_transactions));
      expect(await value(page, "kpi-total-volume")).toBe(String(after.total_volume_sats));
      expect(await page.locator(`[data-testid=ticker-row][data-sale-id="${other.saleId}"]`).count()).toBe(0);
      expect(new Set(await merchantIds("[data-testid=ticker-row]"))).toEqual(new Set([BOOTH]));
      expect(offMachine(page)).toEqual([]);
      await page.screenshot({ path: resolve(ARTIFACTS, "booth-after-sale.png") });
    } finally {
      await page.context().close();
    }
  });

  it("says so when the merchant does not exist", async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.baseUrl}/?merchant=no-such-stand`);
      await expect.poll(() => page.getByTestId("booth-unknown").isVisible(), { timeout: 10_000 }).toBe(true);
      expect(await page.getByTestId("booth-unknown").textContent()).toContain("no-such-stand");
      await page.screenshot({ path: resolve(ARTIFACTS, "booth-unknown.png") });
    } finally {
      await context.close();
    }
  });
});

describe("browser: progress to the next milestone", () => {
  it("venue and attendee pages say what is left, and count down as sales arrive", async () => {
    await disableMilestones();
    const { total_transactions: total } = await settle(stack);
    const goal = total + 3;
    const milestone = await admin<{ id: number }>("/v1/admin/milestones", {
      name: "Next round",
      type: "transactions",
      threshold: goal,
    });
    const venue = await openPage("/?rotate=off&scene=overview");
    const phone = await openPage("/?mode=attendee", { viewport: { width: 360, height: 740 } });
    try {
      for (const page of [venue, phone]) {
        const progress = page.getByTestId("milestone-progress");
        await expect.poll(() => progress.getAttribute("data-milestone-id")).toBe(String(milestone.id));
        await expect
          .poll(() => page.getByTestId("milestone-progress-text").textContent())
          .toBe(`3 sales to ${goal.toLocaleString("en-US")}`);
      }
      await venue.screenshot({ path: resolve(ARTIFACTS, "venue-milestone-progress.png") });
      await sell(BOOTH);
      for (const page of [venue, phone]) {
        await expect
          .poll(() => page.getByTestId("milestone-progress-text").textContent())
          .toBe(`2 sales to ${goal.toLocaleString("en-US")}`);
        expect(await page.getByTestId("milestone-progress").getAttribute("data-remaining")).toBe("2");
      }
      // Inside the phone's width: nothing of it is cut off the side.
      const box = await phone.getByTestId("milestone-progress").boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
      await phone.screenshot({
        path: resolve(ARTIFACTS, "attendee-milestone-progress-360.png"),
        fullPage: true,
      });
    } finally {
      await venue.context().close();
      await phone.context().close();
      await admin(`/v1/admin/milestones/${milestone.id}`, { enabled: false }, "PUT");
    }
  });
});

describe("browser: celebrations on attendee phones", () => {
  for (const motion of ["no-preference", "reduce"] as const) {
    it(`shows the lighter card when a milestone fires (${motion} motion)`, async () => {
      await disableMilestones();
      const page = await openPage("/?mode=attendee", {
        viewport: { width: 360, height: 740 },
        reducedMotion: motion,
      });
      try {
        const { total_transactions: total } = await settle(stack);
        const milestone = await admin<{ id: number }>("/v1/admin/milestones", {
          name: `Phone moment ${motion}`,
          type: "transactions",
          threshold: total + 1,
        });
        await sell(BOOTH);
        const card = page.getByTestId("celebration");
        await card.waitFor({ state: "visible", timeout: 5_000 });
        expect(await card.getAttribute("data-milestone-id")).toBe(String(milestone.id));
        expect(await card.getAttribute("data-variant")).toBe("light");
        expect(await card.getAttribute("data-motion")).toBe(motion === "reduce" ? "static" : "animated");
        expect(await page.locator(".celebration__confetti").count()).toBe(motion === "reduce" ? 0 : 1);
        const box = await card.boundingBox();
        // A card, not the whole screen: the page stays visible below it, and it fits the phone's width.
        expect(box && box.x >= 0 && box.x + box.width <= 360 && box.height < 740).toBe(true);
        // No sound by default on a phone.
        expect(await page.getByTestId("attendee").getAttribute("data-sound")).toBe("off");
        expect(await page.evaluate("window.__tones")).toBe(0);
        await page.screenshot({ path: resolve(ARTIFACTS, `attendee-celebration-${motion}.png`) });
        await page.getByTestId("celebration-dismiss").click();
        await card.waitFor({ state: "hidden" });
      } finally {
        await page.context().close();
      }
    });
  }
});

describe("browser: sound", () => {
  it("with sound=1 asks for a click, then plays a tone on a sale and a fanfare on a milestone", async () => {
    await disableMilestones();
    const page = await openPage("/?rotate=off&scene=overview&sound=1");
    const venue = page.getByTestId("venue");
    try {
      const prompt = page.getByTestId("sound-prompt");
      await prompt.waitFor({ state: "visible" });
      expect(await prompt.textContent()).toContain("Click to enable sound");
      expect(await venue.getAttribute("data-sound")).toBe("suspended");
      await page.screenshot({ path: resolve(ARTIFACTS, "venue-sound-prompt.png") });
      await prompt.click();
      await expect.poll(() => venue.getAttribute("data-sound")).toBe("running");
      await prompt.waitFor({ state: "hidden" });
      expect(await venue.getAttribute("data-sounds-played")).toBe("0");

      const sale = await sell(BOOTH);
      await page
        .locator(`[data-testid=ticker-row][data-sale-id="${sale.saleId}"]`)
        .waitFor({ timeout: 5_000 });
      await expect.poll(() => venue.getAttribute("data-sounds-played")).toBe("1");
      expect(await venue.getAttribute("data-sound-last")).toBe("sale");
      expect(await page.evaluate("window.__tones")).toBe(2); // the sale tone's two notes

      const { total_transactions: total } = await settle(stack);
      await admin("/v1/admin/milestones", { name: "Loud one", type: "transactions", threshold: total + 1 });
      await sell(BOOTH);
      await page.getByTestId("celebration").waitFor({ state: "visible", timeout: 5_000 });
      await expect.poll(() => venue.getAttribute("data-sound-last")).toBe("milestone");
      expect(Number(await page.evaluate("window.__tones"))).toBeGreaterThanOrEqual(2 + 4);
      expect(offMachine(page)).toEqual([]);
    } finally {
      await page.context().close();
      await disableMilestones();
    }
  });

  it("is off by default: no prompt and no tone; the switch turns it on with its own click", async () => {
    const page = await openPage("/?rotate=off&scene=overview");
    const venue = page.getByTestId("venue");
    try {
      expect(await venue.getAttribute("data-sound")).toBe("off");
      const sale = await sell(BOOTH);
      await page
        .locator(`[data-testid=ticker-row][data-sale-id="${sale.saleId}"]`)
        .waitFor({ timeout: 5_000 });
      expect(await page.getByTestId("sound-prompt").count()).toBe(0);
      expect(await venue.getAttribute("data-sounds-played")).toBe("0");
      expect(await page.evaluate("window.__tones")).toBe(0);

      const toggle = page.getByTestId("sound-toggle");
      expect(await toggle.getAttribute("aria-pressed")).toBe("false");
      await toggle.click();
      await expect.poll(() => venue.getAttribute("data-sound")).toBe("running");
      expect(new URL(page.url()).searchParams.get("sound")).toBe("1");
      expect(await page.getByTestId("sound-prompt").count()).toBe(0);
      const next = await sell(BOOTH);
      await page
        .locator(`[data-testid=ticker-row][data-sale-id="${next.saleId}"]`)
        .waitFor({ timeout: 5_000 });
      await expect.poll(() => venue.getAttribute("data-sounds-played")).toBe("1");
    } finally {
      await page.context().close();
    }
  });

  it("a booth screen with sound=1 plays only for its own merchant's sales", async () => {
    const page = await openPage(`/?merchant=${BOOTH}&sound=1`);
    const booth = page.getByTestId("booth");
    try {
      await page.getByTestId("sound-prompt").click();
      await expect.poll(() => booth.getAttribute("data-sound")).toBe("running");
      await sell(OTHER);
      const mine = await sell(BOOTH);
      await page
        .locator(`[data-testid=ticker-row][data-sale-id="${mine.saleId}"]`)
        .waitFor({ timeout: 5_000 });
      await expect.poll(() => booth.getAttribute("data-sounds-played")).toBe("1");
      expect(await page.evaluate("window.__tones")).toBe(2);
    } finally {
      await page.context().close();
    }
  });
});
