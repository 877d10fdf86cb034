/**
 * Accessibility audit (issue 16: "axe-core finds no violation on any page"): every page and state an
 * organiser, attendee or operator sees, in headless Chromium against the real server, is run through
 * axe-core (its default WCAG 2 A/AA rules, colour contrast included). Reduced motion keeps fades and
 * count-ups from being measured half-way.
 */
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type Stack, settle, startStack } from "./support/browser.js";
import { contrast } from "./support/look.js";

const AXE = resolve(import.meta.dirname, "../node_modules/axe-core/axe.min.js");

interface Violation {
  id: string;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await settle(stack);
});

afterAll(async () => {
  await stack?.close();
});

async function open(path: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const context = await stack.browser.newContext({ viewport, reducedMotion: "reduce" });
  const page = await context.newPage();
  await page.goto(stack.baseUrl + path);
  return page;
}

const waitLive = (page: Page) =>
  page.locator('[data-testid=connection-status][data-status="live"]').first().waitFor({ timeout: 10_000 });

/** axe-core's violations on the page as it is now, one line per rule and failing node. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate<Violation[]>(`axe.run().then((r) => r.violations)`);
  return found.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.help}) at ${JSON.stringify(n.target)}: ${n.failureSummary ?? ""}`),
  );
}

/**
 * axe leaves text on a gradient as "incomplete" (it cannot tell the colour behind), and the tiles are
 * gradients: those nodes are checked here against each opaque stop of the nearest painted ancestor
 * (4.5:1, 3:1 for large text as WCAG counts it).
 */
async function gradientContrast(page: Page): Promise<string[]> {
  const found = await page.evaluate<Array<{ what: string; color: string; behind: string[]; large: boolean }>>(
    `axe.run({ runOnly: ["color-contrast"] }).then((r) => r.incomplete.flatMap((v) => v.nodes)).then((nodes) => {
      const opaque = (c) => !/rgba\\(.*,\\s*0(\\.\\d+)?\\)$/.test(c) && c !== "transparent";
      const colours = (s) => (s.match(/rgba?\\([^)]*\\)/g) || []).filter(opaque);
      return nodes.map((n) => document.querySelector(n.target[0])).filter(Boolean).map((el) => {
        let behind = [];
        for (let a = el; a && behind.length === 0; a = a.parentElement) {
          const s = getComputedStyle(a);
          behind = [...colours(s.backgroundImage), ...(opaque(s.backgroundColor) ? [s.backgroundColor] : [])];
        }
        const s = getComputedStyle(el);
        const px = parseFloat(s.fontSize);
        const large = px >= 24 || (px >= 18.66 && Number(s.fontWeight) >= 700);
        return { what: el.className + ": " + el.textContent.trim().slice(0, 30), color: s.color, behind, large };
      });
    })`,
  );
  return found.flatMap((f) =>
    f.behind
      .map((b) => ({ b, ratio: contrast(f.color, b) }))
      .filter(({ ratio }) => ratio < (f.large ? 3 : 4.5))
      .map(({ b, ratio }) => `${f.what}: ${f.color} on ${b} is ${ratio.toFixed(2)}:1`),
  );
}

async function audit(page: Page): Promise<void> {
  try {
    expect(await violations(page)).toEqual([]);
    expect(await gradientContrast(page)).toEqual([]);
  } finally {
    await page.context().close();
  }
}

describe("browser: axe-core finds no violation", () => {
  for (const scene of ["overview", "merchants", "products", "trends"]) {
    it(`venue screen, ${scene} scene`, async () => {
      const page = await open(`/?scene=${scene}&rotate=off`);
      await waitLive(page);
      if (scene !== "trends") await page.locator(".leaderboard__row, .ticker__row, .kpi").first().waitFor();
      await audit(page);
    });
  }

  for (const theme of ["light", "contrast"]) {
    for (const scene of ["overview", "merchants"]) {
      it(`venue screen, ${theme} theme, ${scene} scene`, async () => {
        const page = await open(`/?scene=${scene}&rotate=off&theme=${theme}`);
        await waitLive(page);
        await audit(page);
      });
    }
  }

  it("attendee page at 360×740", async () => {
    const page = await open("/?mode=attendee", { width: 360, height: 740 });
    await waitLive(page);
    await audit(page);
  });

  it("booth screen", async () => {
    const id = stack.mock.merchants()[0]?.id ?? "";
    const page = await open(`/?merchant=${encodeURIComponent(id)}`);
    await waitLive(page);
    await audit(page);
  });

  it("venue screen with the server unreachable (stale banner)", async () => {
    const context = await stack.browser.newContext({
      viewport: { width: 1920, height: 1080 },
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    // The page itself loads; every API call and the stream fail, as with the server gone after load.
    await page.route("**/v1/**", (route) => route.abort());
    await page.goto(`${stack.baseUrl}/?scene=overview&rotate=off`);
    await page.getByTestId("stale-banner").waitFor({ state: "visible", timeout: 30_000 });
    await audit(page);
  }, 45_000);

  it("admin login", async () => {
    const page = await open("/admin");
    await page.getByTestId("login-token").waitFor();
    await audit(page);
  });

  for (const tab of ["merchants", "milestones", "scenes", "event", "health", "webhooks"]) {
    it(`admin ${tab} panel`, async () => {
      const page = await open("/admin");
      await page.getByTestId("login-token").fill(ADMIN_TOKEN);
      await page.getByTestId("login-submit").click();
      await page.getByTestId("merchant-row").first().waitFor({ state: "visible" });
      await page.getByTestId(`admin-tab-${tab}`).click();
      await page.waitForLoadState("networkidle");
      await audit(page);
    });
  }

  it("admin webhook edit dialog", async () => {
    await stack.api("/v1/admin/webhooks", {
      method: "POST",
      body: { url: "http://127.0.0.1:9/axe", secret: "axe-audit-secret-0123", events: ["milestone"] },
    });
    const page = await open("/admin#webhooks");
    await page.getByTestId("login-token").fill(ADMIN_TOKEN);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("webhook-edit").first().click();
    await page.getByTestId("webhook-edit-dialog").waitFor({ state: "visible" });
    await audit(page);
  });
});
