import fc from "fast-check";
import { TEST_TOKEN } from "./app.js";

/**
 * Generated request bodies for request-fuzz.ts: each route's fields, mostly good values and now and
 * then another type or none, written as JSON text and then mangled: raw members JSON.stringify would
 * not write (deep nesting, lone surrogates, prototype keys, 1e400, padding to the size limit), cut
 * short, given bytes that are not UTF-8, or replaced by junk. Sent with a JSON content type, mostly.
 */

/** Merchant ids that are valid, so that creates, updates and deletes meet. */
export const MERCHANT_IDS = ["173", "a_1", "B-2", "m".repeat(64)];

const JSON_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json;charset=latin1",
];
const OTHER_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/octet-stream",
  "text/json",
  "application/jsonx",
  "",
];

/** Any JSON value for a field: of its type or not, including those Ajv would coerce ("5", 1, ["x"]). */
const anyValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.integer(),
  fc.constantFrom(0, 1, -1, 1.5, 2 ** 53, 1e21, true, false, null, "", "true", "5", [], ["x"], {}, { a: 1 }),
);
const text = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom("k".repeat(max), "k".repeat(max + 1), "😀".repeat(max), "") },
  );
/** A field: mostly a good value, sometimes any value, sometimes absent (undefined). */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 2, arbitrary: anyValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
const bool = fc.boolean();
const threshold = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER));
const milestoneType = fc.constantFrom("transactions", "volume");

/**
 * A merchant's `source`: mostly absent (PayWithFlash, as before sources existed), else pwf, a source that
 * needs settings none of these bodies carry, one that does not exist, or any value.
 */
const source = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant("pwf") },
  { weight: 2, arbitrary: fc.constantFrom("btcpay", "lnbits", "wifi", "PWF", "") },
  { weight: 1, arbitrary: anyValue },
);
export const merchantBody = fc.record({
  id: field(fc.constantFrom(...MERCHANT_IDS)),
  public_key: field(text(512)),
  alias: field(text(200)),
  enabled: field(bool),
  source,
});
export const merchantPatch = fc.record({
  public_key: field(text(512)),
  alias: field(text(200)),
  enabled: field(bool),
  source,
});
export const milestoneBody = fc.record({
  name: field(text(200)),
  type: field(milestoneType),
  threshold: field(threshold),
  enabled: field(bool),
});
export const milestonePatch = fc.record({
  name: field(text(200)),
  type: field(milestoneType),
  threshold: field(threshold),
  enabled: field(bool),
  reset_trigger: field(bool),
});
export const loginBody = fc.record({ token: field(fc.constantFrom(TEST_TOKEN, "wrong", "t".repeat(4097))) });

/** `{"a":…}` or `[…]`, `levels` deep. */
const nested = (levels: number, arrays: boolean) =>
  arrays ? `${"[".repeat(levels)}1${"]".repeat(levels)}` : `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

/** Raw members put first in a body's object text: what JSON.stringify cannot write, or will not. */
const extraMember = fc.oneof(
  { weight: 30, arbitrary: fc.constant("") },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(1, 30, 31, 32, 33, 200, 5000), fc.boolean())
      .map(([d, arrays]) => `"deep":${nested(d, arrays)}`),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '"s":"a\\ud800"',
      '"\\udc00k":1',
      '"ok":"\\ud83d\\ude00"',
      '"__proto__":{"enabled":false}',
      '"j":[{"__proto__":1}]',
      '"constructor":{"prototype":{}}',
      '"constructor":"x"',
      '"n":1e400',
      '"nul":null',
      '"o":{"nul":null,"n":-0}',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(900_000, 1_048_000, 1_048_600).map((n) => `"pad":"${"x".repeat(n)}"`),
  },
);

/** What happens to the body's bytes at the end. */
const mangle = fc.oneof(
  { weight: 40, arbitrary: fc.constant((b: Buffer) => b) },
  { weight: 1, arbitrary: fc.constant((b: Buffer) => b.subarray(0, b.length - 1)) },
  { weight: 1, arbitrary: fc.constant((b: Buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b])) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc3, 0xa9])
      .map((bytes) => (b: Buffer) => Buffer.concat([b.subarray(0, 2), Buffer.from(bytes), b.subarray(2)])),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.constantFrom("[]", "42", '"s"', "null", "true", "{}"),
      )
      .map((s) => () => Buffer.from(s)),
  },
);

export const body = (fields: fc.Arbitrary<Record<string, unknown>>) =>
  fc
    .record({
      fields,
      extra: extraMember,
      mangle,
      type: fc.oneof(
        { weight: 19, arbitrary: fc.constantFrom(...JSON_TYPES) },
        { weight: 1, arbitrary: fc.constantFrom(...OTHER_TYPES) },
      ),
    })
    .map(({ fields, extra, mangle, type }) => {
      let json = JSON.stringify(fields); // undefined fields are left out
      if (extra) json = json === "{}" ? `{${extra}}` : `{${extra},${json.slice(1)}`;
      return { payload: mangle(Buffer.from(json, "utf8")), type };
    });
