/**
 * The server as the ORIGINAL frontend's API client uses it (test/support/original-client.ts, written
 * from /work/shared/spec/original-later-api.md §1, not from our code): public reads send `Accept` only;
 * admin calls always send Accept, `Content-Type: application/json` and the Bearer token, even on GET,
 * the body-less refetch and DELETE; every 2xx goes through response.json() (a 204 or an empty body
 * fails, as it does in the UI); failures throw the UI's exact messages. It runs against the real
 * service (ingest thread, real 127.0.0.1 port) polling the mock upstream, a real HTTP server.
 *
 * One describe per spec section. The sections with their own database: sources, /v1/wifi/config and
 * the wifi webhook (§2–§5) in original-frontend-wifi.test.ts, scenes (§6) in original-frontend-scenes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "../src/mock/index.js";
import { TEST_TOKEN } from "./support/app.js";
import {
  type Merchant,
  type MerchantRank,
  type Milestone,
  type OriginalClient,
  type ProductRank,
  type Scene,
  type Served,
  type Summary,
  serve,
  type TickerRow,
  type Trigger,
  type WifiConfig,
} from "./support/original-client.js";

// ---- The real service on a real port, polling the mock upstream ----

const MIN = 60_000;
let mock: MockUpstream;
let served: Served;
let base: string;
let client: OriginalClient;
/** The mock's three merchants, with aliases whose byte order differs from their id order. */
const ALIASES: Record<string, string> = { "100": "Zebra Café", "101": "Mango Bar", "102": "alpha shop" };

beforeAll(async () => {
  mock = await startMockUpstream({ seed: 14, merchants: 3, generate: false, history: true });
  // Every merchant sells, some sales outside the 5 and 30 minute windows.
  const now = Date.now();
  for (const id of Object.keys(ALIASES))
    for (const ago of [1, 2, 12, 25, 45, 90]) mock.addSale(id, { date: now - ago * MIN });
  // More sales than the ticker's 50, spread over three hours.
  mock.addHistory("100", 40, { spanMs: 180 * MIN });
  served = await serve({ sourceBaseUrl: mock.url });
  ({ base, client } = served);
}, 30_000);

afterAll(async () => {
  await served?.stop();
  await mock?.stop();
});

const truth = () => mock.groundTruth().merchants;

describe("§1 login", () => {
  it("is ok with the admin token and not ok with another", async () => {
    expect(await client.login(TEST_TOKEN)).toBe(true);
    expect(await client.login("not-the-token")).toBe(false);
  });
});

