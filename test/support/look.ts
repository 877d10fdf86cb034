/**
 * Measurements of the venue screen for browser tests (issue 16: fonts, legibility, themes, QR code):
 * what reaches past the viewport, the smallest text a reader sees, where requests go, and contrast.
 * Everything is read from the rendered page (boxes, computed styles), not looked at.
 */
import type { Page } from "playwright-core";
import type { Stack } from "./browser.js";

export const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
] as const;

export interface Box {
  what: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A venue page at `viewport` (reduced motion: no scene transition mid-measurement), once it is live. */
export async function openVenue(
  stack: Stack,
  path: string,
  viewport: { width: number; height: number } = { width: 1920, height: 1080 },
): Promise<{ page: Page } & Requests> {
  const context = await stack.browser.newContext({ viewport, reducedMotion: "reduce" });
  const page = await context.newPage();
  const requests = watchRequests(page);
  await page.goto(stack.baseUrl + path);
  await page.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
  return { page, ...requests };
}

export interface Requests {
  /** Every URL the page asked for. */
  all: string[];
  /** Those that would leave this machine (anything but 127.0.0.1, data: and blob:). */
  offMachine: string[];
}

export function watchRequests(page: Page): Requests {
  const requests: Requests = { all: [], offMachine: [] };
  page.on("request", (request) => {
    requests.all.push(request.url());
    const url = new URL(request.url());
    if (url.protocol === "data:" || url.protocol === "blob:") return;
    if (url.hostname !== "127.0.0.1") requests.offMachine.push(request.url());
  });
  return requests;
}

/**
 * Every visible element of the venue screen whose box reaches past the viewport's right or bottom edge.
 * An element inside a box that clips (overflow not visible, below the screen's own root) counts only as
 * far as that box shows it: a label cut with an ellipsis is fine, a header pushed off screen is not.
 * `root`: the screen's root element; `vertical: false` for a page that scrolls down (a phone's).
 */
export function overflowing(
  page: Page,
  { root = "[data-testid=venue]", vertical = true }: { root?: string; vertical?: boolean } = {},
): Promise<Box[]> {
  return page.evaluate(`(() => {
    const root = document.querySelector(${JSON.stringify(root)});
    const vertical = ${JSON.stringify(vertical)};
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    const out = [];
    for (const el of root.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") continue;
      let right = r.right;
      let bottom = r.bottom;
      for (let a = el.parentElement; a && a !== root; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX !== "visible") right = Math.min(right, a.getBoundingClientRect().right);
        if (s.overflowY !== "visible") bottom = Math.min(bottom, a.getBoundingClientRect().bottom);
      }
      if (right > width + 0.5 || (vertical && bottom > height + 0.5)) {
        const id = el.getAttribute("data-testid") || el.getAttribute("class") || el.tagName;
        out.push({ what: String(id), left: r.left, top: r.top, right, bottom });
      }
    }
    return out;
  })()`);
}

/**
 * Text that spills out of the box it belongs to, above or below: for each element matching
 * `boxSelector` (a leaderboard row, a tile), every visible text inside it whose rendered box reaches
 * past that element's top or bottom. Rows drawn over each other's text pass the viewport check; this
 * one sees them. (Sideways, a label cut with an ellipsis is meant to run past its box.)
 */
export function spilling(page: Page, boxSelector: string): Promise<Box[]> {
  return page.evaluate(`(() => {
    ${HIDDEN}
    const out = [];
    for (const box of document.querySelectorAll(${JSON.stringify(boxSelector)})) {
      const b = box.getBoundingClientRect();
      const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || !node.parentElement || hidden(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const r = range.getBoundingClientRect();
        if (r.width < 1 || r.height < 1) continue;
        // A glyph's box is taller than a tight line (Inter's is 1.21 em): that much is not a spill.
        const slack = 0.12 * parseFloat(getComputedStyle(node.parentElement).fontSize) + 0.5;
        if (r.top < b.top - slack || r.bottom > b.bottom + slack) {
          const what = node.textContent.trim().slice(0, 40);
          out.push({ what, left: r.left, top: r.top, right: r.right, bottom: r.bottom });
        }
      }
    }
    return out;
  })()`);
}

/** In-page: whether an element is out of sight (not displayed, hidden, transparent or clipped away). */
const HIDDEN = `const hidden = (el) => {
      for (let a = el; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) return true;
        if (s.clip !== "auto" && s.clip !== "") return true;
        if (s.clipPath !== "none") return true;
      }
      return false;
    };`;

export interface SmallestText {
  /** Rendered font size in CSS px (SVG text scaled by its viewBox, which rounds the box: ±0.05 px). */
  px: number;
  what: string;
  text: string;
}

/**
 * The smallest font among the venue screen's text a reader can see: text nodes with a box inside the
 * viewport, not under display:none / visibility:hidden / opacity 0, and not visually hidden (.sr-only's
 * clip). `null` when there is no visible text.
 */
export function smallestVisibleText(page: Page): Promise<SmallestText | null> {
  return page.evaluate(`(() => {
    const root = document.querySelector("[data-testid=venue]");
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    ${HIDDEN}
    let best = null;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || hidden(el)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (r.right <= 0 || r.bottom <= 0 || r.left >= vw || r.top >= vh) continue;
      let px = parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGElement && el.getScreenCTM()) px *= Math.abs(el.getScreenCTM().d);
      if (best === null || px < best.px) {
        const what = el.getAttribute("data-testid") || el.getAttribute("class") || el.tagName;
        best = { px, what: String(what), text: text.slice(0, 40) };
      }
    }
    return best;
  })()`);
}

/** WCAG 2 contrast ratio of two CSS colours ("rgb(…)"/"rgba(…)", "#rrggbb"); alpha is ignored. */
export function contrast(a: string, b: string): number {
  const lum = (css: string) => {
    const [r, g, bl] = channels(css).map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function channels(css: string): number[] {
  const c = css.trim();
  if (c.startsWith("#")) {
    const hex = c.length === 4 ? [...c.slice(1)].map((d) => d + d).join("") : c.slice(1, 7);
    return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  }
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m?.[1]) throw new Error(`not a colour: ${css}`);
  return m[1]
    .split(/[\s,/]+/)
    .slice(0, 3)
    .map((n) => Number(n));
}
