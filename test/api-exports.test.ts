import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { ExportedLine, ExportedProduct, MilestoneTrigger, TickerRow } from "../src/contract/index.js";
import { expectError, get } from "./support/api-helpers.js";
import { makeTestApp, type TestApp } from "./support/app.js";
import { csvObjects, parseCsv } from "./support/csv.js";
import { AWKWARD_NAME, FORMULA_NAME, PAYMENT_HASH, seedExportShop } from "./support/export-shop.js";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
  await seedExportShop(t);
});
afterEach(async () => t.close());

const exportOf = (path: string, headers = t.auth) => t.app.inject({ method: "GET", url: path, headers });

async function ndjson<R>(path: string): Promise<R[]> {
  const res = await exportOf(path);
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toBe("application/x-ndjson; charset=utf-8");
  return res.body === ""
    ? []
    : res.body
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as R);
}

async function csv(path: string): Promise<Record<string, string>[]> {
  const res = await exportOf(path);
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8; header=present");
  return csvObjects(res.body);
}

/**
 * A JSON row as its CSV record reads: absent and null fields empty, everything else as text, a text
 * that a spreadsheet would take for a formula behind a quote.
 */
const asCsv = (row: object) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v === null ? "" : typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v),
    ]),
  );

const rawLines = () =>
  t.store.db
    .selectFrom("sale_lines as l")
    .innerJoin("transactions as t", (j) =>
      j.onRef("t.merchant_id", "=", "l.merchant_id").onRef("t.sale_id", "=", "l.sale_id"),
    )
    .select([
      "l.merchant_id",
      "l.sale_id",
      "l.line_no",
      "l.product_id",
      "l.name",
      "l.quantity",
      "l.unit_sats",
    ])
    .orderBy("t.sale_date")
    .orderBy("l.line_no")
    .execute();

describe("every kind in both formats, against the API and the stored rows", () => {
  test("sales: the ticker's rows, oldest first, with fiat, currency, source and external id", async () => {
    const ticker = (await get(t, "/v1/ticker?limit=100")).body as TickerRow[];
    const sales = await ndjson<TickerRow>("/v1/admin/exports/sales?format=ndjson");
    expect(sales).toEqual([...ticker].reverse());
    expect(sales).toHaveLength(6);
    expect(sales.find((s) => s.source === "wifi")).toMatchObject({
      external_id: PAYMENT_HASH,
      amount_sats: 210,
    });
    expect(sales.find((s) => s.sale_id === 2001)).toMatchObject({ fiat_amount: 1.35, currency: "eur" });
    const rows = await csv("/v1/admin/exports/sales?format=csv");
    expect(Object.keys(rows[0] ?? {})).toEqual([
      "sale_id",
      "merchant_id",
      "merchant_alias",
      "amount_sats",
      "sale_date",
      "fiat_amount",
      "currency",
      "source",
      "external_id",
    ]);
    const blank = { fiat_amount: "", currency: "", external_id: "" };
    expect(rows).toEqual(sales.map((s) => ({ ...blank, ...asCsv(s) })));
  });

  test("lines: every stored sale line, with its sale's date and source", async () => {
    const raw = await rawLines();
    const lines = await ndjson<ExportedLine>("/v1/admin/exports/lines?format=ndjson");
    expect(lines.map(({ line_sats: _s, sale_date: _d, source: _o, ...l }) => l)).toEqual(raw);
    expect(lines.find((l) => l.name === "Soda")).toMatchObject({
      merchant_id: "174",
      sale_id: 2002,
      quantity: 6,
      unit_sats: 500,
      line_sats: 3000,
      sale_date: "2025-11-10T09:00:00Z",
      source: "pwf",
    });
    const rows = await csv("/v1/admin/exports/lines");
    expect(rows).toEqual(lines.map((l) => ({ external_id: "", ...asCsv(l) })));
  });

  test("products: the stored catalogue with its all-time figures and its merchant's source", async () => {
    const raw = await t.store.db
      .selectFrom("products")
      .selectAll()
      .orderBy("merchant_id")
      .orderBy("product_id")
      .execute();
    const products = await ndjson<ExportedProduct>("/v1/admin/exports/products?format=ndjson");
    expect(products).toEqual(
      raw.map((p) => ({
        ...p,
        active: p.active === 1,
        deleted: p.deleted === 1,
        updated_at: new Date(p.updated_at).toISOString().replace(".000Z", "Z"),
        source: "pwf",
      })),
    );
    const rows = await csv("/v1/admin/exports/products");
    expect(rows[0]).toMatchObject({
      merchant_id: "173",
      product_id: "480",
      active: "true",
      deleted: "false",
    });
    expect(rows).toEqual(products.map(asCsv));
    expect(rows.find((r) => r.product_id === "482")?.name).toBe(`'${FORMULA_NAME}`);
  });

  test("triggers: the milestone triggers the API lists, oldest first", async () => {
    const api = (await get(t, "/v1/milestones/triggers?since=2025-11-01T00:00:00Z"))
      .body as MilestoneTrigger[];
    const triggers = await ndjson<MilestoneTrigger>("/v1/admin/exports/triggers?format=ndjson");
    expect(triggers.map((x) => x.name)).toEqual(["Three sales", "Five sales"]);
    expect(triggers).toEqual([...api].reverse());
    expect(await csv("/v1/admin/exports/triggers")).toEqual(triggers.map(asCsv));
  });
});

