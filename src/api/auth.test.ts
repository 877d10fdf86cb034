import { describe, expect, it } from "vitest";
import { FailedAuthLimiter, tokenMatcher } from "./auth.js";

describe("tokenMatcher", () => {
  it("matches only the exact token, whatever the candidate's length", () => {
    const matches = tokenMatcher("s3cret-token");
    expect(matches("s3cret-token")).toBe(true);
    expect(matches("s3cret-toke")).toBe(false);
    expect(matches("s3cret-token!")).toBe(false);
    expect(matches("")).toBe(false);
    expect(matches("x".repeat(10_000))).toBe(false);
  });
});

describe("FailedAuthLimiter", () => {
  it("refuses a client after too many failures in the window, then lets it try again", () => {
    const limiter = new FailedAuthLimiter(3, 60_000);
    for (let i = 0; i < 2; i++) limiter.recordFailure("a", 1000);
    expect(limiter.retryAfterSeconds("a", 1000)).toBe(0);
    limiter.recordFailure("a", 1000);
    expect(limiter.retryAfterSeconds("a", 1000)).toBe(60);
    expect(limiter.retryAfterSeconds("a", 31_000)).toBe(30);
    expect(limiter.retryAfterSeconds("b", 1000)).toBe(0);
    expect(limiter.retryAfterSeconds("a", 61_000)).toBe(0);
  });
});
