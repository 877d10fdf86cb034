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
