/**
 * Outgoing webhook deliveries with two instances on one PostgreSQL database (the run's throwaway
 * cluster): two pools, each with its own DeliveryWorker, as two processes would be, and one receiver.
 * Each attempt is made by one instance; every delivery arrives once (retries aside), in its
 * webhook's order.
 */
import { pino } from "pino";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { CHANGES } from "../src/store/access.js";
import { deliveryQueue } from "../src/store/delivery-claims.js";
import { type OpenedPostgres, openPostgres } from "../src/store/postgres/open.js";
import { DeliveryWorker } from "../src/webhooks/delivery-worker.js";
import { emptyTestDatabase } from "./support/test-database.js";
import { type Received, startReceiver } from "./support/webhook-receiver.js";

const HOOKS = 3;
const PER_HOOK = 20;
const OPTIONS = { timeoutMs: 2000, retryBaseMs: 5, retryCapMs: 20, maxAttempts: 10 };

let database: Awaited<ReturnType<typeof emptyTestDatabase>>;
let instances: OpenedPostgres[] = [];

beforeEach(async () => {
  database = await emptyTestDatabase();
  // One migrates first: both at once is cluster-leases' test.
  const one = await openPostgres(database.url, { max: 4, applicationName: "test-one" });
  const two = await openPostgres(database.url, { max: 4, applicationName: "test-two" });
  instances = [one, two];
});

afterEach(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await database.drop();
});

/** HOOKS webhooks at `url`/<n>, each with PER_HOOK pending deliveries due now, oldest first. */
async function enqueue(url: string): Promise<void> {
  const db = instances[0]?.db;
  if (!db) throw new Error("no database");
  for (let h = 1; h <= HOOKS; h++) {
    const hook = await CHANGES.createWebhook(db, {
      input: { url: `${url}/${h}`, secret: "k", events: ["sale"] },
      now: 0,
    });
    const rows = Array.from({ length: PER_HOOK }, (_, n) => ({
      delivery_id: `h${h}-${String(n).padStart(3, "0")}`,
      webhook_id: hook.id,
      event: "sale",
      body: JSON.stringify({ hook: h, n }),
      status: "pending",
      next_attempt_at: 0,
      created_at: 0,
    }));
    await db.insertInto("webhook_deliveries").values(rows).execute();
  }
}

const workers = () =>
  instances.map((i) => new DeliveryWorker({ db: i.db, log: pino({ level: "silent" }), options: OPTIONS }));

/** Until every delivery is delivered, then both workers stopped: nothing is in flight after. */
async function runUntilDelivered(list: DeliveryWorker[]): Promise<void> {
  for (const w of list) w.start();
  const db = instances[0]?.db;
  if (!db) throw new Error("no database");
  await vi.waitFor(
    async () => {
      for (const w of list) w.poke();
      const left = await db
        .selectFrom("webhook_deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "!=", "delivered")
        .executeTakeFirstOrThrow();
      expect(Number(left.n)).toBe(0);
    },
    { timeout: 15_000, interval: 50 },
  );
  await Promise.all(list.map((w) => w.stop()));
}

/** The delivery ids of the requests answered 200, per webhook path, in arrival order. */
function deliveredPerHook(seen: Received[], answered: Map<Received, number>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of seen) {
    if (answered.get(r) !== 200) continue;
    out.set(r.path, [...(out.get(r.path) ?? []), r.deliveryId]);
  }
  return out;
}

const expected = (h: number) =>
  Array.from({ length: PER_HOOK }, (_, n) => `h${h}-${String(n).padStart(3, "0")}`);

test("two instances: every delivery is received exactly once, in order per webhook", async () => {
  const answered = new Map<Received, number>();
  const receiver = await startReceiver((r) => {
    answered.set(r, 200);
    return 200;
  });
  try {
    await enqueue(receiver.url);
    await runUntilDelivered(workers());
    expect(receiver.seen.length).toBe(HOOKS * PER_HOOK);
    const perHook = deliveredPerHook(receiver.seen, answered);
    for (let h = 1; h <= HOOKS; h++) expect(perHook.get(`/hook/${h}`)).toEqual(expected(h));
  } finally {
    await receiver.close();
  }
});

test("two instances with failing attempts: retried until delivered, one attempt at a time, order kept", async () => {
  const attempts = new Map<string, number>();
  const answered = new Map<Received, number>();
  // Every third delivery fails its first two attempts.
  const receiver = await startReceiver((r) => {
    const nth = (attempts.get(r.deliveryId) ?? 0) + 1;
    attempts.set(r.deliveryId, nth);
    const status = Number(r.deliveryId.slice(-3)) % 3 === 0 && nth <= 2 ? 500 : 200;
    answered.set(r, status);
    return status;
  });
  try {
    await enqueue(receiver.url);
    await runUntilDelivered(workers());
    // Per webhook, in arrival order: each request is for the delivery after the last one answered
    // 200, never a later one (out of order) nor an earlier one (sent twice).
    for (let h = 1; h <= HOOKS; h++) {
      const want = expected(h);
      let next = 0;
      for (const r of receiver.seen.filter((r) => r.path === `/hook/${h}`)) {
        expect(r.deliveryId).toBe(want[next]);
        if (answered.get(r) === 200) next++;
      }
      expect(next).toBe(PER_HOOK);
    }
    for (const [id, n] of attempts) expect(n).toBe(Number(id.slice(-3)) % 3 === 0 ? 3 : 1);
  } finally {
    await receiver.close();
  }
});

test("a claim: one holder at a time, taken over once its lease ends, recorded only by its holder", async () => {
  await enqueue("http://127.0.0.1:9/x");
  const [one, two] = instances.map((i) => deliveryQueue(i.db, 1000));
  if (!one || !two) throw new Error("two instances");
  const outcome = (at: number) => ({
    status: "delivered" as const,
    attempts: 1,
    error: null,
    statusCode: 200,
    at,
    nextAttemptAt: at,
  });
  const first = await one.claim(1, 10);
  expect(first?.deliveryId).toBe("h1-000");
  expect(await two.claim(1, 10)).toBe(undefined);
  expect((await two.heads())[0]).toMatchObject({ deliveryId: "h1-000", nextAttemptAt: 1010 });
  // Lease over (the first holder presumed dead): the other takes the same delivery, not the next.
  const second = await two.claim(1, 1010);
  expect(second?.deliveryId).toBe("h1-000");
  if (!first || !second) throw new Error("claimed");
  await one.record(first, outcome(1020));
  expect((await one.heads())[0]?.deliveryId).toBe("h1-000");
  await two.record(second, outcome(1030));
  expect((await one.heads())[0]?.deliveryId).toBe("h1-001");
  // Given up without an attempt (stopping): at once anyone's again.
  const third = await one.claim(1, 2000);
  if (!third) throw new Error("claimed");
  await one.release(third);
  expect((await two.claim(1, 2000))?.deliveryId).toBe("h1-001");
});
