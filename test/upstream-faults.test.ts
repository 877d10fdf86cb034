/**
 * The upstream's faults, one at a time, at one merchant of twenty: the real server (dist/main.js, as
 * `npm start` runs it) in its own process, polling a stand-in upstream on 127.0.0.1 that answers
 * nineteen merchants well, their histories growing all along, and the twentieth with each fault in
 * turn, then well again. Whatever the fault, the others' sales are all stored, each once, their polls
 * come at most POLL_INTERVAL + HTTP_TIMEOUT apart, the faulty merchant says what went wrong in
 * `last_error`, and the server neither logs an error nor exits until it is told to.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/store/db.js";
import { upsertMerchant } from "../src/store/merchants.js";
import { type ServerProcess, startServerProcess } from "./support/server-process.js";
import {
  type Behaviour,
  type FakeUpstream,
  posBody,
  saleRow,
  startFakeUpstream,
} from "./support/upstream.js";

const INTERVAL_MS = 300;
const TIMEOUT_MS = 1000;
const ENV = { POLL_INTERVAL: "300ms", HTTP_TIMEOUT: "1s", MAX_UPSTREAM_BYTES: "4MiB", POLL_CONCURRENCY: "5" };
const FAULTY = "f";
const HEALTHY = Array.from({ length: 19 }, (_, i) => `h${String(i + 1).padStart(2, "0")}`);
const T0 = Date.parse("2025-11-10T12:00:00Z");

/** Each merchant's history, newest first, as upstream lists it; every merchant gains a sale per `grow`. */
class Histories {
  private readonly rows = new Map<string, number[]>();

  constructor(ids: string[]) {
    for (const id of ids) this.rows.set(id, [3, 2, 1]);
  }

  grow(): void {
    for (const ids of this.rows.values()) ids.unshift((ids[0] ?? 0) + 1);
  }

  ids(merchant: string): number[] {
    return [...(this.rows.get(merchant) ?? [])];
  }

  rowsOf(merchant: string): unknown[] {
    const date = (id: number) => new Date(T0 + id * 1000).toISOString().replace("Z", "000+00:00");
    return this.ids(merchant).map((id) => saleRow(id, 100 + id, date(id)));
  }

  body(merchant: string): unknown {
    return posBody(this.rowsOf(merchant));
  }
}

/** A fault, given the faulty merchant's good body as text, and the last_error it must leave. */
const FAULTS: { name: string; behaviour: (good: string) => Behaviour; error: string }[] = [
  {
    name: "500",
    behaviour: () => ({ kind: "status", status: 500, body: '{"detail":"boom"}' }),
    error: "upstream responded 500",
  },
  { name: "no answer", behaviour: () => ({ kind: "hang" }), error: "upstream timed out after 1s" },
  {
    name: "1 byte/s",
    behaviour: (good) => ({ kind: "trickle", body: good, everyMs: 1000 }),
    error: "upstream timed out after 1s",
  },
  {
    name: "50 MB of junk, chunked",
    behaviour: () => ({ kind: "flood", prefix: "<html><body>", unit: "junk junk ", bytes: 50e6 }),
    error: "upstream answer larger than MAX_UPSTREAM_BYTES (4 MiB): stopped reading there",
  },
  {
    name: "50 MB of junk, its length declared",
    behaviour: () => ({
      kind: "flood",
      prefix: "<html><body>",
      unit: "junk junk ",
      bytes: 50e6,
      declare: 50e6,
    }),
    error: "upstream answer larger than MAX_UPSTREAM_BYTES (4 MiB): its Content-Length is 50000000",
  },
  {
    name: "garbage JSON",
    behaviour: () => ({ kind: "raw", body: '{"success":true,"data":{"sales":[{"SaleId":1,,]}}' }),
    error: "upstream body is not JSON",
  },
  {
    name: "302",
    behaviour: () => ({ kind: "redirect", status: 302, location: "/user-pos/h01?user_public_key=key-h01" }),
    error: "upstream responded 302",
  },
  {
    name: "envelope failure",
    behaviour: () => ({
      kind: "json",
      body: { success: false, status_code: 401, message: "Invalid public key", data: null },
    }),
    error: "upstream reported failure: Invalid public key",
  },
  {
    name: "envelope without data",
    behaviour: () => ({
      kind: "json",
      body: { success: true, status_code: 200, message: "PoS fetched successfully" },
    }),
    error: "upstream body has no data object",
  },
  {
    name: "Content-Length short of the body",
    behaviour: (good) => ({
      kind: "lying",
      body: good,
      declared: Math.floor(good.length / 2),
      after: "close",
    }),
    error: "upstream body is not JSON",
  },
  {
    name: "Content-Length past the body, then a closed connection",
    behaviour: (good) => ({ kind: "lying", body: good, declared: good.length + 1000, after: "close" }),
    error: "upstream request failed: ECONNRESET",
  },
  {
    name: "Content-Length past the body, then silence",
    behaviour: (good) => ({ kind: "lying", body: good, declared: good.length + 1000, after: "stall" }),
    error: "upstream timed out after 1s",
  },
];

