import { describe, expect, it } from "vitest";
import { FanOut } from "../src/live/fanout.js";
import { fakeStreamClient } from "./support/fake-stream.js";

const fakeClient = (name: string, order: string[], writableLength = 0) =>
  fakeStreamClient({ name, order, writableLength });

const turn = () => new Promise((r) => setImmediate(r));

describe("FanOut", () => {
  it("visits clients in slices, one event-loop turn each, and writes each client once per round", async () => {
    const order: string[] = [];
    const fan = new FanOut({ coalesceMs: 0, maxBufferedBytes: 1 << 20, sliceSize: 2 });
    const clients = ["a", "b", "c", "d", "e"].map((n) => fakeClient(n, order));
    for (const c of clients) fan.add(c.res);
    fan.push("1;");
    fan.push("2;");
    expect(order).toEqual([]);
    await turn();
    expect(order).toEqual(["a", "b"]);
    await turn();
    expect(order).toEqual(["a", "b", "c", "d"]);
    await turn();
    expect(order).toEqual(["a", "b", "c", "d", "e"]);
    for (const c of clients) expect(c.writes).toEqual(["1;2;"]);
  });

  it("takes a frame published during a round to the clients not visited yet in that round, and to the others next", async () => {
    const order: string[] = [];
    const fan = new FanOut({ coalesceMs: 0, maxBufferedBytes: 1 << 20, sliceSize: 2 });
    const clients = ["a", "b", "c", "d"].map((n) => fakeClient(n, order));
    for (const c of clients) fan.add(c.res);
    fan.push("1;");
    await turn();
    fan.push("2;");
    for (let i = 0; i < 5; i++) await turn();
    const [a, b, c, d] = clients;
    expect(a?.writes).toEqual(["1;", "2;"]);
    expect(b?.writes).toEqual(["1;", "2;"]);
    expect(c?.writes).toEqual(["1;2;"]);
    expect(d?.writes).toEqual(["1;2;"]);
    expect(order).toEqual(["a", "b", "c", "d", "a", "b"]);
  });

  it("gives a client added later only what is pushed after it, and drops one that stopped reading", async () => {
    const order: string[] = [];
    const fan = new FanOut({ coalesceMs: 0, maxBufferedBytes: 100, sliceSize: 250 });
    const a = fakeClient("a", order);
    const slow = fakeClient("slow", order, 1000);
    fan.add(a.res);
    fan.add(slow.res);
    fan.push("1;");
    const late = fakeClient("late", order);
    fan.add(late.res);
    fan.push("2;");
    await turn();
    expect(a.text()).toBe("1;2;");
    expect(late.text()).toBe("2;");
    expect(slow.writes).toEqual([]);
    expect(fan.dropped).toBe(1);
    expect(fan.size).toBe(2);
  });

  it("holds frames within the coalescing window after a round, and flushNow writes everything at once", async () => {
    const order: string[] = [];
    const fan = new FanOut({ coalesceMs: 50, maxBufferedBytes: 1 << 20 });
    const a = fakeClient("a", order);
    fan.add(a.res);
    fan.push("1;");
    await turn();
    expect(a.writes).toEqual(["1;"]);
    fan.push("2;");
    fan.push("3;");
    await turn();
    expect(a.writes).toEqual(["1;"]);
    await new Promise((r) => setTimeout(r, 70));
    expect(a.writes).toEqual(["1;", "2;3;"]);
    fan.push("4;");
    fan.flushNow();
    expect(a.writes).toEqual(["1;", "2;3;", "4;"]);
    await new Promise((r) => setTimeout(r, 70));
    expect(a.writes).toHaveLength(3);
  });

  it("writes HTTP/1.1 clients one well-formed chunk per round", async () => {
    const fan = new FanOut({ coalesceMs: 0, maxBufferedBytes: 1 << 20 });
    const c = fakeClient("c", []);
    (c.res as unknown as { chunkedEncoding: boolean }).chunkedEncoding = true;
    fan.add(c.res);
    fan.push("é;");
    fan.push("2;");
    await turn();
    expect(c.writes).toEqual(["5\r\né;2;\r\n"]);
  });
});
