/**
 * A BTCPay Server merchant made through the admin form in headless Chromium (issue 15): the source's
 * fields, the masked key on edit, "Test connection" failing in plain words and then connecting,
 * against the mock's Greenfield API (src/mock/btcpay) through the real client, which the poller uses
 * too. Screenshots land in test-artifacts/ (git-ignored).
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBtcpayMock, startBtcpayMock } from "../src/mock/btcpay/index.js";
import { ADMIN_TOKEN, type Stack, startStack } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const RIGHT_KEY = "Greenfield-Store-Key-0000c0de";
const STALE_KEY = "Revoked-Store-Key-00009f3c";

let stack: Stack;
let btcpay: RunningBtcpayMock;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  btcpay = await startBtcpayMock();
  btcpay.addStore({ id: "7Hn2cQx9", name: "Coffee Stand Store", apiKey: RIGHT_KEY });
  // A key BTCPay knows that may not read this store: its refusal shows the stored key was the one sent.
  btcpay.addKey(STALE_KEY, ["7Hn2cQx9"], []);
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
  await btcpay?.stop();
});

interface Merchant {
  id: string;
  source: string;
  public_key: string;
  btcpay?: { api_key: string; base_url: string; store_id: string };
}

async function signIn(): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${stack.baseUrl}/admin`);
  await page.getByTestId("login-token").fill(ADMIN_TOKEN);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("admin").waitFor({ state: "visible" });
  return page;
}

describe("browser: a BTCPay merchant", () => {
  it("is added through the form, shows its key masked, and tests its connection in plain words", async () => {
    const page = await signIn();
    try {
      await page.getByTestId("add-merchant").click();
      await page.getByTestId("merchant-form-source").selectOption("btcpay");
      await expect(page.getByTestId("merchant-form-key").count()).resolves.toBe(0);
      await page.getByTestId("merchant-form-id").fill("btc-coffee");
      await page.getByTestId("merchant-form-alias").fill("BTCPay Coffee");
      await page.getByTestId("merchant-form-base-url").fill(btcpay.url);
      await page.getByTestId("merchant-form-store-id").fill("7Hn2cQx9");
      await page.getByTestId("merchant-form-api-key").fill(STALE_KEY);
      await expect(page.getByTestId("merchant-webhook-url").textContent()).resolves.toBe(
        `${stack.baseUrl}/v1/webhooks/btcpay/btc-coffee`,
      );
      await page.getByTestId("merchant-form-submit").click();

      const row = page.locator('[data-testid=merchant-row][data-merchant-id="btc-coffee"]');
      await row.waitFor({ state: "visible" });
      const source = row.getByTestId("merchant-source");
      expect(await source.getAttribute("data-source")).toBe("btcpay");
      expect(await source.textContent()).toContain("key ••••9f3c");
      expect(await page.content()).not.toContain(STALE_KEY);
      const [stored] = (await stack.api<Merchant[]>("/v1/admin/merchants")).filter(
        (m) => m.id === "btc-coffee",
      );
      expect(stored).toMatchObject({
        source: "btcpay",
        public_key: "7Hn2cQx9",
        btcpay: { api_key: "••••9f3c" },
      });

      // Edit: the stored key is shown masked; an empty field keeps it, and the test uses it.
      await row.getByTestId("merchant-edit").click();
      const key = page.getByTestId("merchant-form-api-key");
      expect(await key.inputValue()).toBe("");
      expect(await key.getAttribute("placeholder")).toBe("••••9f3c — leave empty to keep");
      expect(await page.getByTestId("merchant-form-source").isDisabled()).toBe(true);
      await page.getByTestId("merchant-test-connection").click();
      const result = page.getByTestId("merchant-test-result");
      await result.waitFor({ state: "visible" });
      expect(await result.getAttribute("data-ok")).toBe("false");
      expect(await result.textContent()).toBe(
        "Connection failed: BTCPay refused access to store 7Hn2cQx9 (403): the API key lacks permission btcpay.store.canviewinvoices for it (or the store id is wrong)",
      );
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-btcpay-test-failed.png") });

      await key.fill(RIGHT_KEY);
      await page.getByTestId("merchant-test-connection").click();
      await page.locator('[data-testid=merchant-test-result][data-ok="true"]').waitFor();
      expect(await result.textContent()).toBe("Connected to store Coffee Stand Store");
      await page.getByTestId("merchant-form-submit").click();
      await page.getByTestId("merchant-dialog").waitFor({ state: "detached" });
      await page
        .locator('[data-merchant-id="btc-coffee"] [data-testid=merchant-source]', { hasText: "••••c0de" })
        .waitFor();
      await page.screenshot({ path: resolve(ARTIFACTS, "admin-btcpay-merchant.png") });
    } finally {
      await page.context().close();
    }
  });
});
