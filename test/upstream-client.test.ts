import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createUpstreamClient } from "../src/upstream/client.js";
import { type FakeUpstream, posBody, saleRow, startFakeUpstream } from "./support/upstream.js";

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const sales = Array.from({ length: 300 }, (_, i) =>
  saleRow(1000 - i, 100 + i, "2025-11-10T12:00:00.000000+00:00", [
    { ProductID: 7, ProductName: "Café ₿", Quantity: 1, ProductPriceSats: 100 + i },
  ]),
);
const body = JSON.stringify(posBody(sales, []));
const sha1 = createHash("sha1").update(body).digest("base64");

describe("upstream client", () => {
  it("reads a body sent in pieces, with or without a declared length, to the same sales and digest", async () => {
    upstream = await startFakeUpstream();
    upstream.set("declared", { kind: "pieces", body, pieces: 7, declareLength: true });
    upstream.set("chunked", { kind: "pieces", body, pieces: 7, declareLength: false });
    upstream.set("whole", { kind: "raw", body });
    const fetchMerchant = createUpstreamClient({ baseUrl: upstream.url, timeoutMs: 5000 });
    for (const id of ["declared", "chunked", "whole"]) {
      const result = await fetchMerchant({ id, publicKey: "k" });
      if (result.unchanged) throw new Error("expected a parsed poll");
      expect(result.digest).toBe(sha1);
      expect(result.sales).toHaveLength(300);
      expect(result.sales[0]).toMatchObject({ saleId: 1000, amountSats: 100 });
      expect(result.sales[299]?.lines[0]).toMatchObject({ productId: 7, name: "Café ₿", unitSats: 399 });
      expect(await fetchMerchant({ id, publicKey: "k", bodyDigest: sha1 })).toEqual({
        unchanged: true,
        digest: sha1,
      });
    }
  });
});

describe("upstream client, a body above its streaming threshold", () => {
  it("reads it as it streams to the same sales, products and digest as when read whole", async () => {
    upstream = await startFakeUpstream();
    upstream.set("declared", { kind: "pieces", body, pieces: 7, declareLength: true });
    upstream.set("chunked", { kind: "pieces", body, pieces: 7, declareLength: false });
    const whole = await createUpstreamClient({ baseUrl: upstream.url, timeoutMs: 5000 })({
      id: "declared",
      publicKey: "k",
    });
    const streaming = createUpstreamClient({
      baseUrl: upstream.url,
      timeoutMs: 5000,
      streamAboveBytes: 1000,
    });
    for (const id of ["declared", "chunked"]) {
      // A streamed body is parsed whatever its digest: its sales were stored as they came.
      expect(await streaming({ id, publicKey: "k", bodyDigest: sha1 })).toEqual(whole);
      const batches: number[][] = [];
      const result = await streaming({ id, publicKey: "k" }, undefined, async (sales) => {
        batches.push(sales.map((s) => s.saleId));
      });
      if (result.unchanged) throw new Error("expected a parsed poll");
      expect(batches.flat().concat(result.sales.map((s) => s.saleId))).toEqual(sales.map((_, i) => 1000 - i));
      expect(result.digest).toBe(sha1);
    }
  });

  it("does not count the time spent storing its batches against the timeout, but still times out upstream", async () => {
    upstream = await startFakeUpstream();
    const long = JSON.stringify(
      posBody(Array.from({ length: 9000 }, (_, i) => saleRow(9000 - i, 5, "2025-11-10T12:00:00Z"))),
    );
    upstream.set("slow-store", { kind: "pieces", body: long, pieces: 5, declareLength: true });
    upstream.set("stalls", { kind: "partial", after: "stall" });
    const fetchMerchant = createUpstreamClient({
      baseUrl: upstream.url,
      timeoutMs: 300,
      streamAboveBytes: 1000,
    });
    let stored = 0;
    const result = await fetchMerchant({ id: "slow-store", publicKey: "k" }, undefined, async (batch) => {
      await new Promise((r) => setTimeout(r, 150));
      stored += batch.length;
    });
    expect(stored).toBe(8000);
    expect(result.unchanged ? [] : result.sales).toHaveLength(1000);
    await expect(fetchMerchant({ id: "stalls", publicKey: "k" }, undefined, async () => {})).rejects.toThrow(
      "upstream timed out after 300ms",
    );
  });

  it("rejects with the error its batches raised, as it is", async () => {
    upstream = await startFakeUpstream();
    const long = JSON.stringify(
      posBody(Array.from({ length: 2500 }, (_, i) => saleRow(i + 1, 5, "2025-11-10T12:00:00Z"))),
    );
    upstream.set("long", { kind: "raw", body: long });
    const fetchMerchant = createUpstreamClient({
      baseUrl: upstream.url,
      timeoutMs: 5000,
      streamAboveBytes: 1000,
    });
    const gone = new Error("merchant gone");
    await expect(
      fetchMerchant({ id: "long", publicKey: "k" }, undefined, () => Promise.reject(gone)),
    ).rejects.toBe(gone);
  });
});

