/**
 * A production install as an operator (and deploy/Dockerfile) makes it: the project packed with
 * `npm pack`, the tarball installed by deploy/install.sh in a fresh folder without dev dependencies
 * (better-sqlite3 compiled there), then started from that folder with only environment variables:
 * health, a poll of the mock upstream stored, the web app served. Packs the build `npm test` has just
 * made (run `npm run build` first when running this file alone); one pack, one install.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "../src/server-flags.js";
import { TEST_TOKEN } from "./support/app.js";
import { until } from "./support/server-process.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "package-install-"));
const installDir = join(dir, "app");
const installed = join(installDir, "node_modules", "live-pos-dashboard");
let installLog = "";
let mock: MockUpstream;

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist", "main.js")) || !existsSync(join(ROOT, "dist", "web", "index.html")))
    throw new Error("run `npm run build` first");
  // The build is already there: packing must not build again (`prepare`).
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, stdio: "pipe" });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack made no tarball");
  installLog = execFileSync("sh", [join(ROOT, "deploy", "install.sh"), join(dir, tarball), installDir], {
    // Only the npm registry is reachable here: take what the cache has.
    env: { ...process.env, NPM_INSTALL_FLAGS: "--prefer-offline" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  mock = await startMockUpstream({ generate: false, history: false, merchants: 2 });
}, 900_000);

afterAll(async () => {
  await mock?.stop();
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

interface Started {
  child: ChildProcess;
  url: Promise<string>;
  output: string[];
  stop(): Promise<void>;
}

/** Starts a command with only the service's environment; resolves its URL from "Server listening at". */
function launch(command: string, args: string[], cwd: string, env: Record<string, string>): Started {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const output: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString("utf8"));
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(""));
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited (${code}) before listening:\n${output.join("")}`)));
  });
  url.catch(() => undefined);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    // The whole group: `npm start` runs the service in a shell below it.
    process.kill(-(child.pid as number), "SIGTERM");
    await exited;
    // npm may exit before the service below it has closed its database: wait until it answers no more.
    const served = await url.catch(() => undefined);
    if (served)
      await until("the service gone", () =>
        fetch(`${served}/v1/health`).then(
          () => false,
          () => true,
        ),
      );
  };
  return { child, url, output, stop };
}

function serviceEnv(name: string): Record<string, string> {
  return {
    ADMIN_TOKEN: TEST_TOKEN,
    ADDR: "127.0.0.1:0",
    DB_PATH: join(dir, `${name}.db`),
    SOURCE_BASE_URL: mock.url,
    POLL_INTERVAL: "500ms",
  };
}

describe("the packed release installed with --omit=dev in a fresh folder", () => {
  it("holds the built service and web app, no sources or dev dependencies; better-sqlite3 compiled there", () => {
    expect(existsSync(join(installed, "dist", "main.js"))).toBe(true);
    expect(existsSync(join(installed, "dist", "web", "index.html"))).toBe(true);
    expect(existsSync(join(installed, "deploy", "Dockerfile"))).toBe(true);
    expect(existsSync(join(installed, "src"))).toBe(false);
    expect(existsSync(join(installDir, "node_modules", "vite"))).toBe(false);
    expect(existsSync(join(installDir, "node_modules", "typescript"))).toBe(false);
    const addon = join(
      installDir,
      "node_modules",
      "better-sqlite3",
      "build",
      "Release",
      "better_sqlite3.node",
    );
    expect(existsSync(addon)).toBe(true);
    // The folder's allowScripts covers every install script: npm lists none as unreviewed.
    expect(installLog).not.toMatch(/not yet covered by allowScripts/);
  });

  it("its bin answers health, stores a poll of the mock and serves the web app", async () => {
    const s = launch(
      join(installDir, "node_modules", ".bin", "live-pos-dashboard"),
      [],
      dir,
      serviceEnv("bin"),
    );
    try {
      const url = await s.url;
      const health = await fetch(`${url}/v1/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });

      const [m] = mock.merchants();
      if (!m) throw new Error("the mock has no merchants");
      const created = await fetch(`${url}/v1/admin/merchants`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ id: m.id, public_key: m.publicKey, alias: m.name }),
      });
      expect(created.status).toBe(201);
      const sales = [mock.addSale(m.id), mock.addSale(m.id), mock.addSale(m.id)];
      const total = sales.reduce((n, sale) => n + sale.amountSats, 0);
      let summary: { total_transactions: number; total_volume_sats: number } | undefined;
      await until("the poll's sales in the summary", async () => {
        summary = (await (await fetch(`${url}/v1/summary`)).json()) as typeof summary;
        return summary?.total_transactions === sales.length;
      });
      expect(summary?.total_volume_sats).toBe(total);

      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${url}${script}`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it("`npm start` in the installed package starts the same service, without building", async () => {
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const env = Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v} `);
    expect(pkg.scripts.start).toBe(`${env.join("")}node ${SERVER_NODE_FLAGS.join(" ")} dist/main.js`);
    expect(pkg.scripts.prestart).toBeUndefined();
    const s = launch("npm", ["start"], installed, serviceEnv("npm-start"));
    try {
      const url = await s.url;
      expect((await fetch(`${url}/v1/health`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});
