/**
 * Same seed, same clock → byte-identical answers, however the generation timer happened to run.
 * The runs below share a seed and a clock but drive the clock in different steps, so the timer fires
 * a different number of times, with different elapsed times, or not at all before the reads.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runMockCommand } from "./command.js";
import { type MockUpstream, startMockUpstream } from "./index.js";

const T0 = Date.parse("2025-06-01T12:00:00.000Z");
const SPAN = 10 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Every answer a client can read, as raw bytes: the admin list and each merchant's full /user-pos body. */
async function snapshot(url: string): Promise<Map<string, Buffer>> {
  const bodies = new Map<string, Buffer>();
  const list = Buffer.from(await (await fetch(`${url}/admin/merchants`)).arrayBuffer());
  bodies.set("/admin/merchants", list);
  for (const m of JSON.parse(list.toString()) as { id: string; public_key: string }[]) {
    const path = `/user-pos/${m.id}?user_public_key=${m.public_key}`;
    const res = await fetch(url + path);
    expect(res.status).toBe(200);
    bodies.set(path, Buffer.from(await res.arrayBuffer()));
  }
  return bodies;
}

function expectIdentical(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [path, body] of a) {
    // Compared as text first so a failure shows where the bytes differ.
    expect({ path, body: b.get(path)?.toString() }).toEqual({ path, body: body.toString() });
    expect(Buffer.compare(body, b.get(path) as Buffer)).toBe(0);
  }
}

function salesIn(bodies: Map<string, Buffer>): number {
  let n = 0;
  for (const [path, body] of bodies)
    if (path.startsWith("/user-pos/")) n += JSON.parse(body.toString()).data.sales.length;
  return n;
}

/** Advances `clock` by SPAN in `steps` equal steps, letting the real timer fire `waitMs` after each. */
async function drive(clock: { t: number }, steps: number, waitMs: number): Promise<void> {
  for (let i = 1; i <= steps; i++) {
    clock.t = T0 + Math.round((SPAN * i) / steps);
    if (waitMs > 0) await sleep(waitMs);
  }
}

describe("mock determinism (library)", () => {
  async function run(steps: number, waitMs: number): Promise<Map<string, Buffer>> {
    const clock = { t: T0 };
    const mock: MockUpstream = await startMockUpstream({
      seed: 7,
      intervalMs: 5,
      speed: 10,
      now: () => clock.t,
    });
    cleanups.push(() => mock.stop());
    await drive(clock, steps, waitMs);
    return snapshot(mock.url);
  }

  it("serves byte-identical bodies for every merchant at the same clock time, whatever the timer did", async () => {
    const many = await run(40, 12); // the timer fires ~80 times, half of them seeing no time pass
    const few = await run(4, 12);
    const none = await run(1, 0); // the reads arrive before the timer ever fires
    expect(salesIn(many)).toBeGreaterThan(1000);
    expectIdentical(many, few);
    expectIdentical(many, none);
  });

  it("keeps explicit calls deterministic too: they first generate what the clock says is due", async () => {
    const once = async (waitMs: number) => {
      const clock = { t: T0 };
      const mock = await startMockUpstream({ seed: 7, intervalMs: 5, speed: 10, now: () => clock.t });
      cleanups.push(() => mock.stop());
      await drive(clock, 3, waitMs);
      mock.addSale("103", { amountSats: 977 });
      mock.reset("104");
      clock.t += 60_000;
      mock.tick();
      return { bodies: await snapshot(mock.url), truth: JSON.stringify(mock.groundTruth()) };
    };
    const a = await once(15);
    const b = await once(0);
    expectIdentical(a.bodies, b.bodies);
    expect(b.truth).toBe(a.truth);
  });
});

describe("mock determinism (CLI)", () => {
  /** The CLI as `npm run mock` runs it, with only the process's real clock injected. */
  async function run(
    realStart: number,
    steps: number,
    waitMs: number,
    lagMs: number,
  ): Promise<Map<string, Buffer>> {
    const real = { t: realStart };
    let reads = 0;
    const out: string[] = [];
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const argv = ["--addr", "127.0.0.1:0", "--seed", "7", "--interval", "20ms", "--speed", "10"];
    const running = runMockCommand([...argv, "--start", "2025-06-01T12:00:00Z"], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      stopped,
      // After its first reading the process clock is `lagMs` later: time passing while the command starts.
      now: () => (reads++ === 0 ? real.t : real.t + lagMs),
    });
    cleanups.push(async () => {
      stop();
      expect(await running).toBe(0);
    });
    await expect.poll(() => out.length).toBe(1);
    const url = /listening on (\S+) /.exec(out[0] ?? "")?.[1] ?? `no URL in ${out[0]}`;
    // The process's clock moves SPAN in `steps` steps; --start pins where the mock's clock begins.
    for (let i = 1; i <= steps; i++) {
      real.t = realStart + Math.round((SPAN * i) / steps);
      if (waitMs > 0) await sleep(waitMs);
    }
    return snapshot(url);
  }

  it("gives byte-identical bodies for the same --seed and --start, whenever it was started and however its timer ran", async () => {
    const a = await run(Date.UTC(2030, 0, 1), 30, 45, 0);
    const b = await run(Date.UTC(2031, 6, 9, 3, 4, 5, 678), 2, 45, 1);
    expect(salesIn(a)).toBeGreaterThan(1000);
    expectIdentical(a, b);
    // The history is dated around --start, not around the process's real clock.
    const first = JSON.parse((a.get("/user-pos/100?user_public_key=mock_pubkey_0") as Buffer).toString());
    expect(first.data.sales.at(-1).SaleDate.slice(0, 10)).toBe("2025-06-01");
  });
});
