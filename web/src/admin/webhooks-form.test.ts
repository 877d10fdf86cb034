import { describe, expect, it } from "vitest";
import { hookFormError } from "./WebhooksPanel";

const ok = { url: "https://hooks.example/pos", secret: "s".repeat(16), events: ["milestone" as const] };

describe("hookFormError", () => {
  it("passes a form the server would take", () => {
    expect(hookFormError(ok)).toBeNull();
    expect(hookFormError({ ...ok, url: " http://127.0.0.1:9/x ", events: ["sale", "milestone"] })).toBeNull();
  });

  it("says what is wrong before the server is asked", () => {
    expect(hookFormError({ ...ok, url: "ftp://x" })).toBe("The URL must start with http:// or https://.");
    expect(hookFormError({ ...ok, secret: "short" })).toBe("The secret must be 16 to 256 characters.");
    expect(hookFormError({ ...ok, secret: "x".repeat(257) })).toBe(
      "The secret must be 16 to 256 characters.",
    );
    expect(hookFormError({ ...ok, events: [] })).toBe("Choose at least one event.");
  });
});
