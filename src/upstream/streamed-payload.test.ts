import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mulberry32, type Rng } from "../mock/random.js";
import { BodySyntaxError, OversizedPart } from "./body-errors.js";
import { PayloadError, parsePosPayload } from "./payload.js";
import { StreamedPayload } from "./streamed-payload.js";

const FIXTURE = new URL("../../../shared/fixtures/paywithflash-capture.json", import.meta.url);

/** What the whole-body path makes of a body: its poll, or the poll's error as operators see it. */
function whole(text: string): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: "upstream body is not JSON" };
  }
  try {
    return parsePosPayload(body);
  } catch (e) {
    if (e instanceof PayloadError) return { error: e.message };
    throw e;
  }
}

/** The streamed path over `bytes` cut at `cuts`, batches joined back in order. */
function streamed(bytes: Buffer, cuts: number[], batchSize = 3): unknown {
  const payload = new StreamedPayload(batchSize);
  const sales: unknown[] = [];
  let from = 0;
  try {
    for (const at of [...cuts, bytes.length]) {
      payload.write(bytes.subarray(from, at));
      from = at;
      for (const batch of payload.takeBatches()) {
        expect(batch).toHaveLength(batchSize);
        sales.push(...batch);
      }
    }
    const rest = payload.end();
    return { ...rest, sales: [...sales, ...rest.sales] };
  } catch (e) {
    if (e instanceof BodySyntaxError) return { error: "upstream body is not JSON" };
    if (e instanceof PayloadError) return { error: e.message };
    throw e;
  }
}

function randomCuts(rng: Rng, length: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(rng() * length)).sort((a, b) => a - b);
}

function expectSame(text: string, rng: Rng, tries = 20): void {
  const want = whole(text);
  const bytes = Buffer.from(text);
  for (let t = 0; t < tries; t++) {
    expect(streamed(bytes, randomCuts(rng, bytes.length, 1 + Math.floor(rng() * 40)))).toEqual(want);
  }
}

const NAMES = [
  "Café ₿",
  'the "special"',
  "back\\slash",
  "tab\there",
  "😀 party",
  "naïve\nline",
  "}],{[",
  "\\",
];

/** A body in the real format with every quirk: names needing escapes, multi-byte text, odd rows. */
function generatedBody(rng: Rng, sales: number): string {
  const rows: unknown[] = [];
  for (let i = 0; i < sales; i++) {
    const id = 100_000 - i * (1 + Math.floor(rng() * 3));
    const lines = Array.from({ length: Math.floor(rng() * 3) }, (_, n) => ({
      ProductID: 1 + n,
      ProductName: NAMES[Math.floor(rng() * NAMES.length)],
      ProductPriceSats: rng() < 0.5 ? 44.0 : "44",
      Quantity: 1 + n,
      Nested: { deep: [[{ a: "]" }], { b: "}" }] },
    }));
    rows.push({
      SaleId: rng() < 0.02 ? 100_000 : id,
      SaleOrigin: "pos",
      SaleDate: rng() < 0.02 ? "not a date" : "2025-08-22T19:27:23.532000+00:00",
      TotalCostSats: rng() < 0.02 ? "-5" : String(100 + i),
      TotalCostCurrency: "0.10",
      Currency: "usd",
      Note: NAMES[i % NAMES.length],
      Products: rng() < 0.02 ? [null, ...lines] : lines,
    });
    if (rng() < 0.01) rows.push(rng() < 0.5 ? null : [1, { SaleId: 3 }]);
  }
  const products = [{ productid: 1, name: "cheap ₿", total_transactions: 7, total_revenue_sats: "1628.0" }];
  return JSON.stringify(
    { success: true, message: "ok", data: { name: "shop \u00e9", sales: rows, products, extra: [{}] } },
    null,
    rng() < 0.5 ? 0 : 2,
  );
}

