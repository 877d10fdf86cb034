import { describe, expect, it } from "vitest";
import { withoutSecrets } from "./request-log.js";

describe("withoutSecrets", () => {
  it("hides the value of every secret query parameter, however its name is written", () => {
    expect(withoutSecrets("/v1/webhooks/wifi?secret=abc")).toBe("/v1/webhooks/wifi?secret=[redacted]");
    expect(withoutSecrets("/v1/webhooks/wifi?a=1&s%65cret=abc&SECRET=x&b=2")).toBe(
      "/v1/webhooks/wifi?a=1&s%65cret=[redacted]&SECRET=[redacted]&b=2",
    );
    expect(withoutSecrets("/x?secret")).toBe("/x?secret=[redacted]");
  });

  it("leaves every other URL as it is", () => {
    for (const url of [
      "/v1/ticker?limit=50",
      "/v1/summary",
      "/x?not_secret=1",
      "/x?q=%E2%82%AC",
      "/x?%zz=1",
    ]) {
      expect(withoutSecrets(url)).toBe(url);
    }
  });
});
