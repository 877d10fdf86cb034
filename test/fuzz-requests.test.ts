import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { expect, test } from "vitest";
import type { createService as CreateService } from "../src/service.js";
import { makeTestApp, TEST_TOKEN, testConfig } from "./support/app.js";
import { describeRequest, fuzzRequest, MERCHANT_IDS } from "./support/request-fuzz.js";
import { RequestModel } from "./support/request-model.js";

/**
 * Generated requests against the real app (inject()): known routes and junk, good and bad ids, query
 * values, methods, content types and charsets, bodies up to and over the limit, deep nesting, lone
 * surrogates, prototype keys, with and without the admin token. After each request: no 5xx, every
 * error in the API's shape, the answer the model predicts, and the merchants and milestones the API
 * lists are exactly the model's. A fixed seed, so CI is repeatable: FUZZ_SEED and FUZZ_RUNS change it,
 * FUZZ_SHRINK=1 shrinks a failure (slow: every try starts an app).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 1311);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

// The ingest thread loads compiled JavaScript, so the threaded service comes from the build.
const { createService } = (await import(new URL("../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

interface Target {
  app: FastifyInstance;
  close(): Promise<void>;
}
/** Ingest in this thread (fast: most runs) or on its own thread, as the service runs. */
const inline = async (): Promise<Target> => makeTestApp();
const threaded = async (): Promise<Target> => {
  const service = await createService(testConfig(), { log: pino({ level: "silent" }) });
  return { app: service.app, close: () => service.stop() };
};

/** Lists are read from a client that never fails to authenticate, so it is never rate limited. */
const CHECKER = { remoteAddress: "10.9.9.9", headers: { authorization: `Bearer ${TEST_TOKEN}` } };
const list = async (t: Target, what: string) =>
  (await t.app.inject({ url: `/v1/admin/${what}`, ...CHECKER })).json() as Record<string, unknown>[];

async function expectListsMatch(t: Target, model: RequestModel): Promise<void> {
  const merchants = (await list(t, "merchants")).map(({ id, public_key, alias, enabled }) => ({
    id,
    public_key,
    alias,
    enabled,
  }));
  // Listed by alias in byte order (SQLite's BINARY collation compares UTF-8), then by id.
  const byAlias = (a: { alias: string; id: string }, b: { alias: string; id: string }) =>
    Buffer.compare(Buffer.from(a.alias), Buffer.from(b.alias)) ||
    Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));
  expect(merchants).toEqual([...model.merchants.values()].sort(byAlias));
  const milestones = (await list(t, "milestones")).map(
    ({ id, name, type, threshold, enabled, triggered }) => ({
      id,
      name,
      type,
      threshold,
      enabled,
      triggered,
    }),
  );
  expect(milestones).toEqual(
    [...model.milestones.values()].sort((a, b) => a.threshold - b.threshold || a.id - b.id),
  );
}

/** Some merchants and milestones to start from, so that updates and deletes find what they aim at. */
async function seed(t: Target, model: RequestModel): Promise<void> {
  for (const [i, id] of MERCHANT_IDS.slice(0, 3).entries()) {
    const merchant = { id, public_key: `pk-${i}`, alias: `Shop ${i}`, enabled: i !== 1 };
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/admin/merchants",
      payload: merchant,
      ...CHECKER,
    });
    expect(res.statusCode).toBe(201);
    model.merchants.set(id, merchant);
  }
  for (const [i, type] of ["volume", "transactions"].entries()) {
    const body = { name: `M${i}`, type, threshold: 10 ** i, enabled: true };
    const res = await t.app.inject({
      method: "POST",
      url: "/v1/admin/milestones",
      payload: body,
      ...CHECKER,
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json() as { id: number };
    model.milestones.set(id, { id, ...body, triggered: false });
  }
}

/** Runs `runs` sequences of 30 to 60 requests, each on a fresh app; prints the seed and what was sent. */
async function fuzz(name: string, start: () => Promise<Target>, runs: number): Promise<void> {
  console.log(`fuzz-requests ${name}: seed ${SEED}, ${runs} runs (FUZZ_SEED, FUZZ_RUNS to change)`);
  const outcomes = new Map<string, number>();
  let sent = 0;
  const property = fc.asyncProperty(
    fc.array(fuzzRequest, { minLength: 30, maxLength: 60, size: "max" }),
    async (requests) => {
      const t = await start();
      try {
        const model = new RequestModel();
        await seed(t, model);
        for (const [i, req] of requests.entries()) {
          const res = await t.app.inject({
            method: req.method as "GET",
            url: req.url,
            headers: req.headers,
            remoteAddress: req.remoteAddress,
            ...(req.payload === undefined ? {} : { payload: req.payload }),
          });
          sent++;
          const outcome = `${req.route.kind} ${res.statusCode}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          try {
            model.check(req, res);
            await expectListsMatch(t, model);
          } catch (e) {
            const before = requests.slice(Math.max(0, i - 5), i).map((r) => `  ${describeRequest(r)}`);
            throw new Error(
              `request ${i}: ${describeRequest(req)}\n→ ${res.statusCode} ${res.body.slice(0, 300)}\n` +
                `${(e as Error).message}\nafter:\n${before.join("\n")}`,
            );
          }
        }
      } finally {
        await t.close();
      }
    },
  );
  const result = await fc.check(property, {
    seed: SEED,
    numRuns: runs,
    endOnFailure: process.env.FUZZ_SHRINK !== "1",
  });
  const tally = [...outcomes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}: ${n}`);
  console.log(`fuzz-requests ${name}: ${sent} requests; route and status: ${tally.join(", ")}`);
  if (result.failed) {
    const error = result.errorInstance;
    throw new Error(
      `seed ${SEED}, path ${result.counterexamplePath}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

test("generated requests: never a 5xx, and only valid ones change what the API lists", async () => {
  await fuzz("inline ingest", inline, RUNS);
}, 120_000);

test("the same against the service with its ingest thread (what crosses to it is cloned)", async () => {
  await fuzz("ingest thread", threaded, Math.max(1, Math.round(RUNS / 6)));
}, 120_000);