describe("§7 merchants (admin)", () => {
  it("creates merchants with 201 and lists them sorted by alias (byte order)", async () => {
    for (const [id, alias] of Object.entries(ALIASES)) {
      const created = await client.admin<Merchant>("POST", "/v1/admin/merchants", {
        id,
        public_key: `mock_pubkey_${Number(id) - 100}`,
        alias,
        enabled: true,
      });
      expect(created.status).toBe(201);
      expect(created.data).toMatchObject({ id, alias, enabled: true });
    }
    const list = await client.admin<Merchant[]>("GET", "/v1/admin/merchants");
    expect(list.data.map((m) => m.alias)).toEqual(["Mango Bar", "Zebra Café", "alpha shop"]);
    // Posting an existing id updates it (the original answers 201, 200 is also fine), still with a body.
    const again = await client.admin<Merchant>("POST", "/v1/admin/merchants", {
      id: "100",
      public_key: "mock_pubkey_0",
      alias: "Zebra Café",
      enabled: true,
    });
    expect([200, 201]).toContain(again.status);
    expect(again.data).toMatchObject({ id: "100", alias: "Zebra Café" });
    expect((await client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data).toHaveLength(3);
  });

  it("refetch answers 202 {status: refreshing} (body-less POST) and the sales arrive; 404 for an unknown id", async () => {
    for (const id of Object.keys(ALIASES)) {
      const r = await client.admin("POST", `/v1/admin/merchants/${id}/refetch`);
      expect(r).toEqual({ status: 202, data: { status: "refreshing" } });
    }
    const expected = truth().reduce((n, m) => n + m.sales.length, 0);
    await expect
      .poll(async () => (await client.get<Summary>("/v1/summary")).data.total_transactions, {
        timeout: 15_000,
      })
      .toBe(expected);
    await expect(client.admin("POST", "/v1/admin/merchants/nope/refetch")).rejects.toThrow(
      /^Request failed \(404\): \{"error":"[^"]+"\}$/,
    );
  });

  it("takes the edit form's PUT {id, public_key, alias, enabled}: same id ok, empty fields keep, another id 400", async () => {
    const same = await client.admin<Merchant>("PUT", "/v1/admin/merchants/101", {
      id: "101",
      public_key: "mock_pubkey_1",
      alias: "Mango Bar",
      enabled: true,
    });
    expect(same).toMatchObject({ status: 200, data: { id: "101", alias: "Mango Bar", enabled: true } });
    const kept = await client.admin<Merchant>("PUT", "/v1/admin/merchants/101", {
      id: "",
      public_key: "",
      alias: "",
      enabled: false,
    });
    expect(kept.data).toMatchObject({
      id: "101",
      public_key: "mock_pubkey_1",
      alias: "Mango Bar",
      enabled: false,
    });
    await client.admin("PUT", "/v1/admin/merchants/101", {
      id: "101",
      public_key: "",
      alias: "",
      enabled: true,
    });

    const before = (await client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data;
    await expect(
      client.admin("PUT", "/v1/admin/merchants/101", {
        id: "999",
        public_key: "mock_pubkey_1",
        alias: "Renamed",
        enabled: true,
      }),
    ).rejects.toThrow(
      'Request failed (400): {"error":"cannot change merchant ID; please create a new merchant instead"}',
    );
    expect((await client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data).toEqual(before);
  });
});

describe("§1 public reads with the parameters the frontend sends", () => {
  it("/v1/summary counts every polled sale", async () => {
    const all = truth().flatMap((m) => m.sales);
    const { data } = await client.get<Summary>("/v1/summary");
    expect(data).toMatchObject({
      total_transactions: all.length,
      total_volume_sats: all.reduce((n, s) => n + s.amountSats, 0),
      total_merchants: 3,
      active_merchants: 3,
    });
  });

  it("/v1/ticker?limit=50 lists the newest 50 sales, newest first", async () => {
    const { data } = await client.get<TickerRow[]>("/v1/ticker?limit=50");
    const sales = truth().flatMap((m) => m.sales);
    expect(data).toHaveLength(Math.min(50, sales.length));
    expect(sales.length).toBeGreaterThan(50);
    const dates = data.map((r) => Date.parse(r.sale_date));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    const newest = [...sales].sort((a, b) => b.date - a.date).slice(0, 50);
    expect(data.map((r) => `${r.merchant_id}/${r.sale_id}`).sort()).toEqual(
      newest.map((s) => `${s.merchantId}/${s.saleId}`).sort(),
    );
    for (const r of data) expect(r.merchant_alias).toBe(ALIASES[r.merchant_id]);
  });

  it.each(["transactions", "volume"] as const)(
    "/v1/leaderboard/merchants?metric=%s&limit=10 in every window the UI offers",
    async (metric) => {
      for (const [window, minutes] of [
        ["5m", 5],
        ["30m", 30],
        ["60m", 60],
        ["all", Number.POSITIVE_INFINITY],
      ] as const) {
        const before = Date.now();
        const { data } = await client.get<MerchantRank[]>(
          `/v1/leaderboard/merchants?metric=${metric}&limit=10&window=${window}`,
        );
        const after = Date.now();
        // The server's window ends at the moment it answered, somewhere in [before, after].
        const count = (m: { sales: { date: number }[] }, from: number) =>
          m.sales.filter((s) => s.date >= from).length;
        for (const m of truth()) {
          const row = data.find((r) => r.merchant_id === m.id);
          expect(row, `${m.id} in ${window}`).toBeDefined();
          expect(row?.alias).toBe(ALIASES[m.id]);
          expect(row?.transactions).toBeGreaterThanOrEqual(count(m, after - minutes * MIN));
          expect(row?.transactions).toBeLessThanOrEqual(count(m, before - minutes * MIN));
        }
        expect(data).toHaveLength(3);
        const key = metric === "transactions" ? "transactions" : "volume_sats";
        const values = data.map((r) => r[key]);
        expect(values).toEqual([...values].sort((a, b) => b - a));
      }
    },
  );

  it.each(["transactions", "volume"] as const)(
    "/v1/leaderboard/products?metric=%s&limit=10",
    async (metric) => {
      const { data } = await client.get<ProductRank[]>(`/v1/leaderboard/products?metric=${metric}&limit=10`);
      expect(data.length).toBeGreaterThan(0);
      expect(data.length).toBeLessThanOrEqual(10);
      const key = metric === "transactions" ? "transactions" : "volume_sats";
      const values = data.map((r) => r[key]);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    },
  );

  it("a failed public read throws `Request failed: <status>`", async () => {
    await expect(client.get("/v1/leaderboard/merchants?metric=bogus")).rejects.toThrow(
      /^Request failed: 400$/,
    );
  });
});

describe("§1 the other parameters the frontend sends (wifi scene, playlist)", () => {
  it("/v1/summary?source=wifi: no wifi sale yet, so zero sales figures; merchant counts stay everyone's", async () => {
    const all = (await client.get<Summary>("/v1/summary")).data;
    const { data } = await client.get<Summary>("/v1/summary?source=wifi");
    expect(data).toMatchObject({
      total_transactions: 0,
      total_volume_sats: 0,
      average_transaction_size: 0,
      transactions_per_minute: 0,
      volume_per_minute: 0,
      total_merchants: all.total_merchants,
      active_merchants: all.active_merchants,
      unique_products: all.unique_products,
    });
    expect(all.total_transactions).toBeGreaterThan(0);
  });

  it("/v1/ticker?limit=50&source=wifi: [] while only polled sales exist", async () => {
    expect((await client.get<TickerRow[]>("/v1/ticker?limit=50&source=wifi")).data).toEqual([]);
  });

  it("/v1/wifi/config: the four fields, all strings", async () => {
    const { data } = await client.get<WifiConfig>("/v1/wifi/config");
    expect(Object.keys(data).sort()).toEqual([
      "description",
      "duration_hours",
      "lightning_address",
      "price_sats",
    ]);
    for (const v of Object.values(data)) expect(typeof v).toBe("string");
  });

  it("/v1/scenes: the enabled scenes by order, the original's overview and merchants among them", async () => {
    const { data } = await client.get<Scene[]>("/v1/scenes");
    expect(data.every((s) => s.enabled)).toBe(true);
    const orders = data.map((s) => s.order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(data.map((s) => s.id)).toEqual(expect.arrayContaining(["overview", "merchants"]));
  });
});

describe("§8 milestones (admin)", () => {
  let first: Milestone;

  it("creates with 201, lists by threshold, and a crossed one triggers (since= with milliseconds)", async () => {
    const since = new Date(Date.now() - MIN).toISOString();
    expect(since).toMatch(/\.\d{3}Z$/);
    const made: Milestone[] = [];
    for (const body of [
      { name: "Ten million sats", type: "volume", threshold: 10_000_000, enabled: true },
      { name: "First sale", type: "transactions", threshold: 1, enabled: true },
      { name: "Fifty sales", type: "transactions", threshold: 50_000, enabled: true },
    ]) {
      const r = await client.admin<Milestone>("POST", "/v1/admin/milestones", body);
      expect(r.status).toBe(201);
      expect(r.data).toMatchObject({ ...body, triggered: false });
      made.push(r.data);
    }
    const list = (await client.admin<Milestone[]>("GET", "/v1/admin/milestones")).data;
    expect(list.map((m) => m.threshold)).toEqual([1, 50_000, 10_000_000]);

    // A poll evaluates milestones; the refetch makes one now.
    await client.admin("POST", "/v1/admin/merchants/100/refetch");
    await expect
      .poll(async () => (await client.get<Trigger[]>(`/v1/milestones/triggers?since=${since}`)).data, {
        timeout: 15_000,
      })
      .toEqual([expect.objectContaining({ milestone_id: made[1]?.id, name: "First sale" })]);
    first = (await client.admin<Milestone[]>("GET", "/v1/admin/milestones")).data[0] as Milestone;
    expect(first).toMatchObject({ name: "First sale", triggered: true, triggered_at: expect.any(String) });
  });

  it("keeps the trigger state through the edit form's PUT {name, type, threshold, enabled}", async () => {
    const r = await client.admin<Milestone>("PUT", `/v1/admin/milestones/${first.id}`, {
      name: "The first sale",
      type: "transactions",
      threshold: 1,
      enabled: true,
    });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({
      name: "The first sale",
      triggered: true,
      triggered_at: first.triggered_at,
    });
  });

  it("re-arms with the reset button's PUT {reset_trigger: true} alone: triggered false, no triggered_at", async () => {
    const r = await client.admin<Milestone>("PUT", `/v1/admin/milestones/${first.id}`, {
      reset_trigger: true,
    });
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({
      name: "The first sale",
      type: "transactions",
      threshold: 1,
      triggered: false,
    });
    expect(r.data).not.toHaveProperty("triggered_at");
    const listed = (await client.admin<Milestone[]>("GET", "/v1/admin/milestones")).data.find(
      (m) => m.id === first.id,
    );
    expect(listed).toMatchObject({ triggered: false });
    expect(listed).not.toHaveProperty("triggered_at");
  });

  it("deletes with 200 {message: milestone deleted} (body-less DELETE), then 404", async () => {
    const r = await client.admin("DELETE", `/v1/admin/milestones/${first.id}`);
    expect(r).toEqual({ status: 200, data: { message: "milestone deleted" } });
    const left = (await client.admin<Milestone[]>("GET", "/v1/admin/milestones")).data;
    expect(left.map((m) => m.id)).not.toContain(first.id);
    await expect(client.admin("DELETE", `/v1/admin/milestones/${first.id}`)).rejects.toThrow(
      /^Request failed \(404\): \{"error":"[^"]+"\}$/,
    );
  });
});

describe("§7 merchant delete", () => {
  it("answers 200 {message: merchant deleted} (body-less DELETE), takes the merchant's sales along, then 404", async () => {
    const gone = truth().find((m) => m.id === "102");
    const rest = truth().filter((m) => m.id !== "102");
    const r = await client.admin("DELETE", "/v1/admin/merchants/102");
    expect(r).toEqual({ status: 200, data: { message: "merchant deleted" } });
    expect(gone?.sales.length).toBeGreaterThan(0);

    const summary = (await client.get<Summary>("/v1/summary")).data;
    expect(summary).toMatchObject({
      total_transactions: rest.reduce((n, m) => n + m.sales.length, 0),
      total_merchants: 2,
    });
    const ticker = (await client.get<TickerRow[]>("/v1/ticker?limit=50")).data;
    expect(ticker.length).toBeGreaterThan(0);
    expect(ticker.filter((t) => t.merchant_id === "102")).toEqual([]);
    const ranks = (
      await client.get<MerchantRank[]>("/v1/leaderboard/merchants?metric=volume&limit=10&window=all")
    ).data;
    expect(ranks.map((m) => m.merchant_id).sort()).toEqual(["100", "101"]);
    const products = (
      await client.get<ProductRank[]>("/v1/leaderboard/products?metric=transactions&limit=10")
    ).data;
    expect(products.filter((p) => p.merchant_id === "102")).toEqual([]);
    expect((await client.admin<Merchant[]>("GET", "/v1/admin/merchants")).data.map((m) => m.id)).toEqual([
      "101",
      "100",
    ]);
    await expect(client.admin("DELETE", "/v1/admin/merchants/102")).rejects.toThrow(
      /^Request failed \(404\): \{"error":"[^"]+"\}$/,
    );
  });
});

describe("§9 CORS, as a browser at another origin does it", () => {
  const ORIGIN = "http://admin.example";

  it.each([
    ["DELETE", "/v1/admin/merchants/100"],
    ["PUT", "/v1/admin/merchants/100"],
    ["POST", "/v1/admin/merchants/100/refetch"],
    ["POST", "/v1/admin/milestones"],
    ["GET", "/v1/admin/milestones"],
    // §6: the scenes panel's calls.
    ["GET", "/v1/admin/scenes"],
    ["POST", "/v1/admin/scenes"],
    ["PUT", "/v1/admin/scenes/overview"],
    ["DELETE", "/v1/admin/scenes/overview"],
  ])("allows the preflight of %s %s with authorization, content-type and accept", async (method, path) => {
    const res = await fetch(base + path, {
      method: "OPTIONS",
      headers: {
        Origin: ORIGIN,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type,accept",
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const origin = res.headers.get("access-control-allow-origin");
    expect([ORIGIN, "*"]).toContain(origin);
    const methods = (res.headers.get("access-control-allow-methods") ?? "").split(/\s*,\s*/);
    for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) expect(methods).toContain(m);
    // A wildcard would not cover Authorization: the browser needs it named.
    const headers = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    for (const h of ["accept", "authorization", "content-type", "x-admin-token", "x-requested-with"])
      expect(headers).toContain(h);
    expect(res.headers.get("access-control-max-age")).toBe("300");
  });

  it("lets the browser read the answers of the actual calls (public and admin)", async () => {
    for (const [path, headers] of [
      ["/v1/summary", { Accept: "application/json" }],
      ["/v1/admin/merchants", { Accept: "application/json", Authorization: `Bearer ${TEST_TOKEN}` }],
    ] as const) {
      const res = await fetch(base + path, { headers: { ...headers, Origin: ORIGIN } });
      expect(res.status).toBe(200);
      expect([ORIGIN, "*"]).toContain(res.headers.get("access-control-allow-origin"));
      await res.json();
    }
  });
});
