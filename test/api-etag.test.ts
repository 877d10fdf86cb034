import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMPRESS_MIN_BYTES, PUBLIC_CACHE } from "../src/api/answer.js";
import { addMerchant, ingest, sale } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/** Public reads' validators and caching headers, 304s, and compressed copies of large answers. */

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await addMerchant(t, "173", "Bitcoin Coffee");
  const sales = Array.from({ length: 20 }, (_, i) =>
    sale(i + 1, 1000 + i, `2025-11-10T14:${String(30 + i).padStart(2, "0")}:00.000000+00:00`),
  );
  await ingest(t, "173", sales);
});
afterEach(() => t.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
const STRONG = /^"[A-Za-z0-9_-]{27}"$/;

const PUBLIC_READS = [
  "/v1/summary",
  "/v1/ticker",
  "/v1/leaderboard/merchants",
  "/v1/leaderboard/products?window=24h",
  "/v1/milestones/triggers",
  "/v1/milestones/upcoming",
  "/v1/timeseries?window=60m&bucket=1m",
  "/v1/recap",
  "/v1/scenes",
  "/v1/event",
  "/v1/wifi/config",
];

describe("ETag and If-None-Match", () => {
  it.each(PUBLIC_READS)(
    "%s carries a strong ETag and public caching, and answers its tag with 304",
    async (url) => {
      const first = await get(url);
      expect(first.statusCode).toBe(200);
      expect(first.headers["cache-control"]).toBe(PUBLIC_CACHE);
      const etag = String(first.headers.etag);
      expect(etag).toMatch(STRONG);
      const again = await get(url, { "if-none-match": etag });
      expect(again.statusCode).toBe(304);
      expect(again.rawPayload.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers["cache-control"]).toBe(PUBLIC_CACHE);
    },
  );

  it("compares If-None-Match weakly, in a list, and takes * for any", async () => {
    const etag = String((await get("/v1/summary")).headers.etag);
    const status = async (inm: string) => (await get("/v1/summary", { "if-none-match": inm })).statusCode;
    expect(await status(`"other", ${etag}`)).toBe(304);
    expect(await status(`W/${etag}`)).toBe(304);
    expect(await status("*")).toBe(304);
    expect(await status('"other"')).toBe(200);
    expect(await status(`"${etag.slice(1, -2)}"`)).toBe(200);
    expect(await status("")).toBe(200);
  });

  it("gives a new tag and the new figures once new sales are stored", async () => {
    const before = await get("/v1/summary");
    const etag = String(before.headers.etag);
    await ingest(t, "173", [sale(99, 5000, "2025-11-10T14:59:00.000000+00:00")]);
    const after = await get("/v1/summary", { "if-none-match": etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).toMatch(STRONG);
    expect(after.headers.etag).not.toBe(etag);
    expect(after.json().total_transactions).toBe(before.json().total_transactions + 1);
  });

  it("keeps errors out of shared caches' validators: a 404 has no ETag", async () => {
    const missing = await get("/v1/summary?merchant_id=nobody");
    expect(missing.statusCode).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
    expect(missing.json()).toEqual({ error: 'unknown merchant "nobody"' });
  });
});

describe("Cache-Control outside the public reads", () => {
  it("health, admin answers and admin refusals are never stored", async () => {
    expect((await get("/v1/health")).headers["cache-control"]).toBe("no-store");
    for (const url of ["/v1/admin/summary", "/v1/admin/merchants", "/v1/admin/scenes"]) {
      const ok = await get(url, t.auth);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["cache-control"]).toBe("no-store");
    }
    const refused = await get("/v1/admin/summary");
    expect(refused.statusCode).toBe(401);
    expect(refused.headers["cache-control"]).toBe("no-store");
    const login = await t.app.inject({
      method: "POST",
      url: "/v1/admin/auth/login",
      payload: { token: "x" },
    });
    expect(login.headers["cache-control"]).toBe("no-store");
  });
});

describe("compressed JSON", () => {
  it("sends a large answer gzip or brotli as the client asks, decoding to the same JSON", async () => {
    const plain = await get("/v1/ticker");
    expect(plain.rawPayload.length).toBeGreaterThanOrEqual(COMPRESS_MIN_BYTES);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(String(plain.headers.vary)).toMatch(/accept-encoding/i);
    const gz = await get("/v1/ticker", { "accept-encoding": "gzip, deflate" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(String(gz.headers.vary)).toMatch(/accept-encoding/i);
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString())).toEqual(plain.json());
    const br = await get("/v1/ticker", { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(plain.json());
    // Each representation has its own strong tag, and its own 304.
    const tags = new Set([plain.headers.etag, gz.headers.etag, br.headers.etag]);
    expect(tags.size).toBe(3);
    const again = await get("/v1/ticker", {
      "accept-encoding": "br",
      "if-none-match": String(br.headers.etag),
    });
    expect(again.statusCode).toBe(304);
    expect(again.headers.etag).toBe(br.headers.etag);
  });

  it("follows q-values: a refused coding is not sent, the preferred one is", async () => {
    const coding = async (ae: string) =>
      (await get("/v1/ticker", { "accept-encoding": ae })).headers["content-encoding"];
    expect(await coding("br;q=0, gzip")).toBe("gzip");
    expect(await coding("gzip;q=0.5, br;q=0.4")).toBe("gzip");
    expect(await coding("gzip;q=0, br;q=0")).toBeUndefined();
    expect(await coding("identity")).toBeUndefined();
    expect(await coding("*")).toBe("br");
  });

  it("leaves small answers as they are", async () => {
    const small = await get("/v1/milestones/upcoming", { "accept-encoding": "gzip, br" });
    expect(small.rawPayload.length).toBeLessThan(COMPRESS_MIN_BYTES);
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(small.json()).toEqual([]);
  });
});
