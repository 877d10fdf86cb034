import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addMerchant, expectError, get, ingest, sale } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/** Query parameter validation on the public endpoints: every bad value is a 400 `{"error": "…"}`. */

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  await addMerchant(t, "173", "Bitcoin Coffee");
  await ingest(t, "173", [sale(1, 100, "2025-11-10T14:59:00.000000+00:00")]);
});
afterAll(async () => {
  await t.close();
});

const inject = (url: string) => t.app.inject({ method: "GET", url });

const LIMITED = [
  "/v1/ticker",
  "/v1/leaderboard/merchants",
  "/v1/leaderboard/products",
  "/v1/milestones/triggers",
] as const;

describe("limit", () => {
  const bad: [string, RegExp][] = [
    ["0", /limit must be >= 1/],
    ["1001", /limit must be <= 1000/],
    ["-1", /limit must be >= 1/],
    ["1.5", /limit must be integer/],
    ["abc", /limit must be integer/],
    ["", /limit must be integer/],
    // Ajv coerces these to Infinity and then skips its bounds: they once reached SQL as a 500.
    ["1e400", /limit must be a finite number/],
    ["Infinity", /limit must be a finite number/],
    ["-Infinity", /limit must be a finite number/],
  ];
  for (const path of LIMITED) {
    test.each(bad)(`${path}?limit=%j → 400`, async (value, message) => {
      expectError(await inject(`${path}?limit=${encodeURIComponent(value)}`), 400, message);
    });
    test(`${path}?limit=1 and limit=1000 are accepted`, async () => {
      expect((await inject(`${path}?limit=1`)).statusCode).toBe(200);
      expect((await inject(`${path}?limit=1000`)).statusCode).toBe(200);
    });
  }
});

describe("window", () => {
  const bad: [string, string][] = [
    ["abc", 'invalid window "abc": use a duration like 5m, 1h, 24h, or "all"'],
    ["5", 'invalid window "5": use a duration like 5m, 1h, 24h, or "all"'],
    ["", 'invalid window "": use a duration like 5m, 1h, 24h, or "all"'],
    ["5 m", 'invalid window "5 m": use a duration like 5m, 1h, 24h, or "all"'],
    ["1d", 'invalid window "1d": use a duration like 5m, 1h, 24h, or "all"'],
    ["0s", 'invalid window "0s": must be greater than 0'],
    ["0", 'invalid window "0": must be greater than 0'],
    ["-5m", 'invalid window "-5m": must be greater than 0'],
  ];
  for (const path of ["/v1/leaderboard/merchants", "/v1/leaderboard/products"]) {
    test.each(bad)(`${path}?window=%j → 400`, async (value, message) => {
      expectError(await inject(`${path}?window=${encodeURIComponent(value)}`), 400, message);
    });
    test(`${path}: window=all and Go durations (1h30m, 1.5h, 300ms) are accepted`, async () => {
      for (const w of ["all", "1h30m", "1.5h", "300ms", "168h"]) {
        expect((await inject(`${path}?window=${w}`)).statusCode, w).toBe(200);
      }
    });
  }

  test("Go duration syntax counts: 1.5h reaches back 90 minutes", async () => {
    // The only sale is one minute old: in every window here; 30s is too short.
    expect((await get(t, "/v1/leaderboard/merchants?window=1.5h")).body).toEqual([
      { merchant_id: "173", alias: "Bitcoin Coffee", transactions: 1, volume_sats: 100 },
    ]);
    expect((await get(t, "/v1/leaderboard/merchants?window=30s")).body).toEqual([]);
    expect((await get(t, "/v1/leaderboard/merchants?window=60s")).body).toHaveLength(1);
  });
});

describe("metric", () => {
  for (const path of ["/v1/leaderboard/merchants", "/v1/leaderboard/products"]) {
    test.each(["revenue", "", "TRANSACTIONS", "volume,transactions"])(
      `${path}?metric=%j → 400`,
      async (value) => {
        const res = await inject(`${path}?metric=${encodeURIComponent(value)}`);
        expectError(res, 400, /metric/);
        // One clear sentence, not the same complaint repeated per alternative of the schema.
        const { error } = res.json() as { error: string };
        expect(error.split("metric").length - 1, error).toBe(1);
      },
    );
  }
});

describe("since", () => {
  test.each([
    "yesterday",
    "2025-11-10",
    "2025-11-10T00:00:00",
    "2025-11-10 00:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-11-10T00:00:00+0100",
    "1731196800",
    "",
  ])("/v1/milestones/triggers?since=%j → 400", async (value) => {
    expectError(
      await inject(`/v1/milestones/triggers?since=${encodeURIComponent(value)}`),
      400,
      `invalid since ${JSON.stringify(value)}: use RFC 3339, e.g. 2025-11-10T00:00:00Z`,
    );
  });

  test.each([
    "2025-11-10T00:00:00Z",
    "2025-11-10T00:00:00.5Z",
    "2025-11-10T02:00:00+02:00",
    "2025-11-09T19:00:00-05:00",
  ])("since=%j is accepted", async (value) => {
    expect(await get(t, `/v1/milestones/triggers?since=${encodeURIComponent(value)}`)).toEqual({
      status: 200,
      body: [],
    });
  });
});
