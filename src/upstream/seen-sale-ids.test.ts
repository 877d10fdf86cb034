import { describe, expect, it } from "vitest";
import { mulberry32 } from "../mock/random.js";
import { SeenSaleIds } from "./seen-sale-ids.js";

describe("SeenSaleIds", () => {
  it("tells a repeated id as a Set would, in order or not, for steps of any size", () => {
    const rng = mulberry32(3);
    const walks: ((id: number) => number)[] = [
      (id) => id - 1 - Math.floor(rng() * 300),
      (id) => id + 1 + Math.floor(rng() * 2 ** 45),
      (id) => id + (rng() < 0.5 ? -1 : 1) * Math.floor(rng() * 3),
      () => Math.floor(rng() * 60),
    ];
    for (let t = 0; t < 400; t++) {
      const seen = new SeenSaleIds();
      const set = new Set<number>();
      const walk = walks[t % walks.length] as (id: number) => number;
      let id = Math.floor(rng() * Number.MAX_SAFE_INTEGER);
      for (let i = 0; i < 200; i++) {
        id = Math.min(Math.max(0, walk(id)), Number.MAX_SAFE_INTEGER);
        // Now and then an id from much earlier, which breaks the order.
        const next = rng() < 0.01 && set.size > 0 ? ([...set][Math.floor(rng() * set.size)] as number) : id;
        expect(seen.add(next)).toBe(!set.has(next));
        set.add(next);
      }
    }
  });
});
