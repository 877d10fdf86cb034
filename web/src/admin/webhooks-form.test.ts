import { describe, expect, it } from "vitest";
import { hookChanges, hookFormError, hookToForm, toggleEvent } from "./webhooks-form";

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

  it("when editing, takes an empty secret (kept) but checks a typed one", () => {
    expect(hookFormError({ ...ok, secret: "" })).toBe("The secret must be 16 to 256 characters.");
    expect(hookFormError({ ...ok, secret: "" }, true)).toBeNull();
    expect(hookFormError({ ...ok, secret: "short" }, true)).toBe(
      "A new secret must be 16 to 256 characters (leave it empty to keep the current one).",
    );
    expect(hookFormError({ ...ok, secret: "n".repeat(16) }, true)).toBeNull();
    expect(hookFormError({ ...ok, secret: "", url: "nope" }, true)).toBe(
      "The URL must start with http:// or https://.",
    );
    expect(hookFormError({ ...ok, secret: "", events: [] }, true)).toBe("Choose at least one event.");
  });
});

describe("editing: hookToForm and hookChanges (the PUT body)", () => {
  const hook = { url: "https://hooks.example/pos", events: ["sale" as const, "milestone" as const] };

  it("prefills the URL and events, never a secret", () => {
    expect(hookToForm(hook)).toEqual({
      url: "https://hooks.example/pos",
      secret: "",
      events: ["milestone", "sale"],
    });
  });

  it("sends nothing for an untouched form (the secret is kept)", () => {
    expect(hookChanges(hook, hookToForm(hook))).toEqual({});
    // Events in another order, and the URL with spaces around it, are no change either.
    expect(
      hookChanges(hook, { url: " https://hooks.example/pos ", secret: "", events: ["sale", "milestone"] }),
    ).toEqual({});
  });

  it("sends only the fields that changed", () => {
    const form = hookToForm(hook);
    expect(hookChanges(hook, { ...form, url: " https://other.example/x " })).toEqual({
      url: "https://other.example/x",
    });
    expect(hookChanges(hook, { ...form, events: ["sale"] })).toEqual({ events: ["sale"] });
    expect(hookChanges(hook, { ...form, secret: "n".repeat(20) })).toEqual({ secret: "n".repeat(20) });
    expect(hookChanges(hook, { url: "http://127.0.0.1:9/h", secret: "", events: ["milestone"] })).toEqual({
      url: "http://127.0.0.1:9/h",
      events: ["milestone"],
    });
  });

  it("toggles an event, keeping milestone before sale", () => {
    expect(toggleEvent(["sale"], "milestone")).toEqual(["milestone", "sale"]);
    expect(toggleEvent(["milestone", "sale"], "milestone")).toEqual(["sale"]);
    expect(toggleEvent([], "sale")).toEqual(["sale"]);
  });
});
