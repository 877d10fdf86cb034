import { TEST_TOKEN } from "./app.js";
import { namesUnknownMerchant } from "./merchant-filter-model.js";
import type { FuzzRequest } from "./request-fuzz.js";

/**
 * What the API should hold after each generated request, and what each answer should be, from the
 * README's rules written out again here (not imported from src/): bodies are UTF-8 JSON objects of at
 * most 1 MB, nested at most 32 deep, without lone surrogates or prototype keys; fields are checked
 * against the contract; ten failed authentications from one client get 429.
 *
 * A body is valid (it must be accepted and do exactly what it says) or not (a 4xx, and nothing
 * changes); every field must have its JSON type as sent.
 */

export interface MerchantState {
  id: string;
  public_key: string;
  alias: string;
  enabled: boolean;
}
export interface MilestoneState {
  id: number;
  name: string;
  type: string;
  threshold: number;
  enabled: boolean;
  triggered: boolean;
}
export interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}

type Verdict = "valid" | "invalid" | "absent";
type Field = (v: unknown) => Verdict;

const BODY_LIMIT = 1024 * 1024;
const MAX_DEPTH = 32;
const MAX_PARAM_LENGTH = 100;
const MAX_FAILURES = 10;
const MERCHANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MILESTONE_ID = /^[1-9][0-9]{0,14}$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** A lone surrogate, or a NUL (PostgreSQL cannot store it): refused in any string or key. */
const unstorable = (s: string) => LONE_SURROGATE.test(s) || s.includes("\0");

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const verdictOf = (ok: boolean): Verdict => (ok ? "valid" : "invalid");

// Each field must have its JSON type as sent: nothing is coerced ("5" is not 5, 1 is not true).
const str =
  (min: number, max: number, pattern?: RegExp): Field =>
  (v) => {
    if (v === undefined) return "absent";
    if (typeof v !== "string") return "invalid";
    const length = [...v].length; // Ajv counts code points
    return verdictOf(length >= min && length <= max && (!pattern || pattern.test(v)));
  };
const bool: Field = (v) => (v === undefined ? "absent" : verdictOf(typeof v === "boolean"));
const int: Field = (v) =>
  v === undefined
    ? "absent"
    : verdictOf(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= Number.MAX_SAFE_INTEGER);
const milestoneType: Field = (v) =>
  v === undefined ? "absent" : verdictOf(v === "transactions" || v === "volume");

// Every merchant these requests make is a PayWithFlash one: `source` may be absent or "pwf"; BTCPay and
// LNbits need settings these bodies never carry (and a merchant keeps its source), anything else is no source.
const pwfSource: Field = (v) => (v === undefined ? "absent" : verdictOf(v === "pwf"));
const SWITCH_AND_SOURCE = { enabled: bool, source: pwfSource };
const MERCHANT = {
  id: str(1, 64, MERCHANT_ID),
  public_key: str(1, 512),
  alias: str(1, 200),
  ...SWITCH_AND_SOURCE,
};
// The edit form's whole merchant: an id (the path's, empty, or refused), empty strings meaning "keep".
const MERCHANT_PATCH = { id: str(0, 64), public_key: str(0, 512), alias: str(0, 200), ...SWITCH_AND_SOURCE };
const MILESTONE = { name: str(1, 200), type: milestoneType, threshold: int, enabled: bool };
const MILESTONE_PATCH = { ...MILESTONE, reset_trigger: bool };
const LOGIN = { token: str(0, 4096) };

/** How deep objects and arrays nest in `v`, without recursion (the values tried nest thousands deep). */
function depth(v: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[v, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, level] = item;
    if (typeof value !== "object" || value === null) continue;
    deepest = Math.max(deepest, level + 1);
    for (const x of Object.values(value)) stack.push([x, level + 1]);
  }
  return deepest;
}
function refused(v: unknown): boolean {
  if (typeof v === "string") return unstorable(v);
  if (typeof v !== "object" || v === null) return false;
  return Object.entries(v).some(
    ([k, x]) =>
      unstorable(k) ||
      k === "__proto__" ||
      (k === "constructor" && isObject(x) && Object.hasOwn(x, "prototype")) ||
      refused(x),
  );
}

