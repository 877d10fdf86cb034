import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_CACHE } from "../src/service.js";
import { addMerchant, get, ingest, line, product, sale } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";

/*
 * ?source= on every read, against figures worked out by hand. The clock stands at 2025-11-10T15:30:30Z,
 * mid-minute and mid-hour, so each window is added up from all three parts (src/store/windows.ts): the
 * minute rollups cover from 13:31 (two hours before the polls, to the next minute), so
 *   5m  (from 15:25:30): raw 15:25:30–15:26, minutes 15:26–16:00;
 *   1h  (from 14:30:30): raw 14:30:30–14:31, minutes 14:31–15:00, hours from 15:00;
 *   24h (from 11-09 15:30:30, before the minute coverage): raw until 11-09 16:00, hours from there.
 *
 *      date                    p1 (pwf)   p2 (pwf, disabled)   w (wifi)   part of 5m / 1h / 24h
 *   A  2025-11-08T12:00:00        100                               1     – / – / –
 *   B  2025-11-09T15:30:40        200                               2     – / – / raw
 *   C  2025-11-10T10:15:00        400          10                         – / – / hour
 *   D  2025-11-10T14:30:45        800                               3     – / raw / hour
 *   E  2025-11-10T14:45:10       1600                               5     – / minute / hour
 *   F  2025-11-10T15:10:00       3200                                     – / hour / hour
 *   G  2025-11-10T15:25:40       6400          20                   7     raw / hour / hour
 *   H  2025-11-10T15:28:05      12800                              11     minute / hour / hour
 *
 * Each sale has one line of its merchant's one product (p1 480 Coffee, p2 481 Empanada, w 900 Upgrade)
 * at its amount; pwf sales are 1.00 usd each, wifi sales 0.50 eur each.
 *   pwf:  all 10 sales 25530 sats; 24h 9 / 25430; 1h 6 / 24820; 5m 3 / 19220
 *   wifi: all  6 sales    29 sats; 24h 5 /    28; 1h 4 /    26; 5m 2 /    18
 */
const NOW = Date.parse("2025-11-10T15:30:30Z");
const DATES = {
  A: "2025-11-08T12:00:00",
  B: "2025-11-09T15:30:40",
  C: "2025-11-10T10:15:00",
  D: "2025-11-10T14:30:45",
  E: "2025-11-10T14:45:10",
  F: "2025-11-10T15:10:00",
  G: "2025-11-10T15:25:40",
  H: "2025-11-10T15:28:05",
};
type At = keyof typeof DATES;

function sales(firstId: number, product: [number, string], at: [At, number][], fiat: [string, string]) {
  return at.map(([when, sats], i) =>
    sale(firstId + i, sats, `${DATES[when]}.000000+00:00`, [line(product[0], product[1], 1, sats)], {
      currency: fiat[0],
      amount: fiat[1],
    }),
  );
}

/** Stands in for the webhook (another part of issue 14): a merchant of source wifi, its sales carrying it. */
async function makeWifi(t: TestApp, id: string): Promise<void> {
  await sql`update merchants set source = 'wifi' where id = ${id}`.execute(t.store.db);
  await sql`update transactions set source = 'wifi' where merchant_id = ${id}`.execute(t.store.db);
}

async function seed(t: TestApp): Promise<void> {
  await addMerchant(t, "p1", "Coffee Bar");
  await addMerchant(t, "p2", "Empanadas", { enabled: false });
  await addMerchant(t, "w", "WiFi Upgrades");
  const p1: [At, number][] = [
    ["A", 100],
    ["B", 200],
    ["C", 400],
    ["D", 800],
    ["E", 1600],
    ["F", 3200],
    ["G", 6400],
    ["H", 12800],
  ];
  await ingest(t, "p1", sales(100, [480, "Coffee"], p1, ["usd", "1.00"]), [
    product(480, "Coffee", 8, "25500"),
  ]);
  const p2: [At, number][] = [
    ["C", 10],
    ["G", 20],
  ];
  await ingest(t, "p2", sales(200, [481, "Empanada"], p2, ["usd", "1.00"]), [
    product(481, "Empanada", 2, "30"),
  ]);
  const w: [At, number][] = [
    ["A", 1],
    ["B", 2],
    ["D", 3],
    ["E", 5],
    ["G", 7],
    ["H", 11],
  ];
  await ingest(t, "w", sales(300, [900, "Upgrade"], w, ["eur", "0.50"]), [product(900, "Upgrade", 6, "29")]);
  await makeWifi(t, "w");
}

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ now: NOW });
  await seed(t);
});
afterAll(async () => {
  await t.close();
});

