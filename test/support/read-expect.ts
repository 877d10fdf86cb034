/** Checks shared by the store-level read suites that run on both engines (test/engines-*-reads.test.ts). */
import { expect } from "vitest";

/**
 * The answer equals the fixed expectation, and so does its JSON text, key order included: the same
 * expectation on both engines is what shows they answer byte for byte alike.
 */
export function expectAnswer(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

/** Each of these is a JavaScript number: PostgreSQL's bigint and numeric sums arrive as strings unparsed. */
export function expectNumbers(...values: unknown[]): void {
  for (const v of values) expect(typeof v).toBe("number");
}

/** RFC 3339 of an instant, as the answers print it. */
export const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
