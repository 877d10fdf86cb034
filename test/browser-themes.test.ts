/**
 * Themes for daylight venues (issue 16) in headless Chromium against the real server: `theme=` puts
 * data-theme on <html>, the screen's background and text take the theme's colours, and the main figures
 * (KPI numbers, the ticker's amounts, the clock, the leaderboard values) keep a WCAG contrast of at
 * least 4.5:1 against the tile behind them, 7:1 for the high-contrast theme. Colours are computed
 * styles; the tile's colours are its opaque background colour or gradient stops. Screenshots land in
 * test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack } from "./support/browser.js";
import { contrast, openVenue } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

const THEMES = [
  { theme: "dark", background: "rgb(7, 9, 13)", text: "rgb(242, 244, 248)", minContrast: 4.5 },
  { theme: "light", background: "rgb(238, 241, 246)", text: "rgb(15, 21, 32)", minContrast: 4.5 },
  { theme: "contrast", background: "rgb(255, 255, 255)", text: "rgb(0, 0, 0)", minContrast: 7 },
] as const;

const FIGURES: Record<string, string> = {
  overview: ".kpi__number, .ticker__sats, .clock",
  merchants: ".leaderboard__main, .clock",
};

let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

interface Figure {
  what: string;
  color: string;
  /** The opaque colours right behind it: the nearest ancestor's background colour or gradient stops. */
  behind: string[];
}

/** Each figure matching `selector` with its text colour and what is painted behind it. */
function figures(page: Page, selector: string): Promise<Figure[]> {
  return page.evaluate(`(() => {
    const opaque = (c) => !/rgba\\(.*,\\s*0(\\.\\d+)?\\)$/.test(c) && c !== "transparent";
    const colours = (s) => (s.match(/rgba?\\([^)]*\\)/g) || []).filter(opaque);
    return [...document.querySelectorAll(${JSON.stringify(selector)})].map((el) => {
      let behind = [];
      for (let a = el; a && behind.length === 0; a = a.parentElement) {
        const s = getComputedStyle(a);
        behind = [...colours(s.backgroundImage), ...(opaque(s.backgroundColor) ? [s.backgroundColor] : [])];
      }
      return { what: el.className + ": " + el.textContent.trim(), color: getComputedStyle(el).color, behind };
    });
  })()`);
}

describe("browser: themes for daylight venues", () => {
  for (const { theme, background, text, minContrast } of THEMES) {
    it(`applies the ${theme} theme and keeps the figures at ≥ ${minContrast}:1`, async () => {
      const { page, offMachine } = await openVenue(stack, `/?rotate=off&scene=overview&theme=${theme}`);
      try {
        expect(await page.evaluate(`document.documentElement.dataset.theme`)).toBe(theme);
        const screen = await page.evaluate<{ background: string; text: string }>(`(() => ({
          background: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.querySelector("[data-testid=event-name]")).color,
        }))()`);
        expect(screen).toEqual({ background, text });
        for (const scene of ["overview", "merchants"]) {
          await page.getByTestId(`scene-tab-${scene}`).click();
          const row = scene === "overview" ? "ticker-row" : "leaderboard-row";
          await page.getByTestId(row).first().waitFor();
          // The idle wall, as it is read: no controls floating over the figures.
          await page.locator("[data-testid=venue][data-idle=true]").waitFor({ timeout: 15_000 });
          await page.screenshot({ path: resolve(ARTIFACTS, `theme-${theme}-${scene}.png`) });
          const found = await figures(page, FIGURES[scene] ?? "");
          expect(found.length, scene).toBeGreaterThan(3);
          for (const figure of found) {
            expect(figure.behind.length, figure.what).toBeGreaterThan(0);
            const worst = Math.min(...figure.behind.map((b) => contrast(figure.color, b)));
            expect(
              worst,
              `${theme} ${figure.what}: ${figure.color} on ${figure.behind.join(", ")}`,
            ).toBeGreaterThanOrEqual(minContrast);
          }
        }
        expect(offMachine).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }

  it("leaves the admin area on its own dark styling whatever the screens use", async () => {
    const { page } = await openVenue(stack, "/?rotate=off&theme=light");
    try {
      expect(await page.evaluate(`document.documentElement.dataset.theme`)).toBe("light");
      await page.goto(`${stack.baseUrl}/admin?theme=light`);
      await page.waitForFunction(`document.documentElement.dataset.route === "admin"`);
      expect(await page.evaluate(`document.documentElement.dataset.theme ?? null`)).toBeNull();
    } finally {
      await page.context().close();
    }
  });
});
