import { describe, expect, it } from "vitest";
import { LiveHub } from "../src/live/hub.js";
import { fakeStreamClient } from "./support/fake-stream.js";
import { saleEvent } from "./support/live-events.js";

const fakeClient = (writableLength = 0) => fakeStreamClient({ writableLength });

const turn = () => new Promise((r) => setImmediate(r));
const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe("LiveHub", () => {
  it("sends the frames of one event-loop turn to each client in one write, in order", async () => {
    const hub = new LiveHub({ maxClients: 10 });
    const a = fakeClient();
    hub.attach(a.res, {});
    for (let i = 0; i < 50; i++) hub.publish("sale", saleEvent(i));
    expect(a.writes).toHaveLength(1); // only the greeting so far
    await turn();
    expect(a.writes).toHaveLength(2);
    expect(ids(a.writes[1] ?? "")).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("with a coalescing window, sends a lone frame at once and what follows within the window in one write", async () => {
    const hub = new LiveHub({ maxClients: 10, coalesceMs: 30 });
    const a = fakeClient();
    hub.attach(a.res, {});
    hub.publish("sale", saleEvent(1));
    await turn();
    expect(a.writes).toHaveLength(2);
    expect(ids(a.writes[1] ?? "")).toEqual([1]);
    await new Promise((r) => setTimeout(r, 5));
    hub.publish("sale", saleEvent(2));
    hub.publish("sale", saleEvent(3));
    await turn();
    expect(a.writes).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(a.writes).toHaveLength(3);
    expect(ids(a.writes[2] ?? "")).toEqual([2, 3]);
    // stop() sends what is waiting at once and leaves no timer behind.
    hub.publish("sale", saleEvent(4));
    hub.stop();
    expect(ids(a.writes.join(""))).toEqual([1, 2, 3, 4]);
  });

  it("gives a client resuming in the same turn each missed event once", async () => {
    const hub = new LiveHub({ maxClients: 10 });
    hub.publish("sale", saleEvent(1));
    await turn();
    hub.publish("sale", saleEvent(2));
    hub.publish("sale", saleEvent(3));
    const b = fakeClient();
    hub.attach(b.res, {}, "1");
    await turn();
    expect(ids(b.writes.join(""))).toEqual([2, 3]);
  });

  it("drops a client that stopped reading instead of buffering for it", async () => {
    const hub = new LiveHub({ maxClients: 10, maxBufferedBytes: 100 });
    const slow = fakeClient(1000);
    const ok = fakeClient();
    hub.attach(slow.res, {});
    hub.attach(ok.res, {});
    hub.publish("sale", saleEvent(1));
    await turn();
    expect(hub.clientCount).toBe(1);
    expect(hub.droppedSlowClients).toBe(1);
    expect(ids(ok.writes.join(""))).toEqual([1]);
  });
});
