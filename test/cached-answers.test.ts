import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createService, type Service } from "../src/service.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { TEST_TOKEN as TOKEN, testConfig } from "./support/app.js";
import { captureLogger } from "./support/log.js";

let service: Service | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** The real service on a real port, with a read cache that keeps answers fresh for a minute. */
async function start(corsOrigins: string[] = ["*"]) {
  const captured = captureLogger();
  const s = await createService(testConfig({ corsOrigins }), {
    log: captured.log,
    ingest: "inline",
    readCache: { maxStaleMs: 60_000, refreshAfterMs: 60_000 },
  });
  service = s;
  if (!s.inline) throw new Error("inline ingest exposes its database");
  await upsertMerchant(s.inline.database.db, { id: "m1", public_key: "k", alias: "Shop" }, 1);
  await s.app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  const requestLines = () => captured.lines.filter((l) => typeof l.reqId === "string");
  return { url, requestLines };
}

const headersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name !== "date" && name !== "keep-alive"));

describe("cached answers over a real port", () => {
  it("answers a cached URL again with the same status, headers and body, and logs each request", async () => {
    const s = await start();
    const first = await fetch(`${s.url}/v1/leaderboard/merchants?window=all&limit=5`);
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    const second = await fetch(`${s.url}/v1/leaderboard/merchants?window=all&limit=5`);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(firstBody);
    expect(headersOf(second)).toEqual(headersOf(first));

    const lines = s.requestLines();
    expect(lines).toHaveLength(2);
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(2);
    for (const l of lines) {
      expect(l).toMatchObject({
        method: "GET",
        path: "/v1/leaderboard/merchants?window=all&limit=5",
        ip: "127.0.0.1",
        status: 200,
        bytes: Buffer.byteLength(firstBody),
      });
      expect(l.msg).toMatch(/^GET \/v1\/leaderboard\/merchants\?window=all&limit=5 200 \d+B in \d+\.\dms$/);
    }
  });

  it("answers other spellings, bad input and HEAD of a cached URL as such", async () => {
    const s = await start();
    const plain = await fetch(`${s.url}/v1/summary`);
    const spelled = await fetch(`${s.url}/v1/summary?screen=hall`);
    expect(spelled.status).toBe(200);
    expect(await spelled.text()).toBe(await plain.text());
    for (let i = 0; i < 2; i++) {
      const bad = await fetch(`${s.url}/v1/ticker?limit=0`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toHaveProperty("error");
    }
    const head = await fetch(`${s.url}/v1/summary`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("a cached answer carries the CORS header of each request's own Origin when the allowed origins are a list", async () => {
    const s = await start(["https://screen.example"]);
    await fetch(`${s.url}/v1/summary`);
    await fetch(`${s.url}/v1/summary`);
    const allowed = await fetch(`${s.url}/v1/summary`, { headers: { origin: "https://screen.example" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://screen.example");
    const other = await fetch(`${s.url}/v1/summary`, { headers: { origin: "https://elsewhere.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("an admin change reaches cached answers: at most one from before it", async () => {
    const s = await start();
    const count = async () =>
      ((await (await fetch(`${s.url}/v1/summary`)).json()) as { total_merchants: number }).total_merchants;
    expect(await count()).toBe(1);
    const created = await fetch(`${s.url}/v1/admin/merchants`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "m2", public_key: "k2", alias: "Second" }),
    });
    expect(created.status).toBe(201);
    // At most one answer from before the change (refreshed in the background), then the new one.
    const seen = [await count(), await count(), await count()];
    expect(seen.at(-1)).toBe(2);
    expect(seen.indexOf(2)).toBeLessThanOrEqual(1);
  });
});
