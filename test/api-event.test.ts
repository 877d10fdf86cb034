import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Compile } from "typebox/compile";
import { afterEach, describe, expect, test } from "vitest";
import * as C from "../src/contract/index.js";
import type { createService as CreateService } from "../src/service.js";
import { addMerchant, expectError, get, ingest, sale, send, upstreamDate } from "./support/api-helpers.js";
import { makeTestApp, TEST_TOKEN, type TestApp, testConfig } from "./support/app.js";
import { JPEG_START, SVG, solidPng, WEBP_START } from "./support/images.js";
import { openStream, waitFor } from "./support/sse.js";

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const { createService } = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

const T0 = "2025-11-10T15:00:00Z";
const validSettings = Compile(C.EventSettings);
const open: TestApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(opts: { dbPath?: string; now?: string } = {}): Promise<TestApp> {
  const t = await makeTestApp({
    now: Date.parse(opts.now ?? T0),
    ...(opts.dbPath ? { dbPath: opts.dbPath } : {}),
  });
  open.push(t);
  return t;
}

const settings = async (t: TestApp) => {
  const res = await get(t, "/v1/event");
  expect(res.status).toBe(200);
  expect(validSettings.Check(res.body), JSON.stringify(res.body)).toBe(true);
  return res.body as C.EventSettings;
};

const upload = (t: TestApp, body: Buffer | string, type?: string, headers: Record<string, string> = t.auth) =>
  t.app.inject({
    method: "PUT",
    url: "/v1/admin/event/logo",
    headers: { ...headers, ...(type ? { "content-type": type } : {}) },
    payload: body,
  });

const DEFAULTS: C.EventSettings = {
  name: "Live POS Dashboard",
  accent_color: "#f7931a",
  time_zone: null,
  display_currency: "sats",
  doors_opened_at: null,
  celebration_seconds: 9,
  sound: false,
  public_url: null,
  theme: "dark",
  has_logo: false,
  logo_url: null,
  updated_at: expect.any(String) as unknown as string,
};