const ok = async (url: string, headers: Record<string, string> = {}) => {
  const res = await get(t, url, headers);
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body as never;
};

/**
 * The merchant and product counts (and the rates' window, and the last successful poll) every filtered
 * summary keeps: everyone's.
 */
const COUNTS = {
  active_merchants: 2,
  reporting_merchants: 2,
  total_merchants: 3,
  unique_products: 3,
  rate_window_seconds: 300,
  last_polled_at: "2025-11-10T15:30:30Z",
};

describe("source filter on the summary", () => {
  it("counts only the source's sales; merchant and product counts stay everyone's", async () => {
    expect(await ok("/v1/summary?source=pwf")).toEqual({
      total_transactions: 10,
      total_volume_sats: 25530,
      average_transaction_size: 2553,
      ...COUNTS,
      transactions_per_minute: 0.6,
      volume_per_minute: 3844,
      fiat_volume: [{ currency: "usd", amount: 10 }],
    });
    expect(await ok("/v1/summary?source=wifi")).toEqual({
      total_transactions: 6,
      total_volume_sats: 29,
      average_transaction_size: 4.83,
      ...COUNTS,
      transactions_per_minute: 0.4,
      volume_per_minute: 3.6,
      fiat_volume: [{ currency: "eur", amount: 3 }],
    });
  });

  it("all, empty and absent count every source, wifi included", async () => {
    const all = {
      total_transactions: 16,
      total_volume_sats: 25559,
      average_transaction_size: 1597.44,
      ...COUNTS,
      transactions_per_minute: 1,
      volume_per_minute: 3847.6,
      fiat_volume: [
        { currency: "eur", amount: 3 },
        { currency: "usd", amount: 10 },
      ],
    };
    for (const q of ["", "?source=all", "?source="]) expect(await ok(`/v1/summary${q}`), q).toEqual(all);
  });

  it("a source no sale has yet matches none: zeros, counts unchanged", async () => {
    expect(await ok("/v1/summary?source=lnbits_2")).toEqual({
      total_transactions: 0,
      total_volume_sats: 0,
      average_transaction_size: 0,
      ...COUNTS,
      transactions_per_minute: 0,
      volume_per_minute: 0,
      fiat_volume: [],
    });
  });

  it("/v1/admin/summary is the same answer behind the token, with the same filter", async () => {
    for (const q of ["", "?source=wifi", "?source=pwf", "?source=nope"]) {
      expect(await ok(`/v1/admin/summary${q}`, t.auth), q).toEqual(await ok(`/v1/summary${q}`));
    }
    const res = await get(t, "/v1/admin/summary?source=wifi");
    expect(res).toEqual({ status: 401, body: { error: "unauthorized" } });
  });
});

describe("source filter on the ticker", () => {
  const rows = async (q: string) =>
    ((await ok(`/v1/ticker${q}`)) as { merchant_id: string; amount_sats: number; source: string }[]).map(
      (r) => [r.merchant_id, r.amount_sats, r.source],
    );

  it("lists only the source's sales, newest first, up to limit", async () => {
    expect(await rows("?source=wifi&limit=3")).toEqual([
      ["w", 11, "wifi"],
      ["w", 7, "wifi"],
      ["w", 5, "wifi"],
    ]);
    // Sales at one date: the later stored first (p2's poll came after p1's).
    expect(await rows("?source=pwf&limit=3")).toEqual([
      ["p1", 12800, "pwf"],
      ["p2", 20, "pwf"],
      ["p1", 6400, "pwf"],
    ]);
    expect((await rows("?source=wifi&limit=50")).length).toBe(6);
  });

  it("all or no source lists everyone's; an unknown source lists nothing", async () => {
    const all = [
      ["w", 11, "wifi"],
      ["p1", 12800, "pwf"],
      ["w", 7, "wifi"],
      ["p2", 20, "pwf"],
    ];
    for (const q of ["?limit=4", "?limit=4&source=all", "?limit=4&source="])
      expect(await rows(q), q).toEqual(all);
    expect(await rows("?source=nope")).toEqual([]);
  });
});

