import { describe, expect, it } from "vitest";
import { whenReachable } from "./reach.js";

const refused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

describe("whenReachable", () => {
  it("retries while PostgreSQL is unreachable, waiting longer each time, then answers", async () => {
    let attempts = 0;
    const waits: [string, number][] = [];
    const value = await whenReachable(
      async () => {
        attempts++;
        if (attempts < 4) throw refused();
        return "open";
      },
      { onWait: (reason, ms) => waits.push([reason, ms]), random: () => 0 },
    );
    expect(value).toBe("open");
    // random() = 0: half of each ceiling (500, 1000, 2000 ms).
    expect(waits.map(([, ms]) => ms)).toEqual([250, 500, 1000]);
    expect(waits[0]?.[0]).toBe("connect ECONNREFUSED 127.0.0.1:5432 (ECONNREFUSED)");
  });

  it("throws at once what waiting would not fix (a wrong password), with PostgreSQL's words", async () => {
    const wrong = Object.assign(new Error('password authentication failed for user "live"'), {
      code: "28P01",
    });
    let attempts = 0;
    await expect(
      whenReachable(
        async () => {
          attempts++;
          throw wrong;
        },
        { onWait: () => {} },
      ),
    ).rejects.toBe(wrong);
    expect(attempts).toBe(1);
  });

  it("stops waiting when told to stop, with the last failure", async () => {
    const stop = new AbortController();
    const waiting = whenReachable(
      async () => {
        throw refused();
      },
      { onWait: () => stop.abort(), random: () => 1, signal: stop.signal },
    );
    await expect(waiting).rejects.toThrow("ECONNREFUSED");
  });
});
