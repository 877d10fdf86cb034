/**
 * Leaderboard rows gliding to new ranks (issue 16, defect 13: "rows overlap mid-animation at
 * 1280×720"), in headless Chromium against the real server. Two reorders come one after the other, the
 * second while the first one's rows are still moving; every row's box is sampled on each animation frame.
 * Each row must travel from where it was seen to its new place and nowhere else, and once still, no two
 * rows may overlap. DevTools' slow motion (the document timeline at a tenth of its speed) keeps the first
 * glide running while the second sale is polled; it changes how fast rows move, not where.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack, waitUntil } from "./support/browser.js";
import { spilling } from "./support/look.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

/**
 * One animation frame: per merchant, its row's painted top and its layout top (without the transform),
 * both from the list's top, so that something above the list growing does not count as a row's move.
 */
interface Frame {
  order: string[];
  rows: Record<string, { visual: number; layout: number }>;
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

const order = (page: Page) =>
  page.evaluate<string[]>(
    `[...document.querySelectorAll("[data-testid=leaderboard-row]")].map((r) => r.dataset.merchantId)`,
  );

/** How many rows are gliding now. */
const moving = (page: Page) =>
  page.evaluate<number>(
    `[...document.querySelectorAll("[data-testid=leaderboard-row]")].filter((r) => r.getAnimations().length).length`,
  );

/** Records a Frame on every requestAnimationFrame until `window.__stopFrames()`. */
const SAMPLER = `(() => {
  window.__frames = [];
  let on = true;
  window.__stopFrames = () => { on = false; return window.__frames; };
  const sample = () => {
    if (!on) return;
    const rows = {};
    const order = [];
    const list = document.querySelector("[data-testid=leaderboard-merchants] ol");
    const origin = list ? list.getBoundingClientRect().top : 0;
    for (const el of document.querySelectorAll("[data-testid=leaderboard-row]")) {
      const top = el.getBoundingClientRect().top - origin;
      const t = getComputedStyle(el).transform;
      const dy = t === "none" ? 0 : new DOMMatrixReadOnly(t).m42;
      order.push(el.dataset.merchantId);
      rows[el.dataset.merchantId] = { visual: top, layout: top - dy };
    }
    window.__frames.push({ order, rows });
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
})()`;

/** Sells enough to `id` to put it above everyone, and polls it now. */
async function lift(id: string): Promise<void> {
  const board = await stack.api<Array<{ volume_sats: number }>>("/v1/leaderboard/merchants?limit=1");
  stack.mock.addSale(id, { amountSats: (board[0]?.volume_sats ?? 0) + 50_000 });
  await stack.refetch(id);
}

/**
 * Every place a row left its path: between two reorders a row may only be between where it was last seen
 * before the reorder and its new layout place (2 px for rounding).
 */
function strayRows(frames: Frame[]): string[] {
  const stray: string[] = [];
  let from: Record<string, number> = {};
  for (let i = 1; i < frames.length; i++) {
    const prev = frames[i - 1] as Frame;
    const frame = frames[i] as Frame;
    if (frame.order.join() !== prev.order.join() || Object.keys(from).length === 0) {
      from = Object.fromEntries(Object.entries(prev.rows).map(([id, r]) => [id, r.visual]));
    }
    for (const [id, r] of Object.entries(frame.rows)) {
      const start = from[id];
      if (start === undefined) continue;
      const lo = Math.min(start, r.layout) - 2;
      const hi = Math.max(start, r.layout) + 2;
      if (r.visual < lo || r.visual > hi) {
        stray.push(
          `frame ${i}: ${id} at ${r.visual.toFixed(1)}, path ${start.toFixed(1)} → ${r.layout.toFixed(1)}`,
        );
      }
    }
  }
  return stray;
}

describe("browser: leaderboard rows gliding to new ranks at 1280×720", () => {
  it("keeps every row on its path through two quick reorders, and no rows overlap afterwards", async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.baseUrl}/?scene=merchants&rotate=off&metric=volume&board=24h`);
      await page.locator('[data-testid=connection-status][data-status="live"]').waitFor();
      await page.getByTestId("leaderboard-row").nth(9).waitFor();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Animation.enable");
      await cdp.send("Animation.setPlaybackRate", { playbackRate: 0.1 });
      await page.evaluate(SAMPLER);

      const before = await order(page);
      const first = before[9] as string;
      const second = before[8] as string;
      await lift(first);
      await waitUntil(
        () => order(page),
        (o) => o[0] === first,
        { what: `${first} to lead` },
      );
      // The first glide (7 s in slow motion) is under way when the second reorder lands.
      await page.waitForTimeout(800);
      expect(await moving(page)).toBeGreaterThan(0);
      await lift(second);
      await waitUntil(
        () => order(page),
        (o) => o[0] === second,
        { what: `${second} to lead` },
      );
      await page.waitForTimeout(800);
      await cdp.send("Animation.setPlaybackRate", { playbackRate: 1 });
      await waitUntil(
        () => moving(page),
        (n) => n === 0,
        { what: "the rows to come to rest" },
      );
      const frames = await page.evaluate<Frame[]>(`window.__stopFrames()`);
      await page.screenshot({ path: resolve(ARTIFACTS, "leaderboard-after-two-reorders-1280.png") });

      expect(frames.some((f) => f.order[0] === first)).toBe(true);
      expect(strayRows(frames)).toEqual([]);

      const boxes = await page.evaluate<Array<{ id: string; top: number; bottom: number }>>(
        `[...document.querySelectorAll("[data-testid=leaderboard-row]")].map((r) => {
          const b = r.getBoundingClientRect();
          return { id: r.dataset.merchantId, top: b.top, bottom: b.bottom };
        })`,
      );
      const overlaps = boxes.slice(1).filter((b, i) => b.top < (boxes[i]?.bottom ?? 0) - 0.5);
      expect(overlaps).toEqual([]);
      expect(await spilling(page, "[data-testid=leaderboard-row]")).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
