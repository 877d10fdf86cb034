import { describe, expect, it } from "vitest";
import { missingMilestones } from "./milestones.js";
import { DEMO_DEFAULTS, DemoOptionsError, parseDemoOptions } from "./options.js";

describe("parseDemoOptions", () => {
  it("defaults", () => {
    expect(parseDemoOptions([])).toEqual(DEMO_DEFAULTS);
  });
  it("reads every option, spaced or with =", () => {
    expect(
      parseDemoOptions([
        "--port",
        "8081",
        "--mock-port=9996",
        "--btcpay-port",
        "9995",
        "--lnbits-port=9994",
        "--speed",
        "2.5",
        "--db",
        "/tmp/x.db",
      ]),
    ).toEqual({
      port: 8081,
      mockPort: 9996,
      btcpayPort: 9995,
      lnbitsPort: 9994,
      speed: 2.5,
      db: "/tmp/x.db",
    });
  });
  it.each([
    [["--port"], "needs a value"],
    [["--port", "0"], "invalid --port"],
    [["--port", "70000"], "invalid --port"],
    [["--mock-port", "abc"], "invalid --mock-port"],
    [["--speed", "0"], "invalid --speed"],
    [["--speed", "fast"], "invalid --speed"],
    [["--db", ""], "--db"],
    [["--nope"], "unknown option"],
    [["--port", "9999"], "must differ"],
    [["--btcpay-port", "9997"], "must differ"],
    [["--lnbits-port", "8080"], "must differ"],
    [["--btcpay-port", "x"], "invalid --btcpay-port"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseDemoOptions(argv)).toThrow(DemoOptionsError);
    expect(() => parseDemoOptions(argv)).toThrow(message);
  });
});

describe("missingMilestones", () => {
  it("returns the whole ladder on an empty list and nothing once all exist", () => {
    const all = missingMilestones([]);
    expect(all.map((m) => m.threshold)).toEqual([100, 500, 1000, 100_000, 1_000_000]);
    expect(missingMilestones(all)).toEqual([]);
    expect(missingMilestones([{ name: "100 Sales" }]).length).toBe(4);
  });
});
