import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.{ts,tsx}"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Browser and full-system tests start servers on real ports; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    // One throwaway PostgreSQL cluster for the run: tests that check both engines make databases in it.
    globalSetup: ["test/support/postgres-global-setup.ts"],
  },
});