/** Malformed rows among the good ones: skipped and counted, the good ones stored. */
const BAD_ROWS = [
  { SaleId: "abc", SaleDate: "2025-11-10T12:00:00.000000+00:00", TotalCostSats: "5" },
  { SaleId: 900_001, SaleDate: "2025-11-10T12:00:00.000000+00:00", TotalCostSats: "-5" },
  { SaleId: 900_002, SaleDate: "yesterday", TotalCostSats: "5" },
  "not a sale",
];

type AdminMerchant = { id: string; last_error?: string; consecutive_failures: number };

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stand-in upstream: every merchant's growing history, and what the faulty one answers now. */
class Stage {
  readonly histories = new Histories([...HEALTHY, FAULTY]);
  private faulty: () => Behaviour = () => this.good();
  private grower: NodeJS.Timeout | undefined;

  constructor(readonly upstream: FakeUpstream) {
    this.answer();
    this.grower = setInterval(() => {
      this.histories.grow();
      this.answer();
    }, 150);
  }

  good(): Behaviour {
    return { kind: "json", body: this.histories.body(FAULTY) };
  }

  /** From now on the faulty merchant answers this (given its good body as text, to lie about). */
  set(faulty: (good: string) => Behaviour): void {
    this.faulty = () => faulty(JSON.stringify(this.histories.body(FAULTY)));
    this.answer();
  }

  /** Histories stop growing; what each merchant's holds for good. */
  freeze(): Map<string, number[]> {
    clearInterval(this.grower);
    return new Map([...HEALTHY, FAULTY].map((id) => [id, this.histories.ids(id)]));
  }

  private answer(): void {
    for (const id of HEALTHY) this.upstream.set(id, { kind: "json", body: this.histories.body(id) });
    this.upstream.set(FAULTY, this.faulty());
  }
}

