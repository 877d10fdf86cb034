/**
 * The admin's Data health tab in headless Chromium against the real server polling the mock upstream
 * every 2 s: merchants fresh and agreeing, one whose source's totals moved without the sales behind
 * them disagrees (with the difference), a disabled one is not polled, a hanging one turns stale, each
 * verdict in words. A screenshot lands in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataHealth, MerchantDataHealth } from "../src/contract/index.js";
import { ADMIN_TOKEN, type Stack, settle, startStack, waitUntil } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

let stack: Stack;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // 2 s between polls leaves room for a busy machine within fresh (twice the interval).
  stack = await startStack({ pollIntervalMs: 2000, httpTimeoutMs: 20_000 });
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

const healthOf = async (id: string): Promise<MerchantDataHealth | undefined> =>
  (await stack.api<DataHealth>("/v1/admin/data-health")).merchants.find((m) => m.merchant_id === id);
const until = (id: string, ok: (m: MerchantDataHealth) => boolean, what: string) =>
  waitUntil(
    () => healthOf(id),
    (m) => m !== undefined && ok(m),
    { what, timeoutMs: 20_000 },
  );

describe("browser: admin data health", () => {
  it("shows fresh and agree, then stale, disagree and not polled, each in words", async () => {
    const [hanging, moved, disabled] = stack.mock.merchants();
    if (!hanging || !moved || !disabled) throw new Error("the mock has merchants");
    await until(
      moved.id,
      (m) => m.freshness === "fresh" && m.products.verdict === "agree",
      "fresh and agreeing",
    );

    // Sold, then forgotten by a reset while its polls fail, so no poll ever served that sale.
    stack.mock.setFault(moved.id, { status: 500 });
    await until(moved.id, (m) => m.consecutive_failures > 0, "a failed poll");
    const product = stack.mock.groundTruth(moved.id).merchants[0]?.products.find((p) => p.active);
    if (!product) throw new Error("an active product");
    const unseen = stack.mock.addSale(moved.id, { lines: [{ productId: product.productId, quantity: 1 }] });
    stack.mock.reset(moved.id);
    stack.mock.clearFault(moved.id);
    await stack.api(`/v1/admin/merchants/${disabled.id}`, { method: "PUT", body: { enabled: false } });
    await until(
      moved.id,
      (m) => m.freshness === "fresh" && m.products.verdict === "disagree",
      "a recovered merchant that disagrees",
    );

    const context = await stack.browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.baseUrl}/admin#health`);
      await page.getByTestId("login-token").fill(ADMIN_TOKEN);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("health-row").first().waitFor({ state: "visible" });
      expect(await page.getByTestId("admin-tab-health").getAttribute("aria-current")).toBe("page");
      const row = (id: string) => page.locator(`[data-testid="health-row"][data-merchant="${id}"]`);

      for (const m of stack.mock.merchants().slice(3)) {
        expect(await row(m.id).getByTestId("health-freshness").textContent(), m.id).toBe("Fresh");
        expect(await row(m.id).getByTestId("health-totals").textContent(), m.id).toBe("Agree");
      }
      expect(await row(disabled.id).getByTestId("health-freshness").textContent()).toBe("Not polled");
      const disagree = row(moved.id);
      expect(await disagree.getByTestId("health-totals").textContent()).toBe("⚠ Disagree");
      expect(await disagree.getByTestId("health-totals").getAttribute("data-tone")).toBe("alert");
      expect(await disagree.getByTestId("health-totals-detail").textContent()).toContain(
        `stored minus source: −1 sales, −${unseen.amountSats.toLocaleString("en-US")} sats`,
      );
      expect(await disagree.getByTestId("health-differences").textContent()).toContain(product.name);
      expect(await disagree.getByTestId("health-last-failure").textContent()).toContain(
        "upstream responded 500",
      );
      expect(await disagree.getByTestId("health-failures").textContent()).toMatch(/in all, none now$/);

      // Its polls hang (HTTP_TIMEOUT 20 s here): no success for longer than four intervals (8 s). A hanging
      // poll holds its cycle, so the others age too: only this one is looked at from here on.
      stack.mock.setFault(hanging.id, { hang: true });
      await until(hanging.id, (m) => m.freshness === "stale", "a stale merchant");
      await page.getByTestId("health-refresh").click();
      const stale = row(hanging.id).getByTestId("health-freshness");
      await waitUntil(
        () => stale.textContent(),
        (t) => t === "⚠ Stale",
        { what: "the panel to say stale" },
      );
      expect(await stale.getAttribute("data-tone")).toBe("alert");
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-data-health.png"), fullPage: true });
    } finally {
      await context.close();
      stack.mock.clearFault(hanging.id);
    }
  }, 60_000);
});
