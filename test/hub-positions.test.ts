/**
 * Event ids on a shared database (issue 18, Last-Event-ID on any instance): two hubs stand for two
 * instances publishing the same sales in the same order under unrelated numbers. A client that saw
 * some on one resumes on the other with exactly what it missed; anything the other cannot place is
 * answered with a reset.
 */
import { describe, expect, it } from "vitest";
import type { SharedPosition } from "../src/live/hub.js";
import { LiveHub } from "../src/live/hub.js";
import { fakeStreamClient } from "./support/fake-stream.js";
import { saleEvent, summaryEvent } from "./support/live-events.js";

const turn = () => new Promise((r) => setImmediate(r));
const frames = (text: string) =>
  [...text.matchAll(/^id: (\S+)\nevent: (\w+)\ndata: (.*)$/gm)].map((m) => ({
    id: m[1] ?? "",
    event: m[2] ?? "",
    data: JSON.parse(m[3] ?? "") as Record<string, unknown>,
  }));
const saleIds = (text: string) => frames(text).flatMap((f) => (f.event === "sale" ? [f.data.sale_id] : []));

/** Publishes sale `n` at position `s<n>`, as every instance's cluster feed does in commit order. */
const sell = (hub: LiveHub, n: number) => hub.publish("sale", saleEvent(n), `s${n}` as SharedPosition);

async function resume(hub: LiveHub, lastEventId: string): Promise<string> {
  const c = fakeStreamClient();
  hub.attach(c.res, {}, lastEventId);
  await turn();
  return c.text();
}

describe("LiveHub event ids on a shared database", () => {
  it("names the last shared position in every id, the summaries' included", async () => {
    const hub = new LiveHub({ maxClients: 10, firstId: 500 });
    const c = fakeStreamClient();
    hub.attach(c.res, {});
    hub.publish("summary", summaryEvent(0));
    sell(hub, 7);
    hub.publish("summary", summaryEvent(1));
    await turn();
    expect(frames(c.text()).map((f) => f.id)).toEqual(["501", "502.s7", "503.s7"]);
  });

  it("resumes a client of another instance after the same sale, with what followed it there", async () => {
    const a = new LiveHub({ maxClients: 10, firstId: 1000 });
    const b = new LiveHub({ maxClients: 10, firstId: 9_000_000 });
    for (const hub of [a, b]) for (const n of [1, 2, 3, 4]) sell(hub, n);
    b.publish("summary", summaryEvent(4));
    const sawOnA = frames(await resume(a, "1000")).find((f) => f.data.sale_id === 2)?.id ?? "";
    expect(sawOnA).toBe("1002.s2");
    const onB = await resume(b, sawOnA);
    expect(saleIds(onB)).toEqual([3, 4]);
    expect(frames(onB).map((f) => f.event)).toEqual(["sale", "sale", "summary"]);
    // The client now holds B's ids: it resumes on B by number from here on.
    sell(b, 5);
    expect(saleIds(await resume(b, frames(onB).at(-1)?.id ?? ""))).toEqual([5]);
  });

  it("resets a client whose position this hub never published or no longer holds", async () => {
    const b = new LiveHub({ maxClients: 10, firstId: 9_000_000, replayBuffer: 3 });
    for (const n of [1, 2, 3, 4, 5]) sell(b, n);
    const reset = (text: string) => frames(text).map((f) => f.event);
    expect(reset(await resume(b, "77.s42"))).toEqual(["reset"]);
    // s1 and s2 left the buffer: what followed them there is not all held any more.
    expect(reset(await resume(b, "77.s1"))).toEqual(["reset"]);
    expect(saleIds(await resume(b, "77.s3"))).toEqual([4, 5]);
    // An id naming no position (the client saw no sale yet), or not of the form ids take.
    expect(reset(await resume(b, "77"))).toEqual(["reset"]);
    expect(reset(await resume(b, "9000003.s2"))).toEqual(["reset"]);
    expect(reset(await resume(b, "x.s3"))).toEqual(["reset"]);
  });

  it("names no position after one published out of order, until the next in order", async () => {
    const hub = new LiveHub({ maxClients: 10, firstId: 10 });
    const c = fakeStreamClient();
    hub.attach(c.res, {});
    sell(hub, 1);
    // A catch-up after a time without listening: what other instances' screens saw in another order.
    hub.publish("sale", saleEvent(3), null);
    hub.publish("sale", saleEvent(2), null);
    hub.publish("summary", summaryEvent(3));
    sell(hub, 4);
    await turn();
    expect(frames(c.text()).map((f) => f.id)).toEqual(["11.s1", "12", "13", "14", "15.s4"]);
    // Its own clients still resume by number, exactly.
    expect(saleIds(await resume(hub, "12"))).toEqual([2, 4]);
  });

  it("a client resuming after a sale this hub has not heard yet waits for it, then gets what follows", async () => {
    const b = new LiveHub({ maxClients: 10, firstId: 9_000_000, resumeWaitMs: 5000 });
    for (const n of [1, 2]) sell(b, n);
    const c = fakeStreamClient();
    // Seen on another instance, whose notifications reached it before this one.
    b.attach(c.res, {}, "1004.s4");
    expect(b.clientCount).toBe(1);
    sell(b, 3);
    sell(b, 4);
    b.publish("summary", summaryEvent(4));
    sell(b, 5);
    await turn();
    expect(frames(c.text()).map((f) => [f.event, f.data.sale_id])).toEqual([
      ["summary", undefined],
      ["sale", 5],
    ]);
    b.stop();
  });

  it("resets a waiting client when the sale does not come within the wait; streams on from there", async () => {
    const b = new LiveHub({ maxClients: 10, firstId: 9_000_000, resumeWaitMs: 50 });
    sell(b, 1);
    const c = fakeStreamClient();
    b.attach(c.res, {}, "1004.s4");
    // Its own numbers and forms it does not give are reset at once, as without a wait.
    expect(frames(await resume(b, "9000001.s4")).map((f) => f.event)).toEqual(["reset"]);
    sell(b, 2);
    await turn();
    expect(frames(c.text())).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    sell(b, 3);
    await turn();
    expect(frames(c.text()).map((f) => [f.id, f.event])).toEqual([
      ["9000002.s2", "reset"],
      ["9000003.s3", "sale"],
    ]);
    b.stop();
  });
});