/** The body as the server should see it, or undefined when it must be refused before validation. */
function parsedBody(req: FuzzRequest): Record<string, unknown> | undefined {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (req.payload === undefined || type !== "application/json" || req.payload.length > BODY_LIMIT)
    return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(req.payload));
  } catch {
    return undefined;
  }
  if (!isObject(value) || depth(value) > MAX_DEPTH || refused(value)) return undefined;
  // Top-level nulls and non-finite numbers are refused whatever the field (params.ts).
  const bad = Object.values(value).some((v) => v === null || (typeof v === "number" && !Number.isFinite(v)));
  return bad ? undefined : value;
}

/** The fields of each route's body, and which of them are required. */
const BODIES: Partial<Record<FuzzRequest["route"]["kind"], [Record<string, Field>, string[]]>> = {
  "merchants.create": [MERCHANT, ["id", "public_key", "alias"]],
  "merchants.update": [MERCHANT_PATCH, []],
  "milestones.create": [MILESTONE, ["name", "type", "threshold"]],
  "milestones.update": [MILESTONE_PATCH, []],
};

/** Whether the body must be accepted, and the parsed body when it must. */
function validBody(req: FuzzRequest, fields: Record<string, Field>, required: string[]) {
  const body = parsedBody(req);
  if (!body) return undefined;
  for (const [name, check] of Object.entries(fields)) {
    const v = check(body[name]);
    if (v === "invalid" || (v === "absent" && required.includes(name))) return undefined;
  }
  return body;
}

export class RequestModel {
  readonly merchants = new Map<string, MerchantState>();
  readonly milestones = new Map<number, MilestoneState>();
  private readonly failures = new Map<string, number>();

  /** Checks one answer against what `req` should have done, and records what it did. Throws why not. */
  check(req: FuzzRequest, res: Answer): void {
    const { statusCode: status } = res;
    if (status >= 500) throw new Error(`5xx: ${res.body}`);
    if (status >= 400 && req.method !== "HEAD") {
      expectEqual(
        String(res.headers["content-type"]).startsWith("application/json"),
        true,
        "error content type",
      );
      const body = JSON.parse(res.body) as unknown;
      expectEqual(
        isObject(body) && Object.keys(body).join() === "error" && typeof body.error === "string",
        true,
        `error shape ${res.body}`,
      );
    }
    const limitedBefore = (this.failures.get(req.remoteAddress) ?? 0) >= MAX_FAILURES;
    if (status === 401) this.failures.set(req.remoteAddress, (this.failures.get(req.remoteAddress) ?? 0) + 1);
    const route = req.route;
    if (route.kind === "junk") {
      const succeeded = status >= 200 && status < 300 && req.method !== "OPTIONS";
      expectEqual(succeeded, false, "a junk request succeeded");
      return;
    }
    if (route.kind === "public") {
      // A 404 only for a merchant filter naming a merchant that does not exist (a booth screen's reads).
      const ok = status === 404 ? namesUnknownMerchant(req.url, this.merchants) : [200, 400].includes(status);
      expectEqual(ok, true, `public status ${status}`);
      return;
    }
    if (route.kind === "login") {
      this.login(req, res, limitedBefore);
      return;
    }
    // The router measures the parameter once decoded.
    if ("id" in route && route.id.length > MAX_PARAM_LENGTH) {
      expectEqual(status, 400, "over-long path parameter");
      return;
    }
    const idPattern = route.kind.startsWith("merchants") ? MERCHANT_ID : MILESTONE_ID;
    if ("id" in route && !idPattern.test(route.id)) {
      expect4xx(status);
      return;
    }
    if (limitedBefore) {
      expectEqual(status, 429, "rate limited");
      return;
    }
    if (!req.authorized) {
      expectEqual(status, 401, "unauthorized");
      return;
    }
    this.admin(req, res);
  }

