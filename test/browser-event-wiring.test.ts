/**
 * The event's stored theme, sound and public URL drive the screens (issue 16), in headless Chromium
 * against the real server: an operator's change reaches open screens through the stream, a screen's
 * own `theme=` / `sound=` still wins, a switched-off sound stays off against an event set to on, the
 * attendee page stays quiet whatever the wall does, and the QR code opens the public URL when set.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack, waitUntil } from "./support/browser.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");

let stack: Stack;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function openPage(path: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const context = await stack.browser.newContext({ viewport, reducedMotion: "reduce" });
  const page = await context.newPage();
  await page.goto(stack.baseUrl + path);
  await page.locator('[data-testid=connection-status][data-status="live"]').waitFor({ timeout: 10_000 });
  return page;
}

const putEvent = (body: Record<string, unknown>) => stack.api("/v1/admin/event", { method: "PUT", body });
const htmlTheme = (page: Page) => page.evaluate("document.documentElement.dataset.theme ?? ''");
const attr = (page: Page, testId: string, name: string) =>
  page.getByTestId(testId).getAttribute(name, { timeout: 5_000 });

async function until(what: string, read: () => Promise<unknown>, want: unknown): Promise<void> {
  await waitUntil(read, (v) => v === want, { what: `${what} to be ${String(want)}` });
}

describe("browser: the event's theme, sound and public URL on the screens", () => {
  it("follows the stored theme live, and a screen's theme= still wins", async () => {
    await putEvent({ theme: "dark" });
    const venue = await openPage("/?rotate=off");
    const pinned = await openPage("/?rotate=off&theme=contrast");
    expect(await htmlTheme(venue)).toBe("dark");
    await putEvent({ theme: "light" });
    await until("the venue's theme", () => htmlTheme(venue), "light");
    await venue.screenshot({ path: `${ARTIFACTS}/event-wiring-light.png` });
    // The pinned screen keeps its own, before and after the change reached it.
    expect(await htmlTheme(pinned)).toBe("contrast");
    const attendee = await openPage("/?mode=attendee", { width: 360, height: 740 });
    // A page just opened shows the default theme until its first read of the settings lands.
    await until("the attendee page's theme", () => htmlTheme(attendee), "light");
    // The admin area keeps its own dark styling: no screen theme on its page.
    await venue.goto(`${stack.baseUrl}/admin`);
    await venue.getByTestId("login-token").waitFor();
    expect(await htmlTheme(venue)).toBe("");
    await putEvent({ theme: "dark" });
    for (const p of [venue, pinned, attendee]) await p.context().close();
  });

  it("turns sound on for the wall when the event says so; sound=0 and the attendee page stay quiet", async () => {
    await putEvent({ sound: false });
    const venue = await openPage("/?rotate=off");
    expect(await attr(venue, "venue", "data-sound")).toBe("off");
    await putEvent({ sound: true });
    // On: "suspended" (the browser wants a click first: the prompt shows) or already "running".
    const on = await waitUntil(
      () => attr(venue, "venue", "data-sound"),
      (v) => v === "suspended" || v === "running",
      { what: "the venue's sound to turn on" },
    );
    if (on === "suspended") await venue.getByTestId("sound-prompt").waitFor({ timeout: 5_000 });
    await venue.screenshot({ path: `${ARTIFACTS}/event-wiring-sound-on.png` });

    const muted = await openPage("/?rotate=off&sound=0");
    expect(await attr(muted, "venue", "data-sound")).toBe("off");
    const attendee = await openPage("/?mode=attendee", { width: 360, height: 740 });
    expect(await attr(attendee, "attendee", "data-sound")).toBe("off");

    // The switch on a screen whose event has sound on turns it off, and off it stays (sound=0 in the URL).
    await venue.mouse.move(600, 600);
    if (on === "suspended") {
      await venue.getByTestId("sound-prompt").click();
      await until("the venue's sound", () => attr(venue, "venue", "data-sound"), "running");
    }
    await venue.mouse.move(700, 700);
    await venue.getByTestId("sound-toggle").click();
    await until("the venue's sound", () => attr(venue, "venue", "data-sound"), "off");
    expect(new URL(venue.url()).searchParams.get("sound")).toBe("0");
    await putEvent({ sound: false });
    for (const p of [venue, muted, attendee]) await p.context().close();
  });

  it("points the QR code at the event's public URL when set, else at this screen's attendee page", async () => {
    await putEvent({ public_url: null });
    const venue = await openPage("/?rotate=off");
    expect(await attr(venue, "attendee-qr", "data-url")).toBe(`${stack.baseUrl}/?mode=attendee`);
    await putEvent({ public_url: "https://live.example.org/?mode=attendee" });
    await until(
      "the QR code's URL",
      () => attr(venue, "attendee-qr", "data-url"),
      "https://live.example.org/?mode=attendee",
    );
    await venue.screenshot({ path: `${ARTIFACTS}/event-wiring-public-url.png` });
    await putEvent({ public_url: null });
    await venue.context().close();
  });
});