describe("StreamedPayload reads a body as it streams to what parsePosPayload reads of it whole", () => {
  // 13,000 whole parses: 9-11 s alone on a slow 2-core machine, past the default 20 s beside other tests.
  it("for the real captured answer, split at every byte", { timeout: 90_000 }, () => {
    const bytes = readFileSync(FIXTURE);
    const want = whole(bytes.toString("utf8"));
    expect(want).toMatchObject({ products: [{}, {}] });
    for (let at = 0; at <= bytes.length; at++) expect(streamed(bytes, [at])).toEqual(want);
    expect(
      streamed(
        bytes,
        Array.from({ length: bytes.length }, (_, i) => i),
      ),
    ).toEqual(want);
  });

  it("for generated bodies cut anywhere: inside strings, escapes and multi-byte characters", () => {
    const rng = mulberry32(12);
    for (let n = 0; n < 12; n++) expectSame(generatedBody(rng, 20 + n * 40), rng);
    const big = Buffer.from(generatedBody(rng, 3000));
    const want = whole(big.toString("utf8"));
    expect((want as { sales: unknown[] }).sales.length).toBeGreaterThan(2000);
    expect((want as { skipped: unknown[] }).skipped.length).toBeGreaterThan(100);
    for (let t = 0; t < 5; t++) expect(streamed(big, randomCuts(rng, big.length, 500), 100)).toEqual(want);
    // Every multi-byte character cut between its bytes.
    const cuts: number[] = [];
    for (let i = 1; i < big.length; i++) if (((big[i] as number) & 0xc0) === 0x80) cuts.push(i);
    expect(cuts.length).toBeGreaterThan(1000);
    expect(streamed(big, cuts, 100)).toEqual(want);
  });

  it("whatever the order of keys, with extra fields, other key styles and the flag anywhere", () => {
    const rng = mulberry32(5);
    const sale = (id: number) =>
      `{"Products":[],"TotalCostSats":"9","SaleDate":"2025-08-22T19:27:23Z","SaleId":${id}}`;
    const sales = `[${sale(3)},${sale(2)} , ${sale(1)}]`;
    const product = '{"productid":5,"total_transactions":1,"total_revenue_sats":"1"}';
    for (const text of [
      `{"data":{"products":[${product}],"sales":${sales}},"success":true}`,
      `{"data":{"sales":${sales},"x":{"sales":[1]},"products":[${product}]},"success":"true"}`,
      `{"Data":{"SALES":${sales}}}`,
      `{"da_ta":{"Sales":${sales}},"junk":[{"data":{"sales":[9]}}]}`,
      `{"data":{"x":1},"other":{"sales":${sales}}}`,
      `{"data":{"sales":${sales}},"success":false,"message":"Error fetching PoS"}`,
      `{"message":"bad key","data":{"sales":${sales}},"Success":"false"}`,
      `{"data":{"sales":null,"products":[${product}]}}`,
      `{"data":{"sales":{"0":${sale(1)}}}}`,
      `{"data":{"sales":[]}}`,
      `{"data":{"sales":[ ]}}`,
      `{"data":[${sales}]}`,
      `{"data":5}`,
      `{"success":true}`,
      `[{"data":{"sales":${sales}}}]`,
      `"data"`,
      ` \n{"data" : { "sales" :\n[\n${sale(1)}\n]\n}\n}\n `,
      // Two lists the key reading accepts: the first read is the one parsePosPayload reads.
      `{"data":{"sales":${sales},"Sales":[${sale(9)}]}}`,
      `{"data":{"Sales":${sales},"SALES":[${sale(9)}]}}`,
    ]) {
      expectSame(text, rng);
    }
  });

  it("refuses what is not JSON, wherever it is, as the whole body's parse does", () => {
    const rng = mulberry32(9);
    const sale = '{"SaleId":1,"TotalCostSats":"9","SaleDate":"2025-08-22T19:27:23Z"}';
    for (const text of [
      `{"data":{"sales":[${sale},]}}`,
      `{"data":{"sales":[,${sale}]}}`,
      `{"data":{"sales":[${sale},,${sale}]}}`,
      `{"data":{"sales":[${sale} ${sale}]}}`,
      `{"data":{"sales":[${sale}}}}`,
      `{"data":{"sales":[{"SaleId":1,]}}`,
      `{"data":{"sales":[${sale}]}`,
      `{"data":{"sales":[${sale}]}}}`,
      `{"data":{"sales":[${sale}]}}{"data":{"sales":[${sale}]}}`,
      `{"data":{"sales":[${sale}]}} 5`,
      `{"data":{"sales":[${sale}]},}`,
      `{"data":{"sales":["unterminated]}}`,
      `{"data":{"sales":[${sale}]},"tail":tru}`,
      `{"d\\ata":{"sales":[${sale}]}}`,
      "",
      "<html>502</html>",
      "}{}",
      ']{"data":{"sales":[{"SaleId":1}]}}',
      "nul",
    ]) {
      expect(whole(text)).toEqual({ error: "upstream body is not JSON" });
      expectSame(text, rng);
    }
  });

  it("fails as soon as a run of sales is not JSON, after handing out the batches before it", () => {
    const sale = (id: number) => `{"SaleId":${id},"TotalCostSats":"9","SaleDate":"2025-08-22T19:27:23Z"}`;
    const good = Array.from({ length: 10 }, (_, i) => sale(100 - i)).join(",");
    const payload = new StreamedPayload(4);
    payload.write(Buffer.from(`{"data":{"sales":[${good},`));
    expect(payload.takeBatches().map((b) => b.length)).toEqual([4, 4]);
    expect(() => payload.write(Buffer.from(`{"SaleId":1,"TotalCostSats":}, ${sale(1)}`))).toThrow(
      BodySyntaxError,
    );
  });

  it("refuses a body that is not JSON at its first byte, not once it has been kept whole", () => {
    const payload = new StreamedPayload(2);
    expect(() => payload.write(Buffer.from("<html><body>502 Bad Gateway"))).toThrow(BodySyntaxError);
  });

  it("refuses a second sales list that the whole body's parse would read instead of the first", () => {
    const body = '{"data":{"Sales":[{"SaleId":1}],"sales":[{"SaleId":2}]}}';
    expect(streamed(Buffer.from(body), [])).toEqual({ error: "upstream body has more than one sales list" });
  });

  it("holds at most its bound of the envelope or of one sale, however long the body", () => {
    const sale = (id: number) => `{"SaleId":${id},"TotalCostSats":"9","SaleDate":"2025-08-22T19:27:23Z"}`;
    const feed = (payload: StreamedPayload, text: string) => {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += 100) payload.write(bytes.subarray(at, at + 100));
      return payload;
    };
    // Many sales, far more bytes than the bound in all: only what is held counts.
    const sales = Array.from({ length: 200 }, (_, i) => sale(1000 - i)).join(",");
    const many = feed(new StreamedPayload(50, 1000), `{"data":{"products":[],"sales":[${sales}]}}`);
    expect(many.takeBatches().flat()).toHaveLength(200);
    expect(many.end().skippedCount).toBe(0);
    const envelope = `{"data":{"sales":[${sale(1)}],"note":"${"x".repeat(2000)}"}}`;
    expect(() => feed(new StreamedPayload(50, 1000), envelope)).toThrow(new OversizedPart("envelope", 1000));
    const endless = `{"data":{"sales":[${sale(2)},{"SaleId":1,"note":"${"x".repeat(2000)}"}]}}`;
    expect(() => feed(new StreamedPayload(50, 1000), endless)).toThrow(new OversizedPart("sale", 1000));
    // Without a bound, as before.
    expect(feed(new StreamedPayload(50), envelope).end().sales).toHaveLength(1);
  });
});
