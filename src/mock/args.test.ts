import { describe, expect, it } from "vitest";
import { type MockCliOptions, parseAddr, parseMockArgs } from "./args.js";

const DEFAULTS: MockCliOptions = {
  host: "127.0.0.1",
  port: 9999,
  intervalMs: 10_000,
  generate: true,
  seed: 42,
  speed: 1,
  merchants: 20,
  failRate: 0,
  latencyMs: 0,
  garbageRate: 0,
  start: undefined,
};

function run(argv: string[]): MockCliOptions {
  const parsed = parseMockArgs(argv);
  if (parsed.kind !== "run") throw new Error(`expected options, got ${JSON.stringify(parsed)}`);
  return parsed.options;
}

function error(argv: string[]): string {
  const parsed = parseMockArgs(argv);
  if (parsed.kind !== "error") throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  expect(parsed.message).not.toContain("\n");
  return parsed.message;
}

describe("mock CLI arguments", () => {
  it("defaults to :9999 on loopback, 10 s ticks and generation on", () => {
    expect(run([])).toEqual(DEFAULTS);
  });

  it("reads every option", () => {
    expect(
      run([
        "--addr",
        "0.0.0.0:8081",
        "--interval",
        "2s",
        "--no-gen",
        "--seed",
        "7",
        "--speed",
        "2.5",
        "--merchants",
        "45",
        "--fail-rate",
        "0.1",
        "--latency",
        "150ms",
        "--garbage-rate=0.05",
        "--start",
        "2025-06-01T14:00:00.250+02:00",
      ]),
    ).toEqual({
      host: "0.0.0.0",
      port: 8081,
      intervalMs: 2000,
      generate: false,
      seed: 7,
      speed: 2.5,
      merchants: 45,
      failRate: 0.1,
      latencyMs: 150,
      garbageRate: 0.05,
      start: Date.UTC(2025, 5, 1, 12, 0, 0, 250),
    });
  });

  it("accepts the Go flag style of the seed's mock server", () => {
    expect(run(["-addr", ":9998", "-interval", "1m30s", "-no-gen", "-seed", "-3"])).toEqual({
      ...DEFAULTS,
      port: 9998,
      intervalMs: 90_000,
      generate: false,
      seed: -3,
    });
  });

  it("answers help", () => {
    expect(parseMockArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseMockArgs(["-h"])).toEqual({ kind: "help" });
    expect(parseMockArgs(["-help"])).toEqual({ kind: "help" });
  });

  it("parses listen addresses the way Go writes them", () => {
    expect(parseAddr(":9999")).toEqual({ host: "127.0.0.1", port: 9999 });
    expect(parseAddr("127.0.0.1:9999")).toEqual({ host: "127.0.0.1", port: 9999 });
    expect(parseAddr("localhost:0")).toEqual({ host: "localhost", port: 0 });
    expect(parseAddr("[::1]:9999")).toEqual({ host: "::1", port: 9999 });
    expect(parseAddr("[::]:80")).toEqual({ host: "::", port: 80 });
  });

  it.each([
    [["--addr", "9999"], '"9999" for --addr'],
    [["--addr", ":99999"], '":99999" for --addr'],
    [["--addr", "::1:9999"], '"::1:9999" for --addr'],
    [["--addr", "host:"], '"host:" for --addr'],
    [["--interval", "10"], '"10" for --interval'],
    [["--interval", "0s"], '"0s" for --interval'],
    [["--interval", "-5s"], '"-5s" for --interval'],
    [["--interval", "soon"], '"soon" for --interval'],
    [["--latency", "-1s"], '"-1s" for --latency'],
    [["--latency", "1x"], '"1x" for --latency'],
    [["--seed", "abc"], '"abc" for --seed'],
    [["--seed", "1.5"], '"1.5" for --seed'],
    [["--seed", "99999999999999999999"], '"99999999999999999999" for --seed'],
    [["--speed", "0"], '"0" for --speed'],
    [["--speed", "-2"], "--speed"],
    [["--speed", "fast"], '"fast" for --speed'],
    [["--speed", "Infinity"], '"Infinity" for --speed'],
    [["--merchants", "0"], '"0" for --merchants'],
    [["--merchants", "2.5"], '"2.5" for --merchants'],
    [["--merchants", "1e3"], '"1e3" for --merchants'],
    [["--fail-rate", "1.5"], '"1.5" for --fail-rate'],
    [["--fail-rate", "-0.1"], "--fail-rate"],
    [["--fail-rate", ""], '"" for --fail-rate'],
    [["--garbage-rate", "half"], '"half" for --garbage-rate'],
    // A zone-less time would be a different instant on each machine's time zone.
    [["--start", "2025-06-01T12:00:00"], '"2025-06-01T12:00:00" for --start'],
    [["--start", "2025-02-30T12:00:00Z"], "--start"],
    [["--start", "1748779200000"], '"1748779200000" for --start'],
    [["--bogus"], "--bogus"],
    [["extra"], "extra"],
    [["--seed"], "--seed"],
    [["--constructor", "x"], "--constructor"],
    [["--seed", "--no-gen"], '"--no-gen" for --seed'],
  ])("rejects %j naming the option and value", (argv, fragment) => {
    expect(error(argv)).toContain(fragment);
  });
});
