import { describe, expect, it } from "vitest";
import { ReadCache } from "./read-cache.js";

const refused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

function cache() {
  const clock = { now: 1_000 };
  const c = new ReadCache({ maxStaleMs: 1000, refreshAfterMs: 250, now: () => clock.now });
  return { c, clock };
}

describe("ReadCache while the database cannot be read", () => {
  it("sends the last answer however old, and a fresh one once the database answers again", async () => {
    const { c, clock } = cache();
    expect(await c.get("summary", async () => "at 1s")).toBe("at 1s");
    clock.now += 60_000;
    expect(
      await c.get("summary", async () => {
        throw refused();
      }),
    ).toBe("at 1s");
    expect(c.servedStale).toBe(1);
    expect(await c.get("summary", async () => "at 61s")).toBe("at 61s");
  });

  it("has nothing to send for a read never answered: the failure goes out", async () => {
    const { c } = cache();
    await expect(
      c.get("ticker", async () => {
        throw refused();
      }),
    ).rejects.toThrow("ECONNREFUSED");
  });

  it("hides no bug behind an old answer, nor an answer from before an operator's change", async () => {
    const { c, clock } = cache();
    await c.get("summary", async () => "before");
    clock.now += 60_000;
    await expect(
      c.get("summary", async () => {
        throw new TypeError("x is undefined");
      }),
    ).rejects.toThrow("x is undefined");
    c.invalidateNow();
    await expect(
      c.get("summary", async () => {
        throw refused();
      }),
    ).rejects.toThrow("ECONNREFUSED");
  });
});
