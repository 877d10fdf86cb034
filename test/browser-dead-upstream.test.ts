/**
 * Issue 16, defect 2: a dead upstream must be visible. The mock PayWithFlash upstream (its CLI, 20
 * merchants) and the server (POLL_INTERVAL 2 s, HTTP_TIMEOUT 0.5 s) each run as a process; the venue screen
 * in headless Chromium. The mock is stopped with SIGSTOP: its port still accepts connections and answers
 * nothing, so every poll hangs until HTTP_TIMEOUT, as with a hung POS backend. The screen keeps its
 * "Updated" time (the last successful poll) through poll cycle after poll cycle, says "20 of 20 merchants
 * not reporting since HH:MM" and how long ago the last sale was; after SIGCONT the notice goes and
 * "Updated" moves again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM } from "./support/browser.js";
import { call, type ServerProcess, startServerProcess, until } from "./support/server-process.js";

const ARTIFACTS = resolve(import.meta.dirname, "../test-artifacts");
const MOCK_CLI = fileURLToPath(new URL("../dist/mock/cli.js", import.meta.url));

let dir: string;
let mock: ChildProcess;
let server: ServerProcess;
let browser: Browser;

/** The mock's CLI on a port of its choosing; resolves with its URL once it listens. */
async function startMock(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [MOCK_CLI, "--addr", ":0", "--interval", "1s", "--speed", "30", "--seed", "16"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  let url: string | undefined;
  await until("the mock to listen", () => {
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    return url !== undefined || child.exitCode !== null;
  });
  if (!url) throw new Error(`the mock did not start: ${out}`);
  return { child, url };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "dead-upstream-"));
  const started = await startMock();
  mock = started.child;
  server = await startServerProcess({
    dbPath: join(dir, "pos.db"),
    sourceBaseUrl: started.url,
    // Every merchant's first failed poll comes 2.5 s after its last success and all within one cycle:
    // no health change ever finds one silent for two intervals (4 s), only the cycles that follow do.
    env: { POLL_INTERVAL: "2s", HTTP_TIMEOUT: "500ms", STREAM_HEARTBEAT: "2s" },
  });
  const merchants = (await (await fetch(`${started.url}/admin/merchants`)).json()) as {
    id: string;
    public_key: string;
    name: string;
  }[];
  for (const m of merchants) {
    const res = await call(server, "/v1/admin/merchants", {
      method: "POST",
      body: { id: m.id, public_key: m.public_key, alias: m.name },
    });
    expect(res.status).toBeLessThan(300);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 60_000);

afterAll(async () => {
  if (mock?.pid && mock.exitCode === null) {
    process.kill(mock.pid, "SIGCONT");
    mock.kill("SIGTERM");
  }
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const updatedAt = async (page: Page): Promise<number> =>
  Number((await page.getByTestId("last-updated").getAttribute("data-updated-at")) || 0);

const failedPolls = () => server.messages().filter((m) => / poll failed: /.test(m)).length;

/** The screen's own HH:MM of an instant: the notice must use the clock format the header uses. */
const clockOnPage = (page: Page, iso: string) =>
  page.evaluate((at) => {
    const d = new Date(at);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  }, iso);

describe("browser: the venue screen and a dead upstream", () => {
  it("stops 'Updated', says which merchants are not reporting since when, and recovers", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const outside: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url)) outside.push(r.url());
    });
    await page.goto(`${server.url}/`);
    const status = page.getByTestId("connection-status");
    await expect.poll(() => status.getAttribute("data-status"), { timeout: 20_000 }).toBe("live");
    // Live data: "Updated" follows the successful polls, and a sale has been seen.
    await expect.poll(() => updatedAt(page), { timeout: 20_000 }).toBeGreaterThan(0);
    const before = await updatedAt(page);
    await expect.poll(() => updatedAt(page), { timeout: 20_000 }).toBeGreaterThan(before);
    await page.getByTestId("last-sale").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("not-reporting").count()).toBe(0);

    process.kill(mock.pid as number, "SIGSTOP");
    const notice = page.getByTestId("not-reporting");
    await notice.waitFor({ state: "visible", timeout: 30_000 });
    // More than half first (each merchant's polls start at their own point of the cycle), then all.
    await expect.poll(() => notice.getAttribute("data-missing"), { timeout: 30_000 }).toBe("20");
    const since = (await notice.getAttribute("data-since")) ?? "";
    expect(await notice.textContent()).toContain(
      `20 of 20 merchants not reporting since ${await clockOnPage(page, since)}`,
    );
    // The server still answers: this is the upstream's silence, not a lost connection.
    expect(await status.getAttribute("data-status")).toBe("live");
    expect(await page.getByTestId("stale-banner").count()).toBe(0);

    // Every merchant fails again, cycle after cycle, and "Updated" stays where the last success left it.
    const frozen = await updatedAt(page);
    // The last successful poll is when they went silent (instants are sent to the second).
    expect(frozen).toBeLessThanOrEqual(Date.parse(since) + 1000);
    const failuresSoFar = failedPolls();
    await until("20 more failed polls", () => failedPolls() >= failuresSoFar + 20, 90_000);
    expect(await updatedAt(page)).toBe(frozen);
    expect(await page.getByTestId("last-updated").textContent()).toMatch(
      /^Updated \d\d:\d\d:\d\d · last sale (just now|\d+s ago|\d+m ago)$/,
    );
    expect(await page.getByTestId("last-sale").isVisible()).toBe(true);
    await page.screenshot({ path: resolve(ARTIFACTS, "venue-dead-upstream.png") });

    // The attendee page, opened now, says the same from its first load, inside a 360 px phone screen.
    const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await phone.goto(`${server.url}/?mode=attendee`);
    const phoneNotice = phone.getByTestId("not-reporting");
    await phoneNotice.waitFor({ state: "visible", timeout: 20_000 });
    expect(await phoneNotice.textContent()).toContain("20 of 20 merchants not reporting since");
    const box = await phoneNotice.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    expect(Number(await phone.getByTestId("last-updated").getAttribute("data-updated-at"))).toBe(frozen);
    // "Updated … · last sale … ago" wraps rather than running under the status pill.
    const updatedBox = await phone.getByTestId("last-sale").boundingBox();
    const pill = await phone.getByTestId("connection-status").boundingBox();
    expect(updatedBox && pill && updatedBox.x + updatedBox.width <= pill.x).toBe(true);
    await phone.screenshot({ path: resolve(ARTIFACTS, "attendee-dead-upstream.png") });
    await phone.close();

    process.kill(mock.pid as number, "SIGCONT");
    await notice.waitFor({ state: "detached", timeout: 60_000 });
    await expect.poll(() => updatedAt(page), { timeout: 30_000 }).toBeGreaterThan(frozen);
    await page.screenshot({ path: resolve(ARTIFACTS, "venue-dead-upstream-recovered.png") });
    expect(outside).toEqual([]);
    await page.close();
  }, 180_000);
});
