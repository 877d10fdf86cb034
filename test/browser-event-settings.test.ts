/**
 * Event settings end to end in headless Chromium: an operator edits them in /admin (name, accent,
 * time zone, logo) and an open venue screen follows through the live stream, without a reload; the
 * doors time turns the totals into "since doors" figures; a screen's URL parameters still win.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventSettings, Summary } from "../src/contract/index.js";
import { ADMIN_TOKEN, type Stack, settle, startStack, waitUntil } from "./support/browser.js";
import { solidPng } from "./support/images.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

let stack: Stack;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** A page at 1920×1080 that records its reloads and any request leaving the machine. */
async function openPage(path: string) {
  const context = await stack.browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  const navigations: string[] = [];
  const offMachine: string[] = [];
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations.push(f.url());
  });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(stack.baseUrl) && !url.startsWith("blob:") && !url.startsWith("data:"))
      offMachine.push(url);
  });
  await page.goto(stack.baseUrl + path);
  return { page, navigations, offMachine };
}

/** HH:MM of `ms` in `zone`, as the screen's clock writes it. */
const clockIn = (ms: number, zone: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(ms);

/** The clock shows `zone`'s time: read between two instants, it is one of their two minutes. */
async function expectClockIn(page: Page, zone: string): Promise<void> {
  await waitUntil(
    async () => {
      const before = Date.now();
      const shown = await page.getByTestId("clock").textContent();
      return { shown, options: [clockIn(before, zone), clockIn(Date.now(), zone)] };
    },
    (r) => r.options.includes(r.shown ?? ""),
    { what: `the clock to show ${zone}'s time` },
  );
}

/** A CSS variable as the page's root element resolves it (a string: the test has no DOM types). */
const rootVariable = (page: Page, name: string) =>
  page.evaluate(
    `getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)}).trim()`,
  ) as Promise<string>;

async function signIn(admin: Page): Promise<void> {
  await admin.getByTestId("login-token").fill(ADMIN_TOKEN);
  await admin.getByTestId("login-submit").click();
  await admin.getByTestId("event-form").waitFor({ state: "visible" });
}

describe("browser: event settings", () => {
  it("changed in /admin, they reach an open venue screen at once: name, accent, time zone, logo", async () => {
    const venue = await openPage("/?rotate=off");
    const admin = await openPage("/admin#event");
    await venue.page
      .locator('[data-testid=connection-status][data-status="live"]')
      .waitFor({ timeout: 10_000 });
    expect(await venue.page.getByTestId("event-name").textContent()).toBe("Live POS Dashboard");
    expect(await venue.page.getByTestId("event-logo").count()).toBe(0);

    await signIn(admin.page);
    // A mistake is named and nothing is sent.
    await admin.page.getByTestId("event-form-time-zone").fill("Mars/Olympus");
    await admin.page.getByTestId("event-form-save").click();
    await admin.page.getByText("Not a time zone this browser knows").waitFor();

    await admin.page.getByTestId("event-form-name").fill("Satoshi Spritz Festival");
    await admin.page.getByTestId("event-form-accent").fill("#00a3ff");
    await admin.page.getByTestId("event-form-time-zone").fill("Asia/Tokyo");
    await admin.page.getByTestId("event-form-save").click();
    await admin.page.getByTestId("admin-notice").getByText("Event settings saved").waitFor();

    await venue.page.getByTestId("event-name").getByText("Satoshi Spritz Festival").waitFor();
    expect(await rootVariable(venue.page, "--sats")).toBe("#00a3ff");
    expect(await venue.page.getByTestId("clock").getAttribute("data-time-zone")).toBe("Asia/Tokyo");
    await expectClockIn(venue.page, "Asia/Tokyo");
    expect(await venue.page.title()).toBe("Satoshi Spritz Festival · Live");

    // The logo: chosen (previewed before upload), uploaded, on the venue screen as a decoded image.
    await admin.page.getByTestId("event-logo-file").setInputFiles({
      name: "logo.png",
      mimeType: "image/png",
      buffer: solidPng(64, [0, 163, 255]),
    });
    await waitUntil(
      () => admin.page.getByTestId("event-logo-preview").locator("img").getAttribute("src"),
      (src) => src?.startsWith("blob:") === true,
      { what: "the chosen logo's preview" },
    );
    await admin.page.getByTestId("event-logo-upload").click();
    await admin.page.getByTestId("admin-notice").getByText("Logo uploaded").waitFor();
    const logo = venue.page.getByTestId("event-logo");
    await logo.waitFor({ state: "visible" });
    expect(await logo.getAttribute("src")).toMatch(/^\/v1\/event\/logo\?v=[0-9a-f]{16}$/);
    await waitUntil(
      () => logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      (w) => w === 64,
      { what: "the logo to load" },
    );
    await venue.page.screenshot({ path: resolve(ARTIFACTS, "event-settings-venue.png") });
    await admin.page.screenshot({ path: resolve(ARTIFACTS, "event-settings-admin.png"), fullPage: true });

    // Removed: the lightning mark again.
    await admin.page.getByTestId("event-logo-remove").click();
    await waitUntil(
      () => venue.page.getByTestId("event-logo").count(),
      (n) => n === 0,
      { what: "the logo to go" },
    );

    expect(venue.navigations).toHaveLength(1);
    expect(venue.offMachine).toEqual([]);
    expect(admin.offMachine).toEqual([]);
    await venue.page.context().close();
    await admin.page.context().close();
  });

  it("with the doors time set, the totals count since doors and say so, in the event's time zone", async () => {
    await settle(stack);
    const venue = await openPage("/?rotate=off");
    await venue.page
      .locator('[data-testid=connection-status][data-status="live"]')
      .waitFor({ timeout: 10_000 });
    const allTime = venue.page.locator(".kpi--volume .kpi__window");
    await allTime.getByText("all time").waitFor();

    // Doors open "now": everything sold before is left out.
    const doors = new Date(Date.now() - 1000).toISOString();
    await stack.api<EventSettings>("/v1/admin/event", {
      method: "PUT",
      body: { doors_opened_at: doors, time_zone: "America/New_York" },
    });
    await allTime.getByText(`since doors ${clockIn(Date.parse(doors), "America/New_York")}`).waitFor();
    const summary = await stack.api<Summary>("/v1/summary");
    expect(summary.since_doors?.doors_opened_at).toBe(doors.replace(".000Z", "Z"));
    await waitUntil(
      async () => {
        const shown = await venue.page.getByTestId("kpi-total-transactions").getAttribute("data-value");
        const now = await stack.api<Summary>("/v1/summary");
        return {
          shown: Number(shown),
          since: now.since_doors?.total_transactions,
          all: now.total_transactions,
        };
      },
      (r) => r.shown === r.since && r.since !== r.all,
      { what: "the transactions tile to show the since-doors count" },
    );
    await venue.page.screenshot({ path: resolve(ARTIFACTS, "event-settings-since-doors.png") });

    await stack.api("/v1/admin/event", { method: "PUT", body: { doors_opened_at: null } });
    await allTime.getByText("all time").waitFor();
    expect(venue.navigations).toHaveLength(1);
    await venue.page.context().close();
  });

  it("a screen's URL parameters override the stored settings for that screen only", async () => {
    await stack.api("/v1/admin/event", {
      method: "PUT",
      body: { name: "Stored Name", accent_color: "#22aa44", time_zone: "Asia/Tokyo" },
    });
    const booth = await openPage("/?rotate=off&event=Booth%20Screen&tz=Europe/Zurich&accent=ff0055");
    const plain = await openPage("/?mode=attendee");
    await booth.page.getByTestId("event-name").getByText("Booth Screen").waitFor();
    await expectClockIn(booth.page, "Europe/Zurich");
    expect(await rootVariable(booth.page, "--sats")).toBe("#ff0055");
    await plain.page.getByTestId("event-name").getByText("Stored Name").waitFor();
    expect(await rootVariable(plain.page, "--sats")).toBe("#22aa44");

    // A later change: the booth keeps its own name, takes what its URL does not set.
    await stack.api("/v1/admin/event", { method: "PUT", body: { name: "Renamed", display_currency: "btc" } });
    await plain.page.getByTestId("event-name").getByText("Renamed").waitFor();
    await booth.page.locator('[data-testid=kpi-total-volume][data-currency="btc"]').waitFor();
    expect(await booth.page.getByTestId("event-name").textContent()).toBe("Booth Screen");
    await booth.page.screenshot({ path: resolve(ARTIFACTS, "event-settings-url-override.png") });
    await plain.page.screenshot({ path: resolve(ARTIFACTS, "event-settings-attendee.png") });
    expect([...booth.offMachine, ...plain.offMachine]).toEqual([]);
    await booth.page.context().close();
    await plain.page.context().close();
  });
});
