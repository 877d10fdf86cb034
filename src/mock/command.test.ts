import { describe, expect, it } from "vitest";
import { runMockCommand } from "./command.js";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  return {
    out,
    err,
    stop: () => stop(),
    io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopped },
  };
}

describe("mock command", () => {
  it("prints its URL and merchant count, serves until stopped, then exits 0", async () => {
    const h = io();
    const running = runMockCommand(["--addr", "127.0.0.1:0", "--no-gen", "--merchants", "3"], h.io);
    await expect.poll(() => h.out.length).toBe(1);
    const match =
      /^mock PayWithFlash upstream listening on (http:\/\/127\.0\.0\.1:\d+) with 3 merchants$/.exec(
        h.out[0] ?? "",
      );
    expect(match).not.toBeNull();
    const url = match?.[1] ?? "";
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const list = (await (await fetch(`${url}/admin/merchants`)).json()) as unknown[];
    expect(list).toHaveLength(3);
    h.stop();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(h.err).toEqual([]);
  });

  it("exits 2 with one error line for an invalid value", async () => {
    const h = io();
    expect(await runMockCommand(["--speed", "fast"], h.io)).toBe(2);
    expect(h.err).toEqual(['mock: invalid value "fast" for --speed: expected a number (see --help)']);
    expect(h.out).toEqual([]);
  });

  it("prints usage for --help and exits 0", async () => {
    const h = io();
    expect(await runMockCommand(["--help"], h.io)).toBe(0);
    expect(h.out[0]).toContain("--fail-rate P");
  });
});
