/** Parent side of the mock-upstream child: fork it, send commands, always stop it. */
import { type ChildProcess, fork } from "node:child_process";
import type { MockChildOptions, MockCommand, MockReady, MockReply } from "./protocol.js";

export interface MockHandle {
  url: string;
  merchants: MockReady["merchants"];
  call(command: MockCommand): Promise<number>;
  stop(): Promise<void>;
}

const CHILD = new URL("./mock-child.js", import.meta.url);

export async function startMockChild(opts: MockChildOptions): Promise<MockHandle> {
  // A plain heap limit is plenty for the mock: a million sales live in typed columns and bodies in Buffers.
  const child = fork(CHILD, [JSON.stringify(opts)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const ready = await new Promise<MockReady>((resolve, reject) => {
      child.once("message", (m) => resolve(m as MockReady));
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`mock child exited early (code ${code})`)));
    });
    return handle(child, ready, exited);
  } catch (e) {
    child.kill();
    await exited;
    throw e;
  }
}

function handle(child: ChildProcess, ready: MockReady, exited: Promise<void>): MockHandle {
  let seq = 0;
  const pending = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  child.on("message", (m) => {
    const reply = m as MockReply;
    const p = pending.get(reply.seq);
    if (!p) return;
    pending.delete(reply.seq);
    if (reply.error !== undefined) p.reject(new Error(`mock child: ${reply.error}`));
    else p.resolve(reply.result ?? 0);
  });
  child.once("exit", (code) => {
    for (const p of pending.values()) p.reject(new Error(`mock child exited (code ${code})`));
    pending.clear();
  });
  return {
    url: ready.url,
    merchants: ready.merchants,
    call(command) {
      return new Promise((resolve, reject) => {
        const s = ++seq;
        pending.set(s, { resolve, reject });
        child.send({ ...command, seq: s });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // Disconnecting asks the child to close its server and exit; the kill is the fallback.
      const force = setTimeout(() => child.kill("SIGKILL"), 5000);
      if (child.connected) child.disconnect();
      else child.kill();
      await exited;
      clearTimeout(force);
    },
  };
}
