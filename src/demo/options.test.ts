import { describe, expect, it } from "vitest";
import { missingMilestones } from "./milestones.js";
import { DEMO_DEFAULTS, DemoOptionsError, parseDemoOptions } from "./options.js";

describe("parseDemoOptions", () => {
  it("reads --instances and keeps the instances' ports (after --port) clear of the mocks'", () => {
    expect(parseDemoOptions(["--instances", "3"]).instances).toBe(3);
    expect(parseDemoOptions(["--instances=1"]).instances).toBe(1);
    for (const bad of ["0", "9", "2.5", "", "two"]) {
      expect(() => parseDemoOptions(["--instances", bad])).toThrow(/invalid --instances/);
    }
    expect(() => parseDemoOptions(["--port", "9996", "--instances", "2"])).toThrow(/9997-9998/);
    expect(() => parseDemoOptions(["--port", "65534", "--instances", "2"])).toThrow(/65535/);
    expect(parseDemoOptions(["--port", "9996", "--instances", "1"]).port).toBe(9996);
  });
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
      instances: 1,
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
