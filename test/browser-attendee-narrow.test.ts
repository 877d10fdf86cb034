/**
 * The attendee page on a phone (issue 16, defect 13: "attendee page at 360 px clips labels and the
 * title"), in headless Chromium against the real server at 360×740: nothing reaches past the screen's
 * right edge, and no text that carries meaning (the event's name, the tiles' labels and figures, the
 * leaderboards' names and values) is cut: each such element shows all of its text (its scroll width
 * fits its box). Checked with the default name and the longest name the URL allows (80 characters).
 * Screenshots land in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack } from "./support/browser.js";
import { type Box, overflowing } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
/** 80 characters: settings.ts keeps that much of `event=`. */
const LONGEST_NAME = "Adopting Bitcoin Lightning Summit El Salvador Community Market Night Edition 26!";
const TEXTS =
  "[data-testid=event-name], .kpi__label, .kpi__number, .leaderboard__label, .leaderboard__detail, .leaderboard__main, .section-title";

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
 * Meaningful text elements that hide part of their text: cut by their own box (or an ellipsis), or by
 * an ancestor that clips (a tile with overflow hidden).
 */
function clipped(page: Page): Promise<Box[]> {
  return page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll(${JSON.stringify(TEXTS)})) {
      if (el.getClientRects().length === 0) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      const r = range.getBoundingClientRect();
      const s = getComputedStyle(el);
      let cut = s.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1;
      for (let a = el.parentElement; a && !cut; a = a.parentElement) {
        const as = getComputedStyle(a);
        if (as.overflowX === "visible") continue;
        const b = a.getBoundingClientRect();
        cut = r.right > b.right + 1 || r.left < b.left - 1;
      }
      if (cut) {
        const what = el.className + ": " + el.textContent.trim().slice(0, 40);
        out.push({ what, left: r.left, top: r.top, right: r.right, bottom: r.bottom });
      }
    }
    return out;
  })()`);
}

describe("browser: attendee page at 360×740", () => {
  for (const [what, query] of [
    ["the default name", ""],
    ["the longest allowed name", `&event=${encodeURIComponent(LONGEST_NAME)}`],
  ] as const) {
    it(`neither overflows sideways nor cuts a label, with ${what}`, async () => {
      const context = await stack.browser.newContext({
        viewport: { width: 360, height: 740 },
        reducedMotion: "reduce",
      });
      const page = await context.newPage();
      try {
        await page.goto(`${stack.baseUrl}/?mode=attendee${query}`);
        await page.locator('[data-testid=connection-status][data-status="live"]').waitFor();
        await page.locator(".leaderboard__row").first().waitFor();
        await page.locator(".kpi__number[data-value]:not([data-value=''])").first().waitFor();
        await page.screenshot({
          path: resolve(ARTIFACTS, `attendee-360-${query ? "long" : "default"}.png`),
          fullPage: true,
        });
        expect(await page.evaluate<number>(`document.documentElement.scrollWidth`)).toBeLessThanOrEqual(360);
        expect(await overflowing(page, { root: "[data-testid=attendee]", vertical: false })).toEqual([]);
        expect(await clipped(page)).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
