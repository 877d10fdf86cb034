/**
 * /recap in headless Chromium: its figures are those of GET /v1/recap (totals, merchants, products,
 * busiest hour, timeline, milestones), it shows the event's name, and printed it is a clean report:
 * white, no print button, a PDF of a page or two. The screenshot of the print view stays in
 * test-artifacts/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Recap } from "../src/contract/index.js";
import type { SaleSpec } from "../src/mock/model.js";
import { type Stack, settle, startStack, waitUntil } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const EVENT = "Adopting Bitcoin Recap Test";

let stack: Stack;
let page: Page;
let recap: Recap;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
  await stack.api("/v1/admin/milestones", {
    method: "POST",
    body: { name: "Three sales", type: "transactions", threshold: 3 },
  });
  await stack.api("/v1/admin/event", { method: "PUT", body: { name: EVENT, accent_color: "#0055ff" } });
  const [a, b] = stack.mock.groundTruth().merchants.filter((m) => m.products.some((p) => p.active));
  if (!a || !b) throw new Error("the mock serves two merchants with products at least");
  const productOf = (m: typeof a) => m.products.find((p) => p.active)?.productId ?? 0;
  for (const [merchant, spec] of [
    [a.id, { lines: [{ productId: productOf(a), quantity: 2 }] }],
    [a.id, { amountSats: 1500 }],
    [b.id, { lines: [{ productId: productOf(b), quantity: 1 }] }],
    [b.id, { amountSats: 700 }],
  ] as [string, SaleSpec][]) {
    stack.mock.addSale(merchant, spec);
    void stack.refetch(merchant);
  }
  await settle(stack);
  await waitUntil(
    () => stack.api<unknown[]>("/v1/milestones/triggers"),
    (t) => t.length === 1,
    { what: "the milestone to fire" },
  );
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${stack.baseUrl}/recap`);
  await page.getByTestId("recap-transactions").waitFor({ timeout: 10_000 });
  recap = await stack.api<Recap>("/v1/recap");
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const text = (id: string) => page.getByTestId(id).textContent();
const int = (n: number) => n.toLocaleString("en-US");

test("the page's figures are the API's", async () => {
  expect(recap.totals.total_transactions).toBe(stack.servedSales());
  expect(await text("recap-transactions")).toBe(int(recap.totals.total_transactions));
  expect(await text("recap-volume")).toBe(int(recap.totals.total_volume_sats));
  expect(await text("recap-merchant-count")).toBe(String(recap.merchants.length));
  const merchantRows = await page.getByTestId("recap-merchant-row").allTextContents();
  expect(merchantRows).toEqual(
    recap.merchants.map((m, i) => `${i + 1}${m.alias}${int(m.transactions)}${int(m.volume_sats)}`),
  );
  const productRows = page.getByTestId("recap-product-row");
  expect(await productRows.count()).toBe(recap.top_products.length);
  expect(recap.top_products.length).toBeGreaterThan(0);
  for (const [i, p] of recap.top_products.entries())
    expect(await productRows.nth(i).textContent()).toContain(p.name);
  expect(await page.getByTestId("recap-busiest-hour").getAttribute("data-at")).toBe(
    recap.busiest_hour?.start,
  );
  expect(await text("recap-busiest-hour")).toContain(`${int(recap.busiest_hour?.transactions ?? -1)} sales`);
  const bars = await page
    .getByTestId("recap-timeline-bar")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-transactions"))));
  expect(bars).toEqual(recap.timeline.buckets.map((b) => b.transactions));
  const milestones = page.getByTestId("recap-milestone");
  expect(await milestones.count()).toBe(1);
  expect(await milestones.first().getAttribute("data-at")).toBe(recap.milestones[0]?.triggered_at);
  expect(await milestones.first().textContent()).toContain("Three sales");
  for (const f of recap.totals.fiat_volume) await page.getByTestId(`recap-fiat-${f.currency}`).waitFor();
});

test("the event's name and accent", async () => {
  expect(await page.locator(".recap__title").textContent()).toBe(EVENT);
  expect(await page.title()).toBe(`${EVENT} · Recap`);
  const bar = await page.evaluate(`getComputedStyle(document.querySelector(".recap-timeline__bar")).fill`);
  expect(bar).toBe("rgb(0, 85, 255)");
});

test("printed: white paper, no button, nothing moving, a PDF of one or two pages", async () => {
  await page.emulateMedia({ media: "print" });
  // A string: this file is compiled without the DOM's types.
  const look = await page.evaluate(`(() => ({
    background: getComputedStyle(document.body).backgroundColor,
    root: getComputedStyle(document.documentElement).backgroundColor,
    button: getComputedStyle(document.querySelector(".recap__print")).display,
    moving: [...document.querySelectorAll(".recap *")].filter(
      (e) => getComputedStyle(e).animationName !== "none" || getComputedStyle(e).transitionDuration !== "0s",
    ).length,
  }))()`);
  expect(look).toEqual({
    background: "rgb(255, 255, 255)",
    root: "rgb(255, 255, 255)",
    button: "none",
    moving: 0,
  });
  await page.screenshot({ path: resolve(ARTIFACTS, "recap-print.png"), fullPage: true });
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  writeFileSync(resolve(ARTIFACTS, "recap.pdf"), pdf);
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const pages = pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
  expect(pages).toBeGreaterThanOrEqual(1);
  expect(pages).toBeLessThanOrEqual(2);
});