describe("source filter on the merchant leaderboard", () => {
  const board = async (q: string) =>
    (
      (await ok(`/v1/leaderboard/merchants${q}`)) as {
        merchant_id: string;
        transactions: number;
        volume_sats: number;
      }[]
    ).map((r) => [r.merchant_id, r.transactions, r.volume_sats]);

  it.each([
    [
      "all",
      [["w", 6, 29]],
      [
        ["p1", 8, 25500],
        ["p2", 2, 30],
      ],
    ],
    [
      "24h",
      [["w", 5, 28]],
      [
        ["p1", 7, 25400],
        ["p2", 2, 30],
      ],
    ],
    [
      "1h",
      [["w", 4, 26]],
      [
        ["p1", 5, 24800],
        ["p2", 1, 20],
      ],
    ],
    [
      "5m",
      [["w", 2, 18]],
      [
        ["p1", 2, 19200],
        ["p2", 1, 20],
      ],
    ],
  ])("window %s: each source's merchants with their own figures", async (window, wifi, pwf) => {
    expect(await board(`?window=${window}&source=wifi`)).toEqual(wifi);
    expect(await board(`?window=${window}&source=pwf`)).toEqual(pwf);
    expect(await board(`?window=${window}&source=nope`)).toEqual([]);
    const all = await board(`?window=${window}`);
    const byRank = (a: (string | number)[], b: (string | number)[]) =>
      Number(b[1]) - Number(a[1]) || Number(b[2]) - Number(a[2]) || String(a[0]).localeCompare(String(b[0]));
    expect(all).toEqual([...pwf, ...wifi].sort(byRank));
    expect(await board(`?window=${window}&source=all`)).toEqual(all);
  });

  it("ranks by volume within the source", async () => {
    expect(await board("?window=5m&metric=volume&source=pwf")).toEqual([
      ["p1", 2, 19200],
      ["p2", 1, 20],
    ]);
  });
});

describe("source filter on the product leaderboard", () => {
  const board = async (q: string) =>
    (
      (await ok(`/v1/leaderboard/products${q}`)) as {
        product_id: number;
        transactions: number;
        volume_sats: number;
      }[]
    ).map((r) => [r.product_id, r.transactions, r.volume_sats]);

  it.each([
    [
      "all",
      [[900, 6, 29]],
      [
        [480, 8, 25500],
        [481, 2, 30],
      ],
    ],
    [
      "24h",
      [[900, 5, 28]],
      [
        [480, 7, 25400],
        [481, 2, 30],
      ],
    ],
    [
      "1h",
      [[900, 4, 26]],
      [
        [480, 5, 24800],
        [481, 1, 20],
      ],
    ],
    [
      "5m",
      [[900, 2, 18]],
      [
        [480, 2, 19200],
        [481, 1, 20],
      ],
    ],
  ])("window %s: the products of the source's merchants", async (window, wifi, pwf) => {
    expect(await board(`?window=${window}&source=wifi`)).toEqual(wifi);
    expect(await board(`?window=${window}&source=pwf`)).toEqual(pwf);
    expect(await board(`?window=${window}&source=nope`)).toEqual([]);
    expect((await board(`?window=${window}`)).length).toBe(3);
  });
});