describe("event settings: read and change", () => {
  test("a new database has what the screens showed before there were settings", async () => {
    const t = await start();
    expect(await settings(t)).toEqual(DEFAULTS);
  });

  test("PUT is partial: the fields given change, the rest stay; null clears; the answer is the settings", async () => {
    const t = await start();
    const res = await send(t, "PUT", "/v1/admin/event", {
      name: "  Adopting Bitcoin  ",
      accent_color: "#00A3FF",
      time_zone: "america/new_york",
      display_currency: "fiat",
      doors_opened_at: "2025-11-10T10:00:00+01:00",
      celebration_seconds: 12,
      sound: true,
      public_url: "https://example.org/live?mode=attendee",
      theme: "contrast",
    });
    expect(res.status).toBe(200);
    const changed = {
      ...DEFAULTS,
      name: "Adopting Bitcoin",
      accent_color: "#00a3ff",
      time_zone: "America/New_York",
      display_currency: "fiat",
      doors_opened_at: "2025-11-10T09:00:00Z",
      celebration_seconds: 12,
      sound: true,
      public_url: "https://example.org/live?mode=attendee",
      theme: "contrast",
      updated_at: T0,
    };
    expect(res.body).toEqual(changed);
    expect(await settings(t)).toEqual(changed);

    t.clock.now += 60_000;
    const cleared = await send(t, "PUT", "/v1/admin/event", {
      time_zone: null,
      doors_opened_at: null,
      sound: false,
      public_url: "",
    });
    expect(cleared.body).toEqual({
      ...changed,
      time_zone: null,
      doors_opened_at: null,
      sound: false,
      // "" clears as null does (the form's empty field).
      public_url: null,
      updated_at: "2025-11-10T15:01:00Z",
    });
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    [
      "an unknown time zone",
      { time_zone: "Mars/Olympus" },
      /time_zone "Mars\/Olympus" is not an IANA time zone/,
    ],
    ["a colour not #rrggbb", { accent_color: "orange" }, /accent_color/],
    ["a short colour", { accent_color: "#fff" }, /accent_color/],
    ["a name over 80 characters", { name: "x".repeat(81) }, /name/],
    ["a blank name", { name: "   " }, /body\/name must not be blank/],
    ["a null name", { name: null }, /body\/name must not be null/],
    ["celebration under 3 s", { celebration_seconds: 2 }, /celebration_seconds/],
    ["celebration over 60 s", { celebration_seconds: 61 }, /celebration_seconds/],
    ["celebration as a string", { celebration_seconds: "10" }, /celebration_seconds must be integer/],
    ["sound as a string", { sound: "true" }, /sound must be boolean/],
    [
      "a javascript: URL",
      { public_url: "javascript:alert(1)" },
      /public_url must be an http or https address/,
    ],
    ["a relative URL", { public_url: "/attendee" }, /public_url must be an http or https address/],
    [
      "doors without an offset",
      { doors_opened_at: "2025-11-10T10:00:00" },
      /doors_opened_at .* not RFC 3339/,
    ],
    ["doors as a number", { doors_opened_at: 1731229200000 }, /doors_opened_at must be null or string/],
    ["an unknown currency", { display_currency: "eur" }, /display_currency/],
    ["an unknown theme", { theme: "neon" }, /theme/],
    ["a misspelt field", { accent: "#000000" }, /body\/accent is not an event setting/],
  ];
  test.each(refusals)("400 for %s, and nothing changes", async (_what, body, message) => {
    const t = await start();
    const before = await settings(t);
    const res = await t.app.inject({
      method: "PUT",
      url: "/v1/admin/event",
      headers: t.auth,
      payload: { name: "Would be stored", ...body },
    });
    expectError(res, 400, message);
    expect(await settings(t)).toEqual(before);
  });

  test("every change needs the admin token: 401 and nothing stored", async () => {
    const t = await start();
    const none = {};
    expectError(
      await t.app.inject({ method: "PUT", url: "/v1/admin/event", payload: { name: "X" } }),
      401,
      "unauthorized",
    );
    expectError(await upload(t, solidPng(4, [1, 2, 3]), "image/png", none), 401, "unauthorized");
    expectError(await t.app.inject({ method: "DELETE", url: "/v1/admin/event/logo" }), 401, "unauthorized");
    const wrong = { authorization: "Bearer wrong-token" };
    expectError(
      await t.app.inject({ method: "PUT", url: "/v1/admin/event", headers: wrong, payload: { name: "X" } }),
      401,
      "unauthorized",
    );
    expect(await settings(t)).toEqual(DEFAULTS);
  });

  test("settings, logo included, survive a restart on the same file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "api-event-"));
    dirs.push(dir);
    const dbPath = join(dir, "dashboard.db");
    const first = await start({ dbPath });
    await send(first, "PUT", "/v1/admin/event", {
      name: "Kept",
      accent_color: "#123456",
      time_zone: "Europe/Zurich",
    });
    const png = solidPng(8, [200, 10, 10]);
    expect((await upload(first, png, "image/png")).statusCode).toBe(200);
    const stored = await settings(first);
    open.splice(open.indexOf(first), 1);
    await first.close();

    const second = await start({ dbPath });
    expect(await settings(second)).toEqual(stored);
    const logo = await second.app.inject({ method: "GET", url: "/v1/event/logo" });
    expect(logo.statusCode).toBe(200);
    expect(logo.rawPayload.equals(png)).toBe(true);
  });
});

