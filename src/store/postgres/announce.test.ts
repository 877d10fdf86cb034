import { describe, expect, it } from "vitest";
import { decodeChange, decodeSales, MAX_SALE_IDS } from "../../cluster/live-news.js";
import { encodeMessage, MAX_PAYLOAD_BYTES } from "../../cluster/notify-message.js";
import { encodeNews } from "./announce.js";

const origin = "host-1-abcd";
const received = (news: Parameters<typeof encodeNews>[0]) => ({ ...encodeNews(news), origin });

describe("live news on the wire", () => {
  it("names up to a hundred sales; more travel as a count, under NOTIFY's limit whatever the poll", () => {
    const few = received({ kind: "sales", merchantId: "m1", saleIds: [3, 4], triggerIds: [9] });
    expect(decodeSales(few)).toEqual({
      merchantId: "m1",
      saleIds: [3, 4],
      count: 2,
      triggerIds: [9],
      triggerCount: 1,
      webhook: false,
    });
    const ids = Array.from({ length: 1_000_000 }, (_, i) => 2 ** 52 - i);
    const many = received({ kind: "sales", merchantId: "m".repeat(64), saleIds: ids, triggerIds: [] });
    expect(Buffer.byteLength(encodeMessage(many))).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(decodeSales(many)).toMatchObject({ count: MAX_SALE_IDS, triggerCount: 0 });
    expect(decodeSales(many)?.saleIds).toBeUndefined();
    const hundred = Array.from({ length: MAX_SALE_IDS }, (_, i) => 2 ** 52 - i);
    const full = received({ kind: "sales", merchantId: "m".repeat(64), saleIds: hundred, triggerIds: [] });
    expect(Buffer.byteLength(encodeMessage(full))).toBeLessThan(MAX_PAYLOAD_BYTES);
    expect(decodeSales(full)?.saleIds).toEqual(hundred);
  });

  it("a webhook sale and an operator's change keep what receivers act on", () => {
    const sale = received({ kind: "sales", merchantId: "wifi", saleIds: [1], triggerIds: [], webhook: true });
    expect(decodeSales(sale)?.webhook).toBe(true);
    const change = received({ kind: "change", change: "updateScene", id: "products" });
    expect(decodeChange(change)).toEqual({ change: "updateScene", id: "products" });
    expect(decodeSales(change)).toBeUndefined();
  });

  it("what this version cannot read is refused, never half read", () => {
    for (const payload of [null, 7, "x", {}, { m: 1 }, { c: 2 }])
      for (const kind of ["sales", "change"]) {
        expect(decodeSales({ kind, payload, origin })).toBeUndefined();
        expect(decodeChange({ kind, payload, origin })).toBeUndefined();
      }
    // Ids that are not integers name nothing: the merchant's newest are read, none of them by id.
    const odd = decodeSales({ kind: "sales", payload: { m: "m1", s: ["1; drop"], n: 5 }, origin });
    expect(odd).toMatchObject({ merchantId: "m1", count: 5 });
    expect(odd?.saleIds).toBeUndefined();
  });
});
