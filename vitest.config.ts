import { defineConfig } from "vitest/config";

/**
 * The tests that run again with the service on PostgreSQL (project "postgres"): every API test, the
 * full-system tests, the stream's and OpenAPI's contracts. The same files, unchanged: the engine comes
 * from TEST_ENGINE (test/support/test-database.ts). Store-level engine tests (engines-*, cluster-*)
 * check both engines themselves and run once, in the default project.
 */
const ON_BOTH_ENGINES = [
  "test/api-*.test.ts",
  "test/full-system*.test.ts",
  "test/stream-contract.test.ts",
  "test/openapi.test.ts",
  "test/read-your-writes.test.ts",
  "test/cached-answers.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Browser and full-system tests start servers on real ports; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.{ts,tsx}"],
          // One throwaway PostgreSQL cluster for the run: tests that check both engines make databases in it.
          globalSetup: ["test/support/postgres-global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ON_BOTH_ENGINES,
          env: { TEST_ENGINE: "postgres" },
          globalSetup: ["test/support/postgres-global-setup.ts"],
          setupFiles: ["test/support/postgres-setup.ts"],
        },
      },
    ],
  },
});
