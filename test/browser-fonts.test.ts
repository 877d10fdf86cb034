/**
 * "₿" in the venue leaderboards (issue 16, defect 9) in headless Chromium against the real server: the
 * machine's own fonts have no glyph for it and drew an empty box. The app ships Inter (latin and
 * latin-ext, self-hosted); Chromium's own account of the fonts it rendered a node with (DevTools
 * CSS.getPlatformFontsForNode) says the glyph is drawn by Inter, and no request leaves 127.0.0.1.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack } from "./support/browser.js";
import { openVenue } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
/** The mock's "Fresh Squeeze ₿" (src/mock/profiles.ts, the eleventh merchant). */
const BITCOIN_MERCHANT = "110";

let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  // Enough sales in the last minutes to lead the 5-minute board, so its row is on screen.
  for (let i = 0; i < 60; i++) stack.mock.addSale(BITCOIN_MERCHANT, { amountSats: 2_100 });
  await stack.refetch(BITCOIN_MERCHANT);
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

interface PlatformFont {
  familyName: string;
  isCustomFont: boolean;
  glyphCount: number;
}

/** The fonts Chromium drew the text of the first element matching `selector` with. */
async function platformFonts(page: Page, selector: string): Promise<PlatformFont[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    return fonts.map((f) => ({
      familyName: f.familyName,
      isCustomFont: f.isCustomFont,
      glyphCount: f.glyphCount,
    }));
  } finally {
    await cdp.detach();
  }
}

describe("browser: the fonts the screens need ship with the app", () => {
  it("draws ₿ in a leaderboard with the self-hosted Inter, and asks nothing off this machine", async () => {
    const { page, all, offMachine } = await openVenue(
      stack,
      "/?rotate=off&scene=merchants&board=5m&metric=transactions",
    );
    try {
      const label = page.getByTestId("leaderboard-row").locator(".leaderboard__label", { hasText: "₿" });
      await label.waitFor();
      // The label, and the glyph alone in the same place and style, so its font is not mixed with the letters'.
      await page.evaluate(`(() => {
        const label = [...document.querySelectorAll("[data-testid=leaderboard-row] .leaderboard__label")]
          .find((el) => el.textContent.includes("₿"));
        label.setAttribute("data-probe", "label");
        const glyph = document.createElement("span");
        glyph.setAttribute("data-probe", "glyph");
        glyph.textContent = "₿";
        label.append(glyph);
        return document.fonts.ready.then(() => true);
      })()`);
      await page.screenshot({ path: resolve(ARTIFACTS, "fonts-bitcoin-sign-leaderboard.png") });

      expect(await platformFonts(page, "[data-probe=glyph]")).toEqual([
        { familyName: "Inter", isCustomFont: true, glyphCount: 1 },
      ]);
      // The whole name ("Fresh Squeeze ₿") is set in Inter alone (the file names itself "Inter"): no fallback.
      const fonts = await platformFonts(page, "[data-probe=label]");
      expect(fonts.map((f) => f.familyName)).toEqual(["Inter"]);

      // The latin-ext face (the one whose range has ₿) really loaded, from this server.
      const faces = await page.evaluate<{ family: string; range: string; status: string }[]>(
        `[...document.fonts].map((f) => ({ family: f.family, range: f.unicodeRange, status: f.status }))`,
      );
      expect(faces.filter((f) => f.range.includes("U+20AD-20C0"))).toEqual([
        { family: "Inter Variable", range: expect.any(String), status: "loaded" },
      ]);
      const fontFiles = all.filter((url) => url.endsWith(".woff2"));
      expect(fontFiles.some((url) => url.includes("inter-latin-ext-wght-normal"))).toBe(true);
      for (const url of fontFiles) expect(url.startsWith(`${stack.baseUrl}/`), url).toBe(true);
      expect(offMachine).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
});
