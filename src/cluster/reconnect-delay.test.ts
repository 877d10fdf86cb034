import { describe, expect, it } from "vitest";
import { newInstanceId } from "./instance-id.js";
import { reconnectDelayMs } from "./reconnect-delay.js";

describe("reconnection delay", () => {
  it("doubles from the first wait up to the cap, jittered between half and all of it", () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 40].map((n) => reconnectDelayMs(n, 250, 4000, top))).toEqual([
      250, 500, 1000, 2000, 4000, 4000, 4000,
    ]);
    expect(reconnectDelayMs(3, 250, 4000, () => 0)).toBe(1000);
  });
});

describe("instance id", () => {
  it("names the host and process, and differs between processes that share both", () => {
    const [one, two] = [newInstanceId(), newInstanceId()];
    expect(one).toContain(`-${process.pid}-`);
    expect(one).not.toBe(two);
    expect(one.length).toBeLessThan(50);
  });
});
