import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { inlineStore } from "../src/store/access.js";
import { type OpenedDatabase, openDatabase } from "../src/store/db.js";

/** The built web app (`npm run build`) as the server sends it: precompressed copies by negotiation. */

const WEB = fileURLToPath(new URL("../dist/web/", import.meta.url));
let app: FastifyInstance;
let store: OpenedDatabase;

beforeAll(async () => {
  store = await openDatabase(":memory:");
  app = await buildApp({
    store: inlineStore(store.db),
    webRoot: WEB,
    config: {
      adminToken: "t".repeat(32),
      corsOrigins: ["*"],
      tickerLimit: 20,
      leaderboardLimit: 10,
      rateWindowMs: 300_000,
      pollIntervalMs: 30_000,
      maxStreamClients: 10,
    },
    refetch: async () => true,
  });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

/** Every script and stylesheet the build made, each with its brotli and gzip copy. */
const assets = () =>
  readdirSync(`${WEB}assets`).filter((f) => /\.(?:js|css)$/.test(f) && existsSync(`${WEB}assets/${f}.br`));

describe("precompressed static assets", () => {
  it("the build keeps a brotli and a gzip copy of every script and stylesheet", () => {
    const built = readdirSync(`${WEB}assets`).filter((f) => /\.(?:js|css)$/.test(f));
    expect(built.length).toBeGreaterThanOrEqual(2);
    for (const f of built) {
      expect(existsSync(`${WEB}assets/${f}.br`), f).toBe(true);
      expect(existsSync(`${WEB}assets/${f}.gz`), f).toBe(true);
    }
  });

  it.each([
    ["br", "gzip, deflate, br, zstd", brotliDecompressSync],
    ["gzip", "gzip, deflate", gunzipSync],
  ] as const)(
    "sends %s to a client that accepts it, decoding to the file",
    async (coding, accept, decode) => {
      for (const f of assets()) {
        const file = readFileSync(`${WEB}assets/${f}`);
        const res = await app.inject({ url: `/assets/${f}`, headers: { "accept-encoding": accept } });
        expect(res.statusCode).toBe(200);
        expect(res.headers["content-encoding"]).toBe(coding);
        expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
        expect(res.headers["content-type"]).toMatch(f.endsWith(".js") ? /javascript/ : /text\/css/);
        expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
        expect(res.rawPayload.length).toBeLessThan(file.length);
        expect(decode(res.rawPayload).equals(file)).toBe(true);
      }
    },
  );

  it("sends the file as it is to a client that accepts neither", async () => {
    for (const accept of [undefined, "identity", "gzip;q=0, br;q=0"]) {
      const f = assets()[0] as string;
      const res = await app.inject({
        url: `/assets/${f}`,
        headers: accept === undefined ? {} : { "accept-encoding": accept },
      });
      expect(res.headers["content-encoding"]).toBeUndefined();
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
      expect(res.rawPayload.equals(readFileSync(`${WEB}assets/${f}`))).toBe(true);
    }
  });

  it("does not serve the copies as files of their own, and still falls back to the app", async () => {
    const f = assets()[0] as string;
    expect((await app.inject(`/assets/${f}.br`)).statusCode).toBe(404);
    const page = await app.inject({ url: "/admin", headers: { "accept-encoding": "br, gzip" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.headers["cache-control"]).toBe("no-cache");
    const html =
      page.headers["content-encoding"] === "br" ? brotliDecompressSync(page.rawPayload) : page.rawPayload;
    expect(html.equals(readFileSync(`${WEB}index.html`))).toBe(true);
    const root = await app.inject({ url: "/", headers: { "accept-encoding": "gzip" } });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain("<div id=");
  });
});