  private login(req: FuzzRequest, res: Answer, limited: boolean): void {
    const body = validBody(req, LOGIN, ["token"]);
    if (!body) expect4xx(res.statusCode);
    else expectEqual(res.statusCode, limited ? 429 : body.token === TEST_TOKEN ? 200 : 401, "login status");
  }

  private admin(req: FuzzRequest, res: Answer): void {
    const route = req.route;
    const status = res.statusCode;
    const answer = () => JSON.parse(res.body) as Record<string, unknown>;
    const schema = BODIES[route.kind];
    const body = schema ? validBody(req, ...schema) : {};
    if (!body) {
      expect4xx(status);
      return;
    }
    switch (route.kind) {
      case "merchants.list":
      case "milestones.list":
        expectEqual(status, 200, "list");
        return;
      case "merchants.delete":
      case "merchants.refetch": {
        const exists = this.merchants.has(route.id);
        expectEqual(status, exists ? (route.kind === "merchants.delete" ? 200 : 202) : 404, route.kind);
        if (route.kind === "merchants.delete") this.merchants.delete(route.id);
        return;
      }
      case "milestones.delete":
        expectEqual(status, this.milestones.has(Number(route.id)) ? 200 : 404, route.kind);
        this.milestones.delete(Number(route.id));
        return;
      case "merchants.create": {
        const merchant = merchantOf({ ...body, enabled: body.enabled !== false });
        expectEqual(status, this.merchants.has(merchant.id) ? 200 : 201, "created or updated");
        expectEqual(merchantOf(answer()), merchant, "stored merchant");
        expectEqual(pwfShape(answer()), true, "a PayWithFlash merchant's answer");
        this.merchants.set(merchant.id, merchant);
        return;
      }
      case "merchants.update": {
        if (typeof body.id === "string" && body.id !== "" && body.id !== route.id) {
          expectEqual(status, 400, "another id in the body");
          return;
        }
        const before = this.merchants.get(route.id);
        expectEqual(status, before ? 200 : 404, "merchant exists");
        if (!before) return;
        const changes = pick(body, ["public_key", "alias", "enabled"]);
        for (const k of ["public_key", "alias"]) if (changes[k] === "") delete changes[k];
        const merchant = { ...before, ...changes };
        expectEqual(merchantOf(answer()), merchant, "updated merchant");
        expectEqual(pwfShape(answer()), true, "a PayWithFlash merchant's answer");
        this.merchants.set(route.id, merchant);
        return;
      }
      case "milestones.create": {
        expectEqual(status, 201, "created");
        const stored = milestoneOf(answer());
        expectEqual(this.milestones.has(stored.id), false, "a new milestone id");
        const fields = pick(body, ["name", "type", "threshold"]);
        const milestone = { id: stored.id, ...fields, enabled: body.enabled !== false, triggered: false };
        expectEqual(stored, milestone, "created milestone");
        this.milestones.set(stored.id, milestone as MilestoneState);
        return;
      }
      case "milestones.update": {
        const before = this.milestones.get(Number(route.id));
        expectEqual(status, before ? 200 : 404, "milestone exists");
        if (!before) return;
        const milestone = { ...before, ...pick(body, Object.keys(MILESTONE)) };
        expectEqual(milestoneOf(answer()), milestone, "updated milestone");
        this.milestones.set(before.id, milestone);
        return;
      }
    }
  }
}
const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
const merchantOf = (m: Record<string, unknown>) =>
  pick(m, ["id", "public_key", "alias", "enabled"]) as unknown as MerchantState;
/** Source pwf, and none of the fields a BTCPay or LNbits merchant's answer adds. */
const pwfShape = (m: Record<string, unknown>) => m.source === "pwf" && !("btcpay" in m) && !("lnbits" in m);
const milestoneOf = (m: Record<string, unknown>) =>
  pick(m, ["id", "name", "type", "threshold", "enabled", "triggered"]) as unknown as MilestoneState;

function expect4xx(status: number): void {
  if (status < 400 || status >= 500) throw new Error(`expected a 4xx, got ${status}`);
}
function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
