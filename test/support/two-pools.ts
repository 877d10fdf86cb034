/**
 * Two "instances" as two pools on one empty database of the run's throwaway PostgreSQL, as two
 * processes would have: opened (and so migrated) at once, as instances starting together are; emptied
 * of merchants (and all that hangs off them) and instance heartbeats before each test; closed and
 * dropped after the file. Registers those hooks itself: call it once at a test file's top level.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type OpenedPostgres, openPostgres } from "../../src/store/postgres/open.js";
import { emptyTestDatabase } from "./test-database.js";

export interface TwoPools {
  readonly one: OpenedPostgres;
  readonly two: OpenedPostgres;
}

export function twoPoolsOnOneDatabase(names: [string, string]): TwoPools {
  let database: Awaited<ReturnType<typeof emptyTestDatabase>> | undefined;
  let opened: [OpenedPostgres, OpenedPostgres] | undefined;
  beforeAll(async () => {
    database = await emptyTestDatabase();
    const url = database.url;
    const both = await Promise.allSettled(
      names.map((n) => openPostgres(url, { max: 4, applicationName: n })),
    );
    const failed = both.find((o) => o.status === "rejected");
    // One that opened while the other failed is closed here: afterAll only knows a pair.
    if (failed) {
      await Promise.all(both.map((o) => (o.status === "fulfilled" ? o.value.close() : undefined)));
      throw failed.reason;
    }
    opened = both.map((o) => (o as PromiseFulfilledResult<OpenedPostgres>).value) as [
      OpenedPostgres,
      OpenedPostgres,
    ];
  });
  afterAll(async () => {
    await Promise.all((opened ?? []).map((o) => o.close()));
    await database?.drop();
  });
  beforeEach(async () => {
    await sql`delete from merchants`.execute(pools.one.db);
    await sql`delete from poll_instances`.execute(pools.one.db);
  });
  const pick = (i: 0 | 1): OpenedPostgres => {
    if (!opened) throw new Error("the pools open in beforeAll");
    return opened[i];
  };
  const pools: TwoPools = {
    get one() {
      return pick(0);
    },
    get two() {
      return pick(1);
    },
  };
  return pools;
}
