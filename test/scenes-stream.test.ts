import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Scene, ScenesEvent } from "../src/contract/index.js";
import type { createService as CreateService } from "../src/service.js";
import { makeTestApp, TEST_TOKEN, testConfig } from "./support/app.js";
import { openStream, type SseClient, waitFor } from "./support/sse.js";

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const { createService } = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const auth = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" };

/** The service (inline ingest, or its ingest thread as in production) listening, with one stream open. */
async function serve(kind: "inline" | "thread") {
  let app: Awaited<ReturnType<typeof makeTestApp>>["app"];
  if (kind === "inline") {
    const t = await makeTestApp();
    cleanups.push(() => t.close());
    app = t.app;
  } else {
    const service = await createService(testConfig(), { log: pino({ level: "silent" }) });
    cleanups.push(() => service.stop());
    app = service.app;
  }
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const stream = await openStream(`${base}/v1/stream`);
  cleanups.push(() => stream.close());
  const call = async (method: string, path: string, body?: object) => {
    const res = await fetch(base + path, {
      method,
      headers: auth,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json() as Promise<unknown>;
  };
  const publicList = async () => (await (await fetch(`${base}/v1/scenes`)).json()) as Scene[];
  return { stream, call, publicList };
}

const scenesEvents = (c: SseClient) =>
  c.events.filter((e) => e.event === "scenes").map((e) => (JSON.parse(e.data ?? "") as ScenesEvent).scenes);
const ids = (scenes: Scene[]) => scenes.map((s) => s.id);

describe("the scenes live event", () => {
  it("each create, edit and delete sends the public playlist to open streams", async () => {
    const { stream, call, publicList } = await serve("inline");
    await call("PUT", "/v1/admin/scenes/products", { enabled: false });
    await waitFor(() => scenesEvents(stream).length === 1);
    expect(ids(scenesEvents(stream)[0] ?? [])).toEqual(["overview", "merchants", "trends"]);

    await call("POST", "/v1/admin/scenes", { id: "merch", name: "Merch", content: "Cap\nHoodie" });
    await waitFor(() => scenesEvents(stream).length === 2);
    const withMerch = scenesEvents(stream)[1] ?? [];
    expect(ids(withMerch)).toEqual(["overview", "merchants", "trends", "merch"]);
    expect(withMerch.at(-1)).toMatchObject({ content: "Cap\nHoodie", enabled: true, order: 6 });

    await call("DELETE", "/v1/admin/scenes/overview");
    await waitFor(() => scenesEvents(stream).length === 3);
    expect(scenesEvents(stream)[2]).toEqual(await publicList());
    // Other changes are not announced as scenes.
    await call("POST", "/v1/admin/milestones", { name: "M", type: "volume", threshold: 5 });
    await call("PUT", "/v1/admin/scenes/trends", { name: "Charts" });
    await waitFor(() => scenesEvents(stream).length === 4);
    expect(stream.events.filter((e) => e.event === "scenes")).toHaveLength(4);
  });

  it.each(["inline", "thread"] as const)(
    "many changes at once (%s ingest): the last list sent is the stored one",
    async (kind) => {
      const { stream, call, publicList } = await serve(kind);
      const changes = Array.from({ length: 30 }, (_, i) => {
        const id = ["overview", "merchants", "products", "trends", "wifi", "merch"][i % 6] as string;
        return call("PUT", `/v1/admin/scenes/${id}`, { enabled: i % 4 !== 0, order: (i * 7) % 11 || 1 });
      });
      await Promise.all(changes);
      const stored = await publicList();
      await waitFor(() => JSON.stringify(scenesEvents(stream).at(-1)) === JSON.stringify(stored));
      // And nothing older follows it.
      await call("GET", "/v1/admin/scenes");
      expect(scenesEvents(stream).at(-1)).toEqual(stored);
    },
    30_000,
  );
});
