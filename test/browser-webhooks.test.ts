/**
 * The admin Webhooks tab in headless Chromium against the real service (ingest on its thread) and a
 * real receiver: an operator adds a webhook, never sees its secret again, and watches the delivery of
 * a milestone trigger land in the log; then edits its URL and events (the secret kept) in the dialog.
 * Screenshots in test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Stack, settle, startStack } from "./support/browser.js";
import { signatureValid, startReceiver } from "./support/webhook-receiver.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const SECRET = "browser-receiver-secret-0123456789";

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  receiver = await startReceiver((_r, nth) => (nth === 1 ? 500 : 200));
  stack = await startStack({ webhookRetryBaseMs: 100, webhookRetryCapMs: 200 });
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

describe("browser: admin webhooks", () => {
  it("adds a webhook, hides its secret and shows the delivery log", async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1600, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(`${stack.baseUrl}/admin#webhooks`);
      await page.getByTestId("login-token").fill(ADMIN_TOKEN);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("webhooks-panel").waitFor({ state: "visible" });

      // The form refuses what the server would, before asking it.
      await page.getByTestId("webhook-form-url").fill("ftp://nope");
      await page.getByTestId("webhook-form-secret").fill(SECRET);
      await page.getByTestId("webhook-form-submit").click();
      expect(await page.getByTestId("webhook-form-error").textContent()).toContain("http:// or https://");

      await page.getByTestId("webhook-form-url").fill(receiver.url);
      await page.getByTestId("webhook-form-submit").click();
      const row = page.getByTestId("webhook-row");
      await row.waitFor({ state: "visible" });
      expect(await row.textContent()).toContain(receiver.url);
      expect(await row.textContent()).toContain("set (hidden)");
      expect(await page.content()).not.toContain(SECRET);

      // A milestone already passed fires on the next poll; its delivery fails once, then lands.
      await stack.api("/v1/admin/milestones", {
        method: "POST",
        body: { name: "First sale", type: "transactions", threshold: 1 },
      });
      await page.getByTestId("webhook-log").click();
      await page
        .locator('[data-testid="delivery-row"][data-status="delivered"]')
        .waitFor({ timeout: 20_000 });
      const log = await page.getByTestId("delivery-log").textContent();
      expect(log).toContain("milestone");
      expect(log).toContain("2");
      expect(receiver.seen.length).toBe(2);
      expect(receiver.seen[0]?.deliveryId).toBe(receiver.seen[1]?.deliveryId);
      expect(signatureValid(receiver.seen[1] as (typeof receiver.seen)[number], SECRET)).toBe(true);
      expect(receiver.seen[1]?.json).toMatchObject({ name: "First sale", threshold: 1 });
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-webhooks.png") });

      // Edit: URL and events prefilled, the secret empty (kept); the server's refusal is shown plainly.
      await page.getByTestId("webhook-edit").click();
      const dialog = page.getByTestId("webhook-edit-dialog");
      await dialog.waitFor({ state: "visible" });
      expect(await page.getByTestId("webhook-edit-url").inputValue()).toBe(receiver.url);
      expect(await page.getByTestId("webhook-edit-secret").inputValue()).toBe("");
      expect(await page.getByTestId("webhook-edit-milestone").isChecked()).toBe(true);
      expect(await page.getByTestId("webhook-edit-sale").isChecked()).toBe(false);
      expect(await dialog.textContent()).toContain("keep the current secret");
      await page.getByTestId("webhook-edit-url").fill(`https://hooks.example/${"a".repeat(2100)}`);
      await page.getByTestId("webhook-edit-submit").click();
      await page.getByTestId("webhook-edit-error").waitFor({ state: "visible" });
      expect(await page.getByTestId("webhook-edit-error").textContent()).toMatch(/url/i);
      const edited = `${receiver.url}?edited=1`;
      await page.getByTestId("webhook-edit-url").fill(edited);
      await page.getByTestId("webhook-edit-sale").check();
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-webhook-edit.png") });
      await page.getByTestId("webhook-edit-submit").click();
      await dialog.waitFor({ state: "detached" });
      await page.getByTestId("webhook-row").getByText(edited).waitFor({ state: "visible" });
      expect(await row.textContent()).toContain("milestone, sale");
      const [saved] =
        await stack.api<Array<{ url: string; events: string[]; has_secret: boolean }>>("/v1/admin/webhooks");
      expect(saved).toMatchObject({ url: edited, events: ["milestone", "sale"], has_secret: true });

      await page.getByTestId("webhook-delete").click();
      await page.getByTestId("confirm-dialog").getByRole("button", { name: "Delete webhook" }).click();
      await page.getByText("No webhooks yet.").waitFor({ state: "visible" });
      expect(await stack.api("/v1/admin/webhooks")).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
