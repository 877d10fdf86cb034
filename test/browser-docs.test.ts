/**
 * /docs in headless Chromium: Swagger UI renders this server's OpenAPI document (its operations are on
 * the page) with every request it makes going to this server, none to a CDN, and no error on the page.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Stack, startStack } from "./support/browser.js";

let stack: Stack;
let page: Page;
const requested: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  page = await stack.browser.newPage();
  page.on("request", (r) => requested.push(r.url()));
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${stack.baseUrl}/docs`);
  await page.locator(".opblock").first().waitFor({ timeout: 20_000 });
}, 60_000);
afterAll(async () => {
  await page?.close();
  await stack?.close();
});

test("shows the API's operations, from this server only", async () => {
  const paths = await page.locator(".opblock-summary-path").allTextContents();
  const doc = await stack.api<{ paths: Record<string, object> }>("/openapi.json");
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map(() => path));
  expect(paths.length).toBe(documented.length);
  for (const path of ["/v1/summary", "/v1/stream", "/v1/admin/merchants/{id}", "/metrics"])
    expect(paths.map((p) => p.replace(/\u200b/g, ""))).toContain(path);
  expect(requested.length).toBeGreaterThan(2);
  for (const url of requested) expect(url.startsWith(`${stack.baseUrl}/`), url).toBe(true);
  expect(pageErrors).toEqual([]);
});