describe("upstream client, an answer past MAX_UPSTREAM_BYTES", () => {
  const CAP = 128 * 1024;
  /** A good answer exactly `bytes` long (its names hold multi-byte characters): trailing spaces are JSON. */
  const exactly = (bytes: number) => body + " ".repeat(bytes - Buffer.byteLength(body));
  const until = async (cond: () => boolean) => {
    for (let i = 0; !cond(); i++) {
      if (i > 500) throw new Error("condition not reached in time");
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it.each([
    ["read whole", undefined],
    ["streamed", 1000],
  ])(
    "takes one exactly at the cap, refuses one byte more by its length or as counted (%s)",
    async (_, streamAboveBytes) => {
      upstream = await startFakeUpstream();
      upstream.set("at-cap", { kind: "pieces", body: exactly(CAP), pieces: 9, declareLength: false });
      upstream.set("declared", { kind: "pieces", body: exactly(CAP + 1), pieces: 9, declareLength: true });
      upstream.set("chunked", { kind: "pieces", body: exactly(CAP + 1), pieces: 9, declareLength: false });
      const fetchMerchant = createUpstreamClient({
        baseUrl: upstream.url,
        timeoutMs: 5000,
        maxBytes: CAP,
        ...(streamAboveBytes === undefined ? {} : { streamAboveBytes }),
      });
      const ok = await fetchMerchant({ id: "at-cap", publicKey: "k" });
      expect(ok.unchanged ? [] : ok.sales).toHaveLength(300);
      await expect(fetchMerchant({ id: "declared", publicKey: "k" })).rejects.toThrow(
        `upstream answer larger than MAX_UPSTREAM_BYTES (128 KiB): its Content-Length is ${CAP + 1}`,
      );
      await expect(fetchMerchant({ id: "chunked", publicKey: "k" })).rejects.toThrow(
        "upstream answer larger than MAX_UPSTREAM_BYTES (128 KiB): stopped reading there",
      );
    },
  );

  it("stops an endless body at the cap and ends its request, even one whose Content-Length lies", async () => {
    upstream = await startFakeUpstream();
    const rows = { prefix: '{"success":true,"data":{"sales":[', unit: '{"SaleId":"x"},' };
    upstream.set("endless", { kind: "flood", ...rows });
    upstream.set("small-length", { kind: "flood", ...rows, declare: 1000 });
    // Long enough that only the cap, never the timeout, can be what stops it.
    const fetchMerchant = createUpstreamClient({ baseUrl: upstream.url, timeoutMs: 60_000, maxBytes: CAP });
    await expect(fetchMerchant({ id: "endless", publicKey: "k" })).rejects.toThrow(
      "upstream answer larger than MAX_UPSTREAM_BYTES (128 KiB): stopped reading there",
    );
    const [request] = upstream.requests;
    await until(() => request?.end !== undefined);
    // A declared length is all Node's parser hands over, whatever follows it.
    await expect(fetchMerchant({ id: "small-length", publicKey: "k" })).rejects.toThrow(
      "upstream body is not JSON",
    );
  });

  it("does not read a failure's body at all, however long", async () => {
    upstream = await startFakeUpstream();
    upstream.set("500", { kind: "flood", status: 500, prefix: "<html>", unit: "Internal Server Error " });
    const fetchMerchant = createUpstreamClient({ baseUrl: upstream.url, timeoutMs: 60_000, maxBytes: CAP });
    await expect(fetchMerchant({ id: "500", publicKey: "k" })).rejects.toThrow("upstream responded 500");
    const [request] = upstream.requests;
    await until(() => request?.end !== undefined);
  });

  it("refuses a streamed body that holds too much outside its sales, or in one sale", async () => {
    upstream = await startFakeUpstream();
    const sale = '{"SaleId":1,"SaleDate":"2025-11-10T12:00:00Z","TotalCostSats":"5"}';
    upstream.set("envelope", {
      kind: "flood",
      prefix: `{"success":true,"data":{"sales":[${sale}],"note":"`,
      unit: "abcdefghij",
      suffix: '"}}',
      // Longer than one read of the socket (Node 24 may hand 20 kB over at once, leaving nothing held).
      bytes: 200_000,
    });
    upstream.set("sale", {
      kind: "flood",
      prefix: `{"success":true,"data":{"sales":[${sale},{"SaleId":2,"note":"`,
      unit: "abcdefghij",
      suffix: '"}]}}',
      bytes: 200_000,
    });
    // Only the bytes held at once count: a long history of ordinary sales passes.
    const long = JSON.stringify(
      posBody(Array.from({ length: 500 }, (_, i) => saleRow(500 - i, 5, "2025-11-10T12:00:00Z"))),
    );
    upstream.set("long", { kind: "pieces", body: long, pieces: 20, declareLength: false });
    const fetchMerchant = createUpstreamClient({
      baseUrl: upstream.url,
      timeoutMs: 5000,
      streamAboveBytes: 1000,
      maxPartBytes: 4096,
    });
    await expect(fetchMerchant({ id: "envelope", publicKey: "k" })).rejects.toThrow(
      "upstream answer holds more than 4 KiB outside its sales list",
    );
    await expect(fetchMerchant({ id: "sale", publicKey: "k" })).rejects.toThrow(
      "upstream answer holds a sale larger than 4 KiB",
    );
    expect(long.length).toBeGreaterThan(4096 * 10);
    const result = await fetchMerchant({ id: "long", publicKey: "k" });
    expect(result.unchanged ? [] : result.sales).toHaveLength(500);
  });
});