describe("event logo", () => {
  test("a PNG is stored and served as itself: type, nosniff, ETag, 304, caching by version", async () => {
    const t = await start();
    const png = solidPng(16, [0, 128, 255]);
    const res = await upload(t, png, "image/png");
    expect(res.statusCode).toBe(200);
    const body = res.json() as C.EventSettings;
    expect(body.has_logo).toBe(true);
    expect(body.logo_url).toMatch(/^\/v1\/event\/logo\?v=[0-9a-f]{16}$/);
    expect(await settings(t)).toEqual(body);

    const served = await t.app.inject({ method: "GET", url: "/v1/event/logo" });
    expect(served.statusCode).toBe(200);
    expect(served.headers["content-type"]).toBe("image/png");
    expect(served.headers["x-content-type-options"]).toBe("nosniff");
    expect(served.headers["cache-control"]).toBe("no-cache");
    const etag = String(served.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(served.rawPayload.equals(png)).toBe(true);

    const again = await t.app.inject({
      method: "GET",
      url: "/v1/event/logo",
      headers: { "if-none-match": etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    const other = await t.app.inject({
      method: "GET",
      url: "/v1/event/logo",
      headers: { "if-none-match": '"old"' },
    });
    expect(other.statusCode).toBe(200);

    const versioned = await t.app.inject({ method: "GET", url: body.logo_url ?? "" });
    expect(versioned.headers["cache-control"]).toBe("public, max-age=31536000, immutable");

    // A new logo is a new ETag and a new URL.
    const next = (await upload(t, solidPng(16, [255, 0, 0]), "image/png")).json() as C.EventSettings;
    expect(next.logo_url).not.toBe(body.logo_url);
    const changed = await t.app.inject({
      method: "GET",
      url: "/v1/event/logo",
      headers: { "if-none-match": etag },
    });
    expect(changed.statusCode).toBe(200);
  });

  test("JPEG and WebP by their bytes, also sent as application/octet-stream or with no type", async () => {
    const t = await start();
    for (const [bytes, type, served] of [
      [JPEG_START, "image/jpeg", "image/jpeg"],
      [JPEG_START, "image/jpg", "image/jpeg"],
      [WEBP_START, "application/octet-stream", "image/webp"],
      [solidPng(2, [0, 0, 0]), undefined, "image/png"],
    ] as const) {
      const res = await upload(t, bytes, type);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
      const got = await t.app.inject({ method: "GET", url: "/v1/event/logo" });
      expect(got.headers["content-type"]).toBe(served);
    }
  });

  const refused: [string, Buffer | string, string | undefined, number, RegExp][] = [
    ["an SVG", SVG, "image/svg+xml", 415, /SVG logos are not accepted/],
    ["an SVG labelled as a PNG", SVG, "image/png", 415, /SVG or other markup is not accepted/],
    ["HTML as bytes", "<html><script>alert(1)</script></html>", "application/octet-stream", 415, /markup/],
    [
      "a JPEG labelled as a PNG",
      JPEG_START,
      "image/png",
      415,
      /says image\/png but its bytes are image\/jpeg/,
    ],
    ["a PNG labelled text/plain", solidPng(2, [1, 1, 1]), "text/plain", 415, /not text\/plain/],
    [
      "bytes of no image type",
      Buffer.from("GIF89a........"),
      "image/gif",
      415,
      /must be a PNG, JPEG or WebP/,
    ],
    ["JSON", '{"logo":"x"}', "application/json", 415, /send the image file's bytes/],
    ["nothing", Buffer.alloc(0), "image/png", 400, /request body is empty/],
    [
      "a PNG over 512 KB",
      Buffer.concat([solidPng(2, [0, 0, 0]), Buffer.alloc(512 * 1024)]),
      "image/png",
      413,
      /larger than 512 KB/,
    ],
  ];
  test.each(refused)("refuses %s, and keeps the logo it had", async (_what, body, type, status, message) => {
    const t = await start();
    const png = solidPng(4, [9, 9, 9]);
    expect((await upload(t, png, "image/png")).statusCode).toBe(200);
    const before = await settings(t);
    expectError(await upload(t, body, type), status, message);
    expect(await settings(t)).toEqual(before);
    const served = await t.app.inject({ method: "GET", url: "/v1/event/logo" });
    expect(served.rawPayload.equals(png)).toBe(true);
  });

  test("through the ingest thread (as in production) the bytes come back as they went in", async () => {
    const service = await createService(testConfig(), { log: pino({ level: "silent" }) });
    try {
      const png = solidPng(32, [10, 200, 30]);
      const auth = { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "image/png" };
      const put = await service.app.inject({
        method: "PUT",
        url: "/v1/admin/event/logo",
        headers: auth,
        payload: png,
      });
      expect(put.statusCode, put.body).toBe(200);
      const got = await service.app.inject({ method: "GET", url: "/v1/event/logo" });
      expect(got.headers["content-type"]).toBe("image/png");
      expect(got.rawPayload.equals(png)).toBe(true);
    } finally {
      await service.stop();
    }
  });

  test("exactly 512 KB is accepted", async () => {
    const t = await start();
    const png = solidPng(2, [0, 0, 0]);
    const body = Buffer.concat([png, Buffer.alloc(512 * 1024 - png.length)]);
    expect((await upload(t, body, "image/png")).statusCode).toBe(200);
  });

  test("DELETE removes it: 404 from then on, in the one error shape", async () => {
    const t = await start();
    expectError(await t.app.inject({ method: "GET", url: "/v1/event/logo" }), 404, "the event has no logo");
    await upload(t, solidPng(4, [1, 2, 3]), "image/png");
    const res = await send(t, "DELETE", "/v1/admin/event/logo");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_logo: false, logo_url: null });
    expectError(await t.app.inject({ method: "GET", url: "/v1/event/logo" }), 404, "the event has no logo");
  });
});

describe("since doors", () => {
  test("the summary carries totals since doors_opened_at while it is set, and none otherwise", async () => {
    const t = await start();
    await addMerchant(t, "173", "Bitcoin Coffee");
    const at = (iso: string) => upstreamDate(Date.parse(iso));
    await ingest(t, "173", [
      sale(1, 1000, at("2025-11-09T20:00:00Z"), [], { currency: "eur", amount: "1.00" }),
      sale(2, 2000, at("2025-11-10T10:30:00Z"), [], { currency: "eur", amount: "2.50" }),
      sale(3, 4000, at("2025-11-10T14:59:00Z"), [], { currency: "usd", amount: "4.00" }),
    ]);
    const before = (await get(t, "/v1/summary")).body as C.Summary;
    expect(before.since_doors).toBeUndefined();
    expect(before.total_transactions).toBe(3);

    await send(t, "PUT", "/v1/admin/event", { doors_opened_at: "2025-11-10T10:00:00Z" });
    const summary = (await get(t, "/v1/summary")).body as C.Summary;
    expect(Compile(C.Summary).Check(summary)).toBe(true);
    expect(summary.total_transactions).toBe(3);
    expect(summary.since_doors).toEqual({
      doors_opened_at: "2025-11-10T10:00:00Z",
      total_transactions: 2,
      total_volume_sats: 6000,
      average_transaction_size: 3000,
      fiat_volume: [
        { currency: "eur", amount: 2.5 },
        { currency: "usd", amount: 4 },
      ],
    });

    await send(t, "PUT", "/v1/admin/event", { doors_opened_at: null });
    expect(((await get(t, "/v1/summary")).body as C.Summary).since_doors).toBeUndefined();
  });
});

describe("the event live event", () => {
  test("each change sends the settings, then a summary, to open streams", async () => {
    const t = await start();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const stream = await openStream(`${base}/v1/stream`);
    try {
      await send(t, "PUT", "/v1/admin/event", { name: "Streamed", doors_opened_at: "2025-11-10T14:00:00Z" });
      const events = () => stream.events.filter((e) => e.event === "event" || e.event === "summary");
      await waitFor(() => events().length >= 2);
      const [first, second] = events();
      expect(first?.event).toBe("event");
      const pushed = JSON.parse(first?.data ?? "") as C.EventSettings;
      expect(validSettings.Check(pushed)).toBe(true);
      expect(pushed).toEqual(await settings(t));
      expect(second?.event).toBe("summary");
      expect((JSON.parse(second?.data ?? "") as C.Summary).since_doors?.doors_opened_at).toBe(
        "2025-11-10T14:00:00Z",
      );

      await upload(t, solidPng(4, [1, 2, 3]), "image/png");
      await waitFor(() => stream.events.filter((e) => e.event === "event").length === 2);
      const withLogo = JSON.parse(
        stream.events.filter((e) => e.event === "event")[1]?.data ?? "",
      ) as C.EventSettings;
      expect(withLogo.has_logo).toBe(true);
    } finally {
      stream.close();
    }
  });
});
