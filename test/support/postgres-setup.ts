/**
 * Setup file of the vitest project "postgres" (vitest.config.ts): before each test, a few databases
 * ready for the services it builds from `testConfig()` directly, which takes them synchronously
 * (test-database.ts); only those taken are made again. Services made by makeTestApp make their own.
 */
import { beforeAll, beforeEach } from "vitest";
import { preparePostgresDatabases } from "./test-database.js";

/** Enough for the test that builds the most services from testConfig() directly. */
const DATABASES_PER_TEST = 4;

// Before the file's own beforeAll (a service for the whole file), and topped up before each test.
beforeAll(() => preparePostgresDatabases(DATABASES_PER_TEST));
beforeEach(() => preparePostgresDatabases(DATABASES_PER_TEST));
