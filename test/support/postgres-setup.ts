/**
 * Setup file of the vitest project "postgres" (vitest.config.ts): before each test, a few databases
 * ready for the services it builds from `testConfig()` directly, which takes them synchronously
 * (test-database.ts); only those taken are made again. Services made by makeTestApp make their own.
 */
import { beforeEach } from "vitest";
import { preparePostgresDatabases } from "./test-database.js";

/** Enough for the test that builds the most services from testConfig() directly. */
const DATABASES_PER_TEST = 4;

beforeEach(() => preparePostgresDatabases(DATABASES_PER_TEST));
