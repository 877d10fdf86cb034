import { describe, expect, it } from "vitest";
import { POLL_TIMES_EVERY_MS, PollTimeBuffer } from "./poll-time-buffer.js";

describe("PollTimeBuffer", () => {
  it("is due a second after the oldest time it keeps, and keeps only each merchant's latest time", () => {
    const buffer = new PollTimeBuffer();
    expect(buffer.keep("a", 1000)).toBe(false);
    expect(buffer.keep("b", 1500)).toBe(false);
    expect(buffer.keep("a", 1900)).toBe(false);
    expect(buffer.keep("b", 1000 + POLL_TIMES_EVERY_MS)).toBe(true);
    expect([...buffer.take()]).toEqual([
      ["a", 1900],
      ["b", 2000],
    ]);
    expect(buffer.size).toBe(0);
    // Emptied, it counts its second from the next time kept, not from the first ever.
    expect(buffer.keep("a", 5000)).toBe(false);
    expect(buffer.keep("a", 5999)).toBe(false);
  });

  it("forgets a merchant whose poll wrote its own time", () => {
    const buffer = new PollTimeBuffer();
    buffer.keep("a", 1000);
    buffer.keep("b", 1100);
    buffer.forget("a");
    expect([...buffer.take()]).toEqual([["b", 1100]]);
  });
});
