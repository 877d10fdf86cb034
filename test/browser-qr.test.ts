/**
 * The QR code to the attendee page on the venue screen (issue 16) in headless Chromium against the real
 * server: at 1280×720, 1920×1080 and 3840×2160 it is on screen, captioned, large enough to scan and
 * inside the viewport; the pixels Chromium painted, read back module by module, are the symbol for this
 * server's attendee page; that URL opens the attendee page; and nothing is asked of another machine
 * (the code is drawn locally, no image service). Screenshots land in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { create } from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack } from "./support/browser.js";
import { openVenue, overflowing, VIEWPORTS } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const QUIET_ZONE = 4;

let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

/** The symbol `text` encodes to, one "0"/"1" string per row (1 = dark), as the encoder lays it out. */
function expectedRows(text: string): string[] {
  const { modules } = create(text, { errorCorrectionLevel: "M" });
  const n = modules.size;
  return Array.from({ length: n }, (_, r) =>
    Array.from(modules.data.subarray(r * n, (r + 1) * n), (d) => (d ? "1" : "0")).join(""),
  );
}

/**
 * What the screen shows: a screenshot of the code, decoded in the page's canvas and sampled at the
 * centre of each of the `modules`² modules, dark where the pixel is. The symbol's edges are found in
 * the pixels (the finder patterns reach its corners), so a fractional module size, a box that does not
 * start on a whole pixel or the page showing through its blended edge cannot shift the grid.
 */
async function paintedRows(page: Page, modules: number): Promise<string[]> {
  const png = (await page.getByTestId("attendee-qr-code").screenshot()).toString("base64");
  return page.evaluate(`(async () => {
    const img = new Image();
    img.src = "data:image/png;base64,${png}";
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    const dark = (x, y) => {
      const i = (y * img.width + x) * 4;
      return data[i] + data[i + 1] + data[i + 2] < 3 * 128;
    };
    let left = img.width, top = img.height, right = -1, bottom = -1;
    // Modules are ≥ 2 px: a 2×2 dark block is a module, a 1 px line is the box's blended edge.
    for (let y = 0; y + 1 < img.height; y++) {
      for (let x = 0; x + 1 < img.width; x++) {
        if (!dark(x, y) || !dark(x + 1, y) || !dark(x, y + 1) || !dark(x + 1, y + 1)) continue;
        left = Math.min(left, x); right = Math.max(right, x + 1);
        top = Math.min(top, y); bottom = Math.max(bottom, y + 1);
      }
    }
    const n = ${modules};
    const stepX = (right - left + 1) / n;
    const stepY = (bottom - top + 1) / n;
    const rows = [];
    for (let r = 0; r < n; r++) {
      let row = "";
      for (let c = 0; c < n; c++) {
        row += dark(Math.floor(left + (c + 0.5) * stepX), Math.floor(top + (r + 0.5) * stepY)) ? "1" : "0";
      }
      rows.push(row);
    }
    return rows;
  })()`);
}

describe("browser: a QR code to the attendee page on the venue screen", () => {
  for (const viewport of VIEWPORTS) {
    it(`shows a scannable code for this server's attendee page at ${viewport.width}×${viewport.height}`, async () => {
      const attendeeUrl = `${stack.baseUrl}/?mode=attendee`;
      const { page, offMachine } = await openVenue(stack, "/?rotate=off&scene=overview", viewport);
      try {
        const figure = page.getByTestId("attendee-qr");
        const code = page.getByTestId("attendee-qr-code");
        await code.waitFor();
        expect(await figure.getAttribute("data-url")).toBe(attendeeUrl);
        expect(await code.getAttribute("aria-label")).toBe(`QR code: ${attendeeUrl}`);
        expect(await figure.locator("figcaption").textContent()).toBe("Scan for the live page");

        const expected = expectedRows(attendeeUrl);
        expect(Number(await code.getAttribute("data-modules"))).toBe(expected.length);
        const box = await code.boundingBox();
        if (!box) throw new Error("the QR code has no box");
        // Large enough to scan: ≥ 7 venue units a side (7 % of a 16:9 screen's width), ≥ 2 px a module.
        const unit = Math.min(viewport.width / 100, (viewport.height * 1.7778) / 100);
        expect(box.width).toBeGreaterThanOrEqual(7 * unit - 0.5);
        expect(box.width / (expected.length + 2 * QUIET_ZONE)).toBeGreaterThanOrEqual(2);
        expect(box.height).toBeCloseTo(box.width, 0);
        expect(await paintedRows(page, expected.length)).toEqual(expected);

        // Inside the screen on every scene, with the rest of the header.
        for (const scene of ["overview", "merchants", "products", "trends"]) {
          await page.getByTestId(`scene-tab-${scene}`).click();
          await page.locator(`[data-testid=scene][data-scene=${scene}]`).waitFor();
          expect({ scene, overflowing: await overflowing(page) }).toEqual({ scene, overflowing: [] });
        }
        await page.screenshot({
          path: resolve(ARTIFACTS, `qr-venue-${viewport.width}x${viewport.height}.png`),
        });
        expect(offMachine).toEqual([]);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  }

  it("opens the attendee page at the URL it encodes", async () => {
    const { page } = await openVenue(stack, "/?rotate=off");
    try {
      const url = await page.getByTestId("attendee-qr").getAttribute("data-url");
      await page.goto(String(url));
      await page.getByTestId("attendee").waitFor();
    } finally {
      await page.context().close();
    }
  });
});
