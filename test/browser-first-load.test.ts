/**
 * Issue 16, defect 13: on first load the venue screen asked for the summary, the ticker and the
 * milestone triggers twice each (once at start, once more when the stream opened). Counted from the
 * browser's own requests (page.on("request")) against the real server and the mock upstream, until
 * the screen has shown several pushed summaries: once each, and nothing off this machine.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, settle, startStack, waitUntil } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

describe("browser: the venue screen's first load", () => {
  it("fetches summary, ticker and triggers once each", async () => {
    const context = await stack.browser.newContext({
      viewport: { width: 1920, height: 1080 },
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    const asked: string[] = [];
    page.on("request", (r) => asked.push(r.url()));
    await page.goto(`${stack.baseUrl}/`);
    await page.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
    const updated = page.getByTestId("last-updated");
    // Polls every 500 ms: each cycle's end pushes a summary that moves "Updated". Three of them seen
    // means the load is long over and the stream alone has been keeping the screen current.
    const seen = new Set<string>();
    await waitUntil(
      async () => {
        const at = await updated.getAttribute("data-updated-at");
        if (at) seen.add(at);
        return seen.size;
      },
      (n) => n >= 3,
      { timeoutMs: 20_000, what: "three pushed updates" },
    );
    await page.screenshot({ path: resolve(ARTIFACTS, "venue-first-load.png") });
    const count = (path: string) => asked.filter((u) => new URL(u).pathname === path).length;
    expect({
      summary: count("/v1/summary"),
      ticker: count("/v1/ticker"),
      triggers: count("/v1/milestones/triggers"),
      stream: count("/v1/stream"),
    }).toEqual({ summary: 1, ticker: 1, triggers: 1, stream: 1 });
    expect(asked.filter((u) => !u.startsWith(stack.baseUrl))).toEqual([]);
    await context.close();
  }, 60_000);
});
