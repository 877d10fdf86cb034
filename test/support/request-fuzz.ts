import fc from "fast-check";
import { TEST_TOKEN } from "./app.js";
import {
  body,
  loginBody,
  MERCHANT_IDS,
  merchantBody,
  merchantPatch,
  milestoneBody,
  milestonePatch,
} from "./request-bodies.js";

export { MERCHANT_IDS };

/**
 * Generated requests for test/fuzz-requests.test.ts: each is a plan (which route it aims at, which
 * credentials, which body) rendered to what inject() sends. Bodies are built as text and then
 * mangled (nested, padded, cut, given lone surrogates, prototype keys or bytes that are not UTF-8),
 * so what the server must make of them is worked out from the bytes sent (request-model.ts).
 */

export type Route =
  | { kind: "merchants.list" | "milestones.list"; head: boolean }
  | { kind: "merchants.create" | "milestones.create" | "login" }
  /** `id` as the route should decode it, `sent` as it is in the path (for messages). */
  | { kind: "merchants.update" | "merchants.delete" | "merchants.refetch"; id: string; sent: string }
  | { kind: "milestones.update" | "milestones.delete"; id: string; sent: string }
  | { kind: "public"; method: "GET" | "HEAD" }
  | { kind: "junk" };

export interface FuzzRequest {
  route: Route;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: Buffer;
  remoteAddress: string;
  /** Whether the credentials are the admin token, by every header sent. */
  authorized: boolean;
}

export const CLIENTS = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

const BAD_MERCHANT_IDS = ["", "a b", "ü", "m".repeat(65), "m".repeat(101), "a.b", "%", "a/b", "💥"];
const MILESTONE_IDS = ["1", "2", "3", "4", "999999999999999"];
const BAD_MILESTONE_IDS = [
  "0",
  "01",
  "1e3",
  "0x1",
  "-1",
  "1.0",
  " 1",
  "a",
  "9999999999999999",
  "9".repeat(120),
];

/** Credentials, weighted so that most requests get past authentication and reach validation. */
const AUTH: [headers: Record<string, string>, authorized: boolean, weight: number][] = [
  [{ authorization: `Bearer ${TEST_TOKEN}` }, true, 8],
  [{ "x-admin-token": TEST_TOKEN }, true, 4],
  [{ authorization: `bearer   ${TEST_TOKEN}`, "x-admin-token": TEST_TOKEN }, true, 2],
  [{}, false, 1],
  [{ authorization: "Bearer wrong" }, false, 1],
  [{ authorization: `Basic ${TEST_TOKEN}` }, false, 1],
  [{ "x-admin-token": `${TEST_TOKEN}x` }, false, 1],
  [{ authorization: `Bearer ${TEST_TOKEN}`, "x-admin-token": "nope" }, false, 1],
];
const auth = fc.oneof(
  ...AUTH.map(([headers, authorized, weight]) => ({
    weight,
    arbitrary: fc.constant({ headers, authorized }),
  })),
);

const encodeAll = (s: string) =>
  [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
/** A path parameter as sent: percent-encoded as a URL needs, or every byte of it. */
const param = (ids: string[]) =>
  fc
    .tuple(fc.constantFrom(...ids), fc.nat(9))
    .map(([id, n]) => ({ id, sent: n === 0 ? encodeAll(id) : encodeURIComponent(id) }));

const QUERY_KEYS = [
  "limit",
  "window",
  "metric",
  "since",
  "bucket",
  "merchant_id",
  "source",
  "x",
  "__proto__",
  "constructor",
];
const QUERY_VALUES = [
  "1",
  "0",
  "-1",
  "1000",
  "1001",
  "1e400",
  "Infinity",
  "NaN",
  "abc",
  "",
  "5m",
  "24h",
  "all",
  "1h",
  "0s",
  "-5m",
  "1s",
  "999999h",
  "transactions",
  "volume",
  "2025-11-10T00:00:00Z",
  "2025-13-45T99:99:99Z",
  "173",
  "pwf",
  "wifi",
  "WiFi",
  "m".repeat(65),
  "%zz",
  "ü",
  "\u0000",
];
const query = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.constantFrom(...QUERY_VALUES), fc.boolean()), {
    maxLength: 4,
  })
  .map((pairs) =>
    pairs.length === 0
      ? ""
      : `?${pairs.map(([k, v, raw]) => `${k}=${raw ? v : encodeURIComponent(v)}`).join("&")}`,
  );
