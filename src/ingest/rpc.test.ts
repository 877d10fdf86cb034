import { describe, expect, it } from "vitest";
import { type Answer, type Call, CallClient, serveCalls } from "./rpc.js";

const handlers = {
  double: (n: number) => n * 2,
  fail: () => {
    throw new Error("no such merchant");
  },
  down: () => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
  },
};

/** Both ends in one thread: calls go straight to serveCalls, answers straight back to the client. */
function pair() {
  const client = new CallClient<typeof handlers>();
  const serve = serveCalls(handlers, (answer: Answer) => client.take(answer));
  const post = (call: Call) => serve(call);
  return { client, post };
}

describe("thread calls", () => {
  it("answers each call with its result or its error's message", async () => {
    const { client, post } = pair();
    await expect(client.call(post, "double", 21)).resolves.toBe(42);
    await expect(client.call(post, "fail", undefined)).rejects.toThrow("no such merchant");
    expect(client.waiting).toBe(0);
  });

  it("keeps an error's code, by which the HTTP thread tells the database is down", async () => {
    const { client, post } = pair();
    await expect(client.call(post, "down", undefined)).rejects.toMatchObject({
      message: "connect ECONNREFUSED 127.0.0.1:5432",
      code: "ECONNREFUSED",
    });
    await expect(client.call(post, "fail", undefined)).rejects.not.toHaveProperty("code");
  });

  it("a call that cannot be sent fails at once and is not left waiting", async () => {
    const client = new CallClient<typeof handlers>();
    const unsendable = () => {
      throw new RangeError("Maximum call stack size exceeded");
    };
    await expect(client.call(unsendable, "double", 1)).rejects.toThrow("Maximum call stack size exceeded");
    expect(client.waiting).toBe(0);
  });

  it("fails every waiting call when the other side is gone", async () => {
    const client = new CallClient<typeof handlers>();
    const calls = [client.call(() => {}, "double", 1), client.call(() => {}, "double", 2)];
    expect(client.waiting).toBe(2);
    client.failAll(new Error("the ingest thread exited"));
    for (const c of calls) await expect(c).rejects.toThrow("the ingest thread exited");
    expect(client.waiting).toBe(0);
  });
});
