import { describe, expect, it } from "vitest";
import { PollRequests } from "./source-poll.js";

describe("PollRequests (what keyed merchants' next polls were asked to look at)", () => {
  it("hands a poll every hint and the full-read flag once, per merchant", () => {
    const asked = new PollRequests();
    asked.hint("a", { keys: ["inv1"] });
    asked.hint("a", { keys: ["inv2"] });
    asked.hint("b", { keys: ["h1"] });
    asked.full("a");
    expect(asked.take("a")).toEqual({ hints: [{ keys: ["inv1"] }, { keys: ["inv2"] }], full: true });
    expect(asked.take("a")).toEqual({ hints: [], full: false });
    expect(asked.take("b")).toEqual({ hints: [{ keys: ["h1"] }], full: false });
  });

  it("keeps what a failed poll took, with what arrived meanwhile, for its retry", () => {
    const asked = new PollRequests();
    asked.hint("a", { keys: ["inv1"] });
    asked.full("a");
    const taken = asked.take("a");
    asked.hint("a", { keys: ["inv2"] });
    asked.putBack("a", taken);
    const retry = asked.take("a");
    expect(retry.full).toBe(true);
    expect(retry.hints.flatMap((h) => h.keys).sort()).toEqual(["inv1", "inv2"]);
  });
});