const PUBLIC_PATHS = [
  "/v1/health",
  "/v1/summary",
  "/v1/ticker",
  "/v1/leaderboard/merchants",
  "/v1/leaderboard/products",
  "/v1/milestones/triggers",
  "/v1/timeseries",
];
// Never /v1/stream: an event stream does not end, so inject() would wait for ever. No dot segments
// either: inject() resolves them as a URL does, so `/v1/x/../admin/milestones` is not junk there.
const JUNK_PATHS = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }).map((s) => `/zz${encodeURIComponent(s)}`),
  fc.constantFrom(
    "/",
    "/v1",
    "/v1/",
    "/V1/summary",
    "/v1/summary/",
    "/v1//summary",
    "/v1/admin",
    "/v1/admin/merchants/173/x",
    "/v1/admin/milestones/1/refetch",
    "/v1/admin/nope",
    "/v2/health",
    `/v1/${"x".repeat(3000)}`,
    "/v1/summary%00",
    "/index.html",
    "/v1/admin/auth/login/x",
  ),
);

type Planned = { route: Route; method: string; path: string; body?: { payload: Buffer; type: string } };

const plan: fc.Arbitrary<Planned> = fc.oneof(
  fc.constantFrom("merchants", "milestones").chain((what) =>
    fc.boolean().map((head) => ({
      route: { kind: `${what}.list` as "merchants.list", head },
      method: head ? "HEAD" : "GET",
      path: `/v1/admin/${what}`,
    })),
  ),
  {
    weight: 3,
    arbitrary: body(merchantBody).map((b) => ({
      route: { kind: "merchants.create" as const },
      method: "POST",
      path: "/v1/admin/merchants",
      body: b,
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof({ weight: 4, arbitrary: param(MERCHANT_IDS) }, param(BAD_MERCHANT_IDS)),
        body(merchantPatch),
      )
      .map(([p, b]) => ({
        route: { kind: "merchants.update" as const, ...p },
        method: "PUT",
        path: `/v1/admin/merchants/${p.sent}`,
        body: b,
      })),
  },
  fc
    .tuple(fc.oneof({ weight: 4, arbitrary: param(MERCHANT_IDS) }, param(BAD_MERCHANT_IDS)), fc.boolean())
    .map(([p, refetch]) => ({
      route: { kind: refetch ? ("merchants.refetch" as const) : ("merchants.delete" as const), ...p },
      method: refetch ? "POST" : "DELETE",
      path: `/v1/admin/merchants/${p.sent}${refetch ? "/refetch" : ""}`,
    })),
  {
    weight: 3,
    arbitrary: body(milestoneBody).map((b) => ({
      route: { kind: "milestones.create" as const },
      method: "POST",
      path: "/v1/admin/milestones",
      body: b,
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof({ weight: 4, arbitrary: param(MILESTONE_IDS) }, param(BAD_MILESTONE_IDS)),
        body(milestonePatch),
      )
      .map(([p, b]) => ({
        route: { kind: "milestones.update" as const, ...p },
        method: "PUT",
        path: `/v1/admin/milestones/${p.sent}`,
        body: b,
      })),
  },
  fc.oneof({ weight: 4, arbitrary: param(MILESTONE_IDS) }, param(BAD_MILESTONE_IDS)).map((p) => ({
    route: { kind: "milestones.delete" as const, ...p },
    method: "DELETE",
    path: `/v1/admin/milestones/${p.sent}`,
  })),
  body(loginBody).map((b) => ({
    route: { kind: "login" as const },
    method: "POST",
    path: "/v1/admin/auth/login",
    body: b,
  })),
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...PUBLIC_PATHS), query, fc.constantFrom("GET" as const, "HEAD" as const))
      .map(([path, q, method]) => ({
        route: { kind: "public" as const, method },
        method,
        path: `${path}${q}`,
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        JUNK_PATHS,
        query,
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"),
        fc.option(body(merchantBody)),
      )
      .map(([path, q, method, b]) => ({
        route: { kind: "junk" as const },
        method,
        path: `${path}${q}`,
        ...(b ? { body: b } : {}),
      })),
  },
);

/** One generated request, ready for inject(). */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(plan, auth, fc.constantFrom(...CLIENTS), fc.nat(19))
  .map(([p, { headers: auth, authorized }, remoteAddress, n]) => {
    // Now and then a body where the route takes none, or none where it takes one.
    const payload = n === 0 ? undefined : p.body?.payload;
    const headers: Record<string, string> = { ...auth };
    if (p.body && n !== 0 && p.body.type !== "") headers["content-type"] = p.body.type;
    return {
      route: p.route,
      method: p.method,
      url: p.path,
      headers,
      remoteAddress,
      authorized,
      ...(payload ? { payload } : {}),
    };
  });

/** One line per request, bodies cut short: for failure messages. */
export function describeRequest(r: FuzzRequest): string {
  const body =
    r.payload === undefined
      ? "no body"
      : `${r.payload.length} bytes ${JSON.stringify(r.payload.subarray(0, 120).toString("latin1"))}`;
  return `${r.method} ${r.url.slice(0, 160)} from ${r.remoteAddress} ${JSON.stringify(r.headers)} ${body}`;
}
