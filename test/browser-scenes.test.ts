/**
 * The venue playlist end to end in headless Chromium: an operator edits scenes in /admin and a venue
 * screen open in another tab follows at once, through the live stream, without a reload.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Stack, startStack, waitUntil } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

let stack: Stack;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function openPage(path: string): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  await page.goto(stack.baseUrl + path);
  return page;
}

/** The scene ids of the venue screen's scene nav, in order: the playlist it is rotating. */
const navScenes = (page: Page) =>
  page
    .getByTestId("scene-nav-item")
    .evaluateAll((items) => items.map((i) => i.getAttribute("data-scene-id")));

async function waitForNav(page: Page, expected: string[]): Promise<void> {
  await waitUntil(
    () => navScenes(page),
    (ids) => ids.join() === expected.join(),
    { what: `the venue screen's scenes to be ${expected.join(", ")}` },
  );
}

const row = (admin: Page, id: string) => admin.locator(`[data-testid=scene-row][data-scene-id="${id}"]`);

describe("browser: scenes", () => {
  it("editing the playlist in /admin changes a running venue screen without a reload", async () => {
    const venue = await openPage("/");
    const admin = await openPage("/admin#scenes");
    try {
      const navigations: string[] = [];
      venue.on("framenavigated", (f) => {
        if (f === venue.mainFrame()) navigations.push(f.url());
      });
      await venue.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
      await waitForNav(venue, ["overview", "merchants", "products", "trends"]);

      await admin.getByTestId("login-token").fill(ADMIN_TOKEN);
      await admin.getByTestId("login-submit").click();
      await row(admin, "trends").waitFor({ state: "visible" });
      expect(await admin.getByTestId("scene-row").count()).toBe(6);

      // Disable a scene: it leaves the screen's rotation.
      await row(admin, "trends").getByTestId("scene-enabled").click();
      await waitForNav(venue, ["overview", "merchants", "products"]);

      // Reorder and rename: products first, under the operator's name.
      await row(admin, "products").getByTestId("scene-edit").click();
      await admin.getByTestId("scene-form-name").fill("Best sellers");
      await admin.getByTestId("scene-form-order").fill("1");
      await admin.getByTestId("scene-form-submit").click();
      await admin.getByTestId("scene-dialog").waitFor({ state: "detached" });
      await waitForNav(venue, ["overview", "products", "merchants"]);
      await venue.getByTestId("scene-tab-products").getByText("Best sellers").waitFor();

      // The merch scene: its text set here, shown for its own (short) duration, then the rotation moves on.
      await row(admin, "merch").getByTestId("scene-edit").click();
      await admin.getByTestId("scene-form-content").fill("Hoodie — 50,000 sats\nCap — 21,000 sats");
      await admin.getByTestId("scene-form-duration").fill("2");
      await admin.getByTestId("scene-form-order").fill("2");
      await admin.getByTestId("scene-form-enabled").check();
      await admin.getByTestId("scene-form-submit").click();
      await waitForNav(venue, ["overview", "products", "merch", "merchants"]);
      await venue.getByTestId("scene-tab-merch").click();
      const stage = venue.getByTestId("scene");
      await venue.locator('[data-testid=scene][data-scene="merch"]').waitFor({ timeout: 5_000 });
      expect(await venue.getByTestId("merch-items").locator("li").allTextContents()).toEqual([
        "Hoodie — 50,000 sats",
        "Cap — 21,000 sats",
      ]);
      await venue.screenshot({ path: resolve(ARTIFACTS, "venue-merch.png") });
      await venue.locator('[data-testid=scene][data-scene="merchants"]').waitFor({ timeout: 10_000 });
      expect(await stage.getAttribute("data-scene")).toBe("merchants");

      // Delete with confirmation: gone from the screen too.
      await row(admin, "overview").getByTestId("scene-delete").click();
      await admin.getByTestId("confirm-ok").click();
      await row(admin, "overview").waitFor({ state: "detached" });
      await waitForNav(venue, ["products", "merch", "merchants"]);
      await admin.screenshot({ path: resolve(ARTIFACTS, "admin-scenes.png") });

      expect(await navScenes(venue)).toEqual(["products", "merch", "merchants"]);
      expect(navigations).toEqual([]);
    } finally {
      await venue.context().close();
      await admin.context().close();
    }
  }, 60_000);

  it("a screen pinned to a scene the built-in list lacks starts on it, and every scene tab fits the screen", async () => {
    const put = (id: string, body: object) =>
      fetch(`${stack.baseUrl}/v1/admin/scenes/${id}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => expect(r.status).toBe(200));
    for (const [i, id] of ["overview", "merchants", "products", "trends", "merch", "wifi"].entries())
      await fetch(`${stack.baseUrl}/v1/admin/scenes`, {
        method: "POST",
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify({
          id,
          name: `${id[0]?.toUpperCase()}${id.slice(1)} board`,
          enabled: true,
          order: i + 1,
        }),
      }).then((r) => expect(r.status).toBe(201));
    await put("merch", { content: "Cap — 21,000 sats" });
    for (const [width, height] of [
      [1600, 900],
      [1280, 720],
    ] as const) {
      const context = await stack.browser.newContext({ viewport: { width, height } });
      const venue = await context.newPage();
      try {
        await venue.goto(`${stack.baseUrl}/?scene=merch&rotate=off`);
        // Built-in four first, then the playlist from /v1/scenes: the screen must go to merch, not stay on overview.
        await venue.locator('[data-testid=scene][data-scene="merch"]').waitFor({ timeout: 10_000 });
        await waitForNav(venue, ["overview", "merchants", "products", "trends", "merch", "wifi"]);
        // Six tabs and the controls once made the footer wider than the screen, pushing panels off its edge.
        const rightEdges = await venue
          .locator("header, main, footer")
          .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().right)));
        expect(rightEdges.every((right) => right <= width)).toBe(true);
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