async function waitFor(srv: ServerProcess, ok: (m: AdminMerchant) => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${srv.url}/v1/admin/merchants`, { headers: srv.auth });
    const m = ((await res.json()) as AdminMerchant[]).find((x) => x.id === FAULTY) as AdminMerchant;
    if (ok(m)) return m;
    await pause(25);
  }
  throw new Error(`merchant ${FAULTY}: ${what} not seen in time`);
}

async function healthyAgain(stage: Stage, srv: ServerProcess): Promise<void> {
  stage.set(() => stage.good());
  await waitFor(srv, (m) => m.consecutive_failures === 0 && m.last_error === undefined, "recovery");
}

/** Two more polls of every merchant after `since`: the first of them has surely committed. */
async function pollsAfter(upstream: FakeUpstream, since: number): Promise<void> {
  for (const id of [...HEALTHY, FAULTY]) {
    for (let i = 0; upstream.requests.filter((r) => r.merchantId === id && r.start > since).length < 2; i++) {
      if (i > 200) throw new Error(`merchant ${id} not polled after the histories stopped`);
      await pause(25);
    }
  }
}

/** Each healthy merchant's longest time between the starts of two of its polls. */
function longestWaits(upstream: FakeUpstream): Map<string, number> {
  return new Map(
    HEALTHY.map((id) => {
      const starts = upstream.requests.filter((r) => r.merchantId === id).map((r) => r.start);
      return [id, Math.max(...starts.slice(1).map((s, i) => s - (starts[i] as number)))];
    }),
  );
}

/** The stored sale ids per merchant, newest first, read from the database file once the server is gone. */
async function storedSales(dbPath: string): Promise<Map<string, number[]>> {
  const store = await openDatabase(dbPath);
  const rows = await store.db
    .selectFrom("transactions")
    .select(["merchant_id", "sale_id"])
    .orderBy("merchant_id")
    .orderBy("sale_id", "desc")
    .execute();
  await store.close();
  const byMerchant = new Map<string, number[]>();
  for (const r of rows) byMerchant.set(r.merchant_id, [...(byMerchant.get(r.merchant_id) ?? []), r.sale_id]);
  return byMerchant;
}

describe("upstream faults at one merchant of twenty, against the real server", () => {
  const dir = mkdtempSync(join(tmpdir(), "upstream-faults-"));
  const dbPath = join(dir, "pos.db");
  let upstream: FakeUpstream | undefined;
  let stage: Stage | undefined;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    stage?.freeze();
    await server?.stop(2000);
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the others polled on time and stored once, and names each fault", {
    timeout: 60_000,
  }, async () => {
    const store = await openDatabase(dbPath);
    for (const id of [...HEALTHY, FAULTY])
      await upsertMerchant(store.db, { id, public_key: `key-${id}`, alias: `Shop ${id}` }, T0);
    await store.close();
    upstream = await startFakeUpstream();
    const st = new Stage(upstream);
    stage = st;
    const srv = await startServerProcess({ dbPath, sourceBaseUrl: upstream.url, env: ENV });
    server = srv;

    for (const fault of FAULTS) {
      st.set(fault.behaviour);
      const failed = await waitFor(srv, (m) => m.last_error !== undefined, `${fault.name}'s failure`);
      expect(failed.last_error, fault.name).toBe(fault.error);
      await healthyAgain(st, srv);
    }
    st.set(() => ({ kind: "json", body: posBody([...BAD_ROWS, ...st.histories.rowsOf(FAULTY)]) }));
    const skipped = () =>
      srv.records().find((l) => l.merchant_id === FAULTY && typeof l.skipped === "number" && l.skipped > 0);
    for (let i = 0; i < 200 && !skipped(); i++) await pause(25);
    expect(skipped()).toMatchObject({ skipped: BAD_ROWS.length });
    await healthyAgain(st, srv);

    const final = st.freeze();
    await pollsAfter(upstream, Date.now());
    expect(srv.child.exitCode, "the server is still running").toBeNull();
    expect((await srv.stop()).code).toBe(0);
    server = undefined;
    expect(srv.records().filter((l) => Number(l.level) >= 50 || "raw" in l)).toEqual([]);

    for (const [id, wait] of longestWaits(upstream))
      expect(wait, `merchant ${id}'s longest wait between polls`).toBeLessThanOrEqual(
        INTERVAL_MS + TIMEOUT_MS,
      );
    const stored = await storedSales(dbPath);
    // Every sale once, the faulty merchant's too (its good rows among the bad ones included).
    for (const [id, ids] of final) expect(stored.get(id), `merchant ${id}'s sales`).toEqual(ids);
    expect(final.get(HEALTHY[0] as string)?.length).toBeGreaterThan(20);
  });
});
