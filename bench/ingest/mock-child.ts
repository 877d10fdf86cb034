/**
 * Child process running the mock PayWithFlash upstream for the ingest benchmark, driven over IPC
 * (see protocol.ts). Generation is off and the seed fixed, so every run serves the same data.
 */
import { type MockUpstream, startMockUpstream } from "../../src/mock/index.js";
import type { MockChildOptions, MockCommand, MockReady, MockReply, MockRequest } from "./protocol.js";

async function warm(mock: MockUpstream, ids: string[], concurrency: number): Promise<number> {
  const keys = new Map(mock.merchants().map((m) => [m.id, m.publicKey]));
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      const key = encodeURIComponent(keys.get(id) ?? "");
      const res = await fetch(`${mock.url}/user-pos/${encodeURIComponent(id)}?user_public_key=${key}`);
      if (res.status !== 200) throw new Error(`warming ${id}: mock answered ${res.status}`);
      // Drain without keeping the body: only the mock's body cache should remember it.
      if (res.body) for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return bytes;
}

async function run(mock: MockUpstream, c: MockCommand): Promise<number> {
  switch (c.cmd) {
    case "addHistory": {
      let added = 0;
      for (const id of c.ids) added += mock.addHistory(id, c.count, { spanMs: c.spanMs });
      return added;
    }
    case "addSale": {
      for (const id of c.ids) for (let i = 0; i < c.count; i++) mock.addSale(id);
      return c.ids.length * c.count;
    }
    case "warm":
      return warm(mock, c.ids, c.concurrency);
  }
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error("mock-child must be started with child_process.fork");
  const opts = JSON.parse(process.argv[2] ?? "{}") as MockChildOptions;
  const mock = await startMockUpstream({
    generate: false,
    history: false,
    seed: opts.seed,
    merchants: opts.merchants,
  });
  // The parent going away (normally or not) must never leave this process behind.
  process.on("disconnect", () => {
    void mock.stop().finally(() => process.exit(0));
  });
  process.on("message", (msg: MockRequest) => {
    run(mock, msg).then(
      (result) => send({ seq: msg.seq, result } satisfies MockReply),
      (e: unknown) =>
        send({ seq: msg.seq, error: e instanceof Error ? e.message : String(e) } satisfies MockReply),
    );
  });
  send({ ready: true, url: mock.url, merchants: mock.merchants() } satisfies MockReady);
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