describe("CSV", () => {
  test("a name with a comma, quotes and a line break is one quoted field; a formula is defused", async () => {
    const res = await exportOf("/v1/admin/exports/lines?merchant_id=173");
    expect(res.body).toContain(`,481,"Latte, ""large""\nwith foam",1,700,700,`);
    expect(res.body).toContain(`,"'=HYPERLINK(""http://x.invalid"")",`);
    // CRLF between records (RFC 4180); the name's own line break stays a bare LF inside its quotes.
    expect(res.body.split("\r\n")).toHaveLength(6);
    expect(parseCsv(res.body).map((r) => r[4])).toEqual([
      "name",
      "Espresso",
      `'${FORMULA_NAME}`,
      "Espresso",
      AWKWARD_NAME,
    ]);
  });

  test("an empty export still has its header row", async () => {
    const res = await exportOf("/v1/admin/exports/sales?from=2030-01-01T00:00:00Z");
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(
      "sale_id,merchant_id,merchant_alias,amount_sats,sale_date,fiat_amount,currency,source,external_id\r\n",
    );
    expect((await exportOf("/v1/admin/exports/sales?format=ndjson&from=2030-01-01T00:00:00Z")).body).toBe("");
  });

  test("sent as an attachment named by what it holds, never cached", async () => {
    const res = await exportOf("/v1/admin/exports/sales?merchant_id=173&source=pwf&format=ndjson");
    expect(res.headers["content-disposition"]).toBe(
      'attachment; filename="sales-173-pwf-20251110T150000Z.ndjson"',
    );
    expect(res.headers["cache-control"]).toBe("no-store");
    const all = await exportOf("/v1/admin/exports/products");
    expect(all.headers["content-disposition"]).toBe('attachment; filename="products-20251110T150000Z.csv"');
  });
});

describe("filters", () => {
  const ids = async (query: string, kind = "sales") =>
    (await ndjson<{ sale_id: number }>(`/v1/admin/exports/${kind}?format=ndjson&${query}`)).map(
      (s) => s.sale_id,
    );

  test("merchant, source and time range, alone and together", async () => {
    expect(await ids("merchant_id=173")).toEqual([1003, 1002, 1001]);
    expect(await ids("source=wifi")).toHaveLength(1);
    expect(await ids("source=pwf")).toEqual([1003, 2002, 1002, 2001, 1001]);
    expect(await ids("source=all")).toHaveLength(6);
    // from inclusive, to exclusive
    expect(await ids("from=2025-11-10T14:54:59Z&to=2025-11-10T14:58:30Z")).toEqual([1002, 2001]);
    expect(await ids("merchant_id=174&from=2025-11-10T00:00:00%2B02:00")).toEqual([2002, 2001]);
    expect(await ids("merchant_id=173&from=2025-11-10T14:00:00Z", "lines")).toEqual([1002, 1002, 1001, 1001]);
    expect(await ids("source=wifi", "lines")).toEqual([]);
    const products = await ndjson<ExportedProduct>(
      "/v1/admin/exports/products?format=ndjson&merchant_id=174",
    );
    expect(products.map((p) => p.name)).toEqual(["Pupusa"]);
    const triggers = await ndjson<MilestoneTrigger>(
      "/v1/admin/exports/triggers?format=ndjson&from=2025-11-10T14:59:10Z",
    );
    expect(triggers.map((x) => x.name)).toEqual(["Five sales"]);
  });

  test("bad filters are a JSON 400 (or 404 for an unknown merchant) and nothing is streamed", async () => {
    const cases: [string, number, RegExp][] = [
      ["/v1/admin/exports/refunds", 400, /params\/kind/],
      ["/v1/admin/exports/sales?format=xlsx", 400, /querystring\/format/],
      ["/v1/admin/exports/sales?merchant_id=a%20b", 400, /querystring\/merchant_id/],
      ["/v1/admin/exports/sales?source=PWF!", 400, /querystring\/source/],
      ["/v1/admin/exports/sales?from=yesterday", 400, /^invalid from "yesterday": use RFC 3339/],
      ["/v1/admin/exports/lines?to=2025-11-10", 400, /^invalid to "2025-11-10"/],
      ["/v1/admin/exports/sales?from=2025-11-10T15:00:00Z&to=2025-11-10T14:00:00Z", 400, /must be before to/],
      ["/v1/admin/exports/products?from=2025-11-10T14:00:00Z", 400, /^products are not dated/],
      ["/v1/admin/exports/triggers?merchant_id=173", 400, /^milestone triggers belong to no merchant/],
      ["/v1/admin/exports/triggers?source=pwf", 400, /^milestone triggers belong to no merchant/],
      ["/v1/admin/exports/sales?merchant_id=999", 404, /^unknown merchant "999"$/],
    ];
    for (const [url, status, message] of cases) {
      const res = await exportOf(url);
      expectError(res, status, message);
      expect(res.headers["content-disposition"]).toBeUndefined();
    }
  });
});

test("the admin token is required", async () => {
  const refused: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { "x-admin-token": "" }];
  for (const headers of refused) {
    const res = await exportOf("/v1/admin/exports/sales", headers);
    expectError(res, 401, "unauthorized");
  }
});
