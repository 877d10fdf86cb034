import { describe, expect, it } from "vitest";
import { routeFor } from "./router";

describe("routing", () => {
  it("routes /admin and everything else", () => {
    expect(routeFor("/admin")).toBe("admin");
    expect(routeFor("/admin/")).toBe("admin");
    expect(routeFor("/ADMIN/x")).toBe("admin");
    expect(routeFor("/")).toBe("dashboard");
    expect(routeFor("/administrator")).toBe("dashboard");
  });

  it("routes /recap, and only it", () => {
    expect(routeFor("/recap")).toBe("recap");
    expect(routeFor("/Recap/")).toBe("recap");
    expect(routeFor("/recaps")).toBe("dashboard");
  });
});
