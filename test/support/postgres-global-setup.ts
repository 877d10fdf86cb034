/**
 * Vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (initdb costs ~1-2 s, so
 * not one per test file), its URL handed to test files with vitest's provide/inject, stopped and
 * removed at teardown. Test files isolate themselves with a database each, not a cluster each.
 *
 * Wiring it in is one line in a vitest project's config (vitest.config.ts):
 *
 *   globalSetup: ["test/support/postgres-global-setup.ts"],
 *
 * and in a test file:
 *
 *   import { inject } from "vitest";
 *   import { createTestDatabase } from "../src/demo/postgres/cluster.js";
 *   const db = await createTestDatabase(inject("postgresClusterUrl")); // in beforeAll
 *   ... afterAll: await db.drop();
 *
 * Fault tests that restart or kill PostgreSQL must start a cluster of their own
 * (startPostgresCluster()): this one is shared by every file running at the same time.
 */
import type { TestProject } from "vitest/node";
import { startPostgresCluster } from "../../src/demo/postgres/cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** postgres://postgres@127.0.0.1:<port>/postgres of the run's shared throwaway cluster. */
    postgresClusterUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgresCluster();
  project.provide("postgresClusterUrl", cluster.url);
  return () => cluster.stop();
}
