/**
 * The admin pages in headless Chromium against the real server and the mock upstream: what the
 * operator is told before a change that replaces a merchant or deletes its sales, and the merchants
 * list following the live stream. Screenshots land in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Stack, settle, startStack, waitUntil } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

interface AdminMerchant {
  id: string;
  alias: string;
  public_key: string;
  consecutive_failures: number;
}
interface Standing {
  merchant_id: string;
  transactions: number;
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

async function openAdmin(): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/admin`);
  await page.getByTestId("login-token").fill(ADMIN_TOKEN);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("merchant-row").first().waitFor({ state: "visible" });
  return page;
}

const merchant = async (id: string) =>
  (await stack.api<AdminMerchant[]>("/v1/admin/merchants")).find((m) => m.id === id);

describe("browser: admin merchants", () => {
  it("warns before “Add merchant” replaces a merchant whose id is taken, and replaces it only when asked", async () => {
    await stack.api("/v1/admin/merchants", {
      method: "POST",
      body: { id: "taken-1", alias: "First Stand", public_key: "pk_first_stand" },
    });
    const page = await openAdmin();
    try {
      await page.getByTestId("add-merchant").click();
      await page.getByTestId("merchant-form-id").fill("taken-1");
      await page.getByTestId("merchant-form-alias").fill("Second Stand");
      await page.getByTestId("merchant-form-key").fill("pk_second_stand");
      await page.getByTestId("merchant-form-submit").click();
      const warning = page.getByTestId("merchant-form-replace");
      await warning.waitFor({ state: "visible" });
      expect(await warning.textContent()).toContain("already exists: First Stand");
      expect(await page.getByTestId("merchant-form-submit").textContent()).toBe("Replace First Stand");
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-merchant-replace-warning.png") });
      // Warned, not written: the first merchant is still there as it was.
      expect(await merchant("taken-1")).toMatchObject({ alias: "First Stand", public_key: "pk_first_stand" });

      await page.getByTestId("merchant-form-submit").click();
      await page.getByTestId("merchant-dialog").waitFor({ state: "detached" });
      expect(await page.getByTestId("admin-notice").textContent()).toBe(
        "Merchant taken-1 replaced: now Second Stand.",
      );
      expect(await merchant("taken-1")).toMatchObject({
        alias: "Second Stand",
        public_key: "pk_second_stand",
      });
      await page
        .locator('[data-testid=merchant-row][data-merchant-id="taken-1"]')
        .filter({ hasText: "Second Stand" })
        .waitFor();
    } finally {
      await page.context().close();
    }
  });

  it("says that deleting a merchant deletes its sales, with their count, and keeps them on Cancel", async () => {
    const standings = await stack.api<Standing[]>("/v1/leaderboard/merchants?window=all&limit=1000");
    const top = standings[0] as Standing;
    expect(top.transactions).toBeGreaterThan(0);
    const page = await openAdmin();
    try {
      await page
        .locator(`[data-testid=merchant-row][data-merchant-id="${top.merchant_id}"]`)
        .getByTestId("merchant-delete")
        .click();
      const data = page.locator(`[data-testid=delete-merchant-data][data-sales="${top.transactions}"]`);
      await data.waitFor({ state: "visible" });
      const text = await data.textContent();
      expect(text).toContain(`Its ${top.transactions.toLocaleString("en-US")} sale`);
      expect(text).toContain("the big screen’s totals, leaderboards and charts drop");
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-merchant-delete-confirm.png") });
      await page.getByTestId("confirm-cancel").click();
      await page.getByTestId("confirm-dialog").waitFor({ state: "detached" });
      expect(await merchant(top.merchant_id)).toBeDefined();
    } finally {
      await page.context().close();
    }
  });

  it("shows a new failing merchant as failing, first in the list, from the stream without a refresh", async () => {
    const page = await openAdmin();
    try {
      await page.getByTestId("add-merchant").click();
      await page.getByTestId("merchant-form-id").fill("ghost-1");
      // "A" sorts it first by alias too; failing must put it first even with the last alias.
      await page.getByTestId("merchant-form-alias").fill("Zz Ghost Stand");
      await page.getByTestId("merchant-form-key").fill("pk_the_upstream_does_not_know");
      await page.getByTestId("merchant-form-submit").click();
      const row = page.locator('[data-testid=merchant-row][data-merchant-id="ghost-1"]');
      await row.waitFor({ state: "visible" });
      await waitUntil(
        () => merchant("ghost-1"),
        (m) => (m?.consecutive_failures ?? 0) > 0,
        {
          what: "the server to record the new merchant's failed poll",
        },
      );
      // The list's own refresh comes every 15 s: well inside that, only the stream can have told it.
      await row.locator('[data-testid=merchant-health][data-health="failing"]').waitFor({ timeout: 5_000 });
      expect(await row.getByTestId("merchant-health").textContent()).toMatch(/^Failing ×\d+$/);
      // Failing merchants come first (the replaced one above fails too: the mock knows neither key).
      const order = await page
        .getByTestId("merchant-row")
        .evaluateAll((rows) =>
          rows.map((r) => [
            r.getAttribute("data-merchant-id"),
            r.querySelector("[data-testid=merchant-health]")?.getAttribute("data-health"),
          ]),
        );
      const firstHealthy = order.findIndex(([, health]) => health !== "failing");
      const ghostAt = order.findIndex(([id]) => id === "ghost-1");
      expect(firstHealthy).toBeGreaterThan(0);
      expect(ghostAt).toBeLessThan(firstHealthy);
      expect(order.slice(firstHealthy).every(([, health]) => health !== "failing")).toBe(true);
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-merchant-failing-live.png") });
    } finally {
      await page.context().close();
    }
  });
});