describe("source filter on the timeseries", () => {
  /** The buckets with sales: [start's time of day, transactions, sats]. */
  const used = async (q: string) =>
    (
      (await ok(`/v1/timeseries${q}`)) as {
        buckets: { start: string; transactions: number; volume_sats: number }[];
      }
    ).buckets
      .filter((b) => b.transactions > 0)
      .map((b) => [b.start.slice(11, 19), b.transactions, b.volume_sats]);

  it("60m by minute (minute rollups)", async () => {
    expect(await used("?window=60m&bucket=1m&source=wifi")).toEqual([
      ["14:45:00", 1, 5],
      ["15:25:00", 1, 7],
      ["15:28:00", 1, 11],
    ]);
    expect(await used("?window=60m&bucket=1m&source=pwf")).toEqual([
      ["14:45:00", 1, 1600],
      ["15:10:00", 1, 3200],
      ["15:25:00", 2, 6420],
      ["15:28:00", 1, 12800],
    ]);
  });

  it("3h by minute, older than the minute rollups (raw sales)", async () => {
    expect(await used("?window=3h&bucket=1m&source=wifi")).toEqual([
      ["14:30:00", 1, 3],
      ["14:45:00", 1, 5],
      ["15:25:00", 1, 7],
      ["15:28:00", 1, 11],
    ]);
  });

  it("24h by hour (hour rollups) and 5m by 10 s (raw sales)", async () => {
    expect(await used("?window=24h&bucket=1h&source=wifi")).toEqual([
      ["14:00:00", 2, 8],
      ["15:00:00", 2, 18],
    ]);
    expect(await used("?window=24h&bucket=1h&source=pwf")).toEqual([
      ["10:00:00", 2, 410],
      ["14:00:00", 2, 2400],
      ["15:00:00", 4, 22420],
    ]);
    expect(await used("?window=5m&bucket=10s&source=wifi")).toEqual([
      ["15:25:40", 1, 7],
      ["15:28:00", 1, 11],
    ]);
    expect(await used("?window=5m&bucket=10s&source=pwf")).toEqual([
      ["15:25:40", 2, 6420],
      ["15:28:00", 1, 12800],
    ]);
  });

  it("with merchant_id too, and for an unknown source: zero buckets, all still present", async () => {
    expect(await used("?window=60m&source=wifi&merchant_id=p1")).toEqual([]);
    expect(await used("?window=60m&source=pwf&merchant_id=p2")).toEqual([["15:25:00", 1, 20]]);
    const none = (await ok("/v1/timeseries?window=60m&source=nope")) as { buckets: unknown[] };
    expect(none.buckets.length).toBe(60);
    expect(await used("?window=60m&source=nope")).toEqual([]);
    expect(await used("?window=60m&source=all")).toEqual(await used("?window=60m"));
  });
});

describe("a source that is not a name", () => {
  const paths = [
    "/v1/summary",
    "/v1/ticker",
    "/v1/leaderboard/merchants",
    "/v1/leaderboard/products",
    "/v1/timeseries",
  ];
  it.each(["WiFi", "wi%20fi", "wifi!", "x".repeat(33), "%C3%BC", "%00"])(
    "%s gets 400 naming source",
    async (bad) => {
      for (const path of [...paths, "/v1/admin/summary"]) {
        const res = await get(t, `${path}?source=${bad}`, t.auth);
        expect(res.status, path).toBe(400);
        expect((res.body as { error: string }).error, path).toMatch(/source/);
      }
    },
  );

  it("two values get 400 too", async () => {
    for (const path of paths) expect((await get(t, `${path}?source=pwf&source=wifi`)).status, path).toBe(400);
  });
});

describe("the read cache keeps sources apart", () => {
  it("each source filter is its own cached answer; all, empty and absent are one", async () => {
    const cached = await makeTestApp({ now: NOW, cache: { ...READ_CACHE, now: () => NOW } });
    try {
      await seed(cached);
      for (const path of [
        "/v1/summary",
        "/v1/admin/summary",
        "/v1/ticker",
        "/v1/leaderboard/merchants",
        "/v1/leaderboard/products?window=1h",
        "/v1/timeseries",
      ]) {
        const join = path.includes("?") ? "&" : "?";
        const answers = [];
        for (const q of ["", "source=wifi", "source=pwf", "source=nope", "source=all", "source="]) {
          const res = await get(cached, q ? `${path}${join}${q}` : path, cached.auth);
          expect(res.status).toBe(200);
          expect(res.body, `${path} ${q}`).toEqual(
            (await get(t, q ? `${path}${join}${q}` : path, t.auth)).body,
          );
          answers.push(JSON.stringify(res.body));
        }
        expect(new Set(answers.slice(0, 4)).size, path).toBe(4);
        expect(answers.slice(4), path).toEqual([answers[0], answers[0]]);
      }
    } finally {
      await cached.close();
    }
  });
});
