import type { FastifyInstance } from "fastify";
import type { TObject } from "typebox";
import { storableText, type Unstorable, unstorable } from "../store/storable-text.js";
import { badRequest } from "./errors.js";

/**
 * JSON request bodies, parsed here rather than by Fastify's parser so that each refusal says what was
 * wrong. The API's bodies are flat objects: a deeper body is an attack or a mistake, and a value nested
 * thousands of levels deep overflows the stack of whatever walks it later (the structured clone to the
 * ingest thread did).
 */
export const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Route config of a route whose body comes from another system (the WiFi webhook): its strings are
 * made storable (store/storable-text.ts) rather than refused, so an odd character in a field it does
 * not even read never loses the payment it announces.
 */
export const UPSTREAM_BODY = { upstreamBody: true } as const;

declare module "fastify" {
  interface FastifyContextConfig {
    /** Set by UPSTREAM_BODY. */
    upstreamBody?: boolean;
  }
}

/** The JSON body parser below, and the URL check (refuseUnstorableUrls): what every request's input passes. */
export function registerRequestParsing(app: FastifyInstance): void {
  registerJsonBodyParser(app);
  refuseUnstorableUrls(app);
}

/** Replaces the application/json parser of `app` (and of everything registered on it). */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, raw: Buffer, done) => {
    // Clients that send `Content-Type: application/json` on every admin call (the original frontend
    // does, on refetch and delete too) send it with nothing after it where a route takes no body.
    if (raw.length === 0 && req.routeOptions.schema?.body === undefined) {
      done(null, undefined);
      return;
    }
    const upstream = req.routeOptions.config?.upstreamBody;
    let body: unknown;
    try {
      body = upstream === true ? parseUpstreamBody(raw) : parseJsonBody(raw);
    } catch (e) {
      done(e as Error);
      return;
    }
    done(null, body);
  });
}

/**
 * The body's value, or a 400 saying why not: empty, not UTF-8, nested deeper than MAX_JSON_DEPTH
 * (checked on the text, before parsing), not JSON, or holding a key or string refused by refusal().
 */
export function parseJsonBody(raw: Buffer): unknown {
  const body = parseChecked(raw);
  const whole = typeof body === "string" ? unstorable(body) : undefined;
  if (whole !== undefined) throw badRequest(`body ${UNSTORABLE[whole]}`);
  if (typeof body === "object" && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      const why = refusal(key, value);
      if (why === "lone surrogate" || why === "NUL") {
        // The field is named when it is short enough to echo and echoes cleanly.
        const field = key.length <= 64 && unstorable(key) === undefined ? `body/${key}` : "a body field";
        throw badRequest(`${field} ${UNSTORABLE[why]}`);
      }
      if (why !== undefined) throw badRequest(`request body holds a "${why}" key, which is not allowed`);
    }
  }
  return body;
}

/**
 * An upstream system's body: refused as parseJsonBody refuses it, except that its strings are made
 * storable instead of refused.
 */
function parseUpstreamBody(raw: Buffer): unknown {
  const body = parseChecked(raw, (_key, value) => (typeof value === "string" ? storableText(value) : value));
  if (typeof body === "object" && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      const why = refusal(key, value);
      if (why === "__proto__" || why === "constructor.prototype")
        throw badRequest(`request body holds a "${why}" key, which is not allowed`);
    }
  }
  return body;
}

/** The body parsed, or a 400: empty, not UTF-8, nested deeper than MAX_JSON_DEPTH, or not JSON. */
function parseChecked(raw: Buffer, reviver?: (key: string, value: unknown) => unknown): unknown {
  if (raw.length === 0) throw badRequest("request body is empty; send a JSON object");
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw badRequest("request body is not valid UTF-8");
  }
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw badRequest(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text, reviver);
  } catch {
    throw badRequest("request body is not valid JSON");
  }
}

/** Why a string is refused, after the field it is in. */
export const UNSTORABLE: Record<Unstorable, string> = {
  "lone surrogate": "is not valid Unicode (a lone surrogate)",
  NUL: "holds a NUL character (U+0000), which cannot be stored",
};

type Refusal = Unstorable | "__proto__" | "constructor.prototype";

/**
 * Why a key and its value are refused, at any depth: a NUL or a lone surrogate in a string or key
 * (JSON's `\u0000` and `\ud800` escapes carry them; PostgreSQL refuses the first in text, and each
 * engine stores the second differently: store/storable-text.ts), or a key that pollutes prototypes once the value is merged into an object
 * (`__proto__`, `constructor.prototype`; refused as Fastify's own parser refuses them). Recursion is
 * bounded by MAX_JSON_DEPTH.
 */
function refusal(key: string, value: unknown): Refusal | undefined {
  const inKey = unstorable(key);
  if (inKey !== undefined) return inKey;
  if (key === "__proto__") return "__proto__";
  if (typeof value === "string") return unstorable(value);
  if (typeof value !== "object" || value === null) return undefined;
  if (key === "constructor" && Object.hasOwn(value, "prototype")) return "constructor.prototype";
  for (const [k, v] of Object.entries(value)) {
    const why = refusal(k, v);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * Whether the JSON text opens more than `max` objects or arrays inside each other. A scan of the text,
 * before anything parses it; brackets inside strings do not count. Invalid JSON may be miscounted,
 * and is refused either way.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, so an escaped quote does not end the string.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * A copy of a validated body with only the properties its schema names. What the store gets crosses to
 * the ingest thread by structured clone: unknown fields (validation lets them through, of any size and
 * depth) stay here.
 */
export function knownFields<T extends object>(schema: TObject, body: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    if (Object.hasOwn(body, key)) out[key] = (body as Record<string, unknown>)[key];
  }
  return out as T;
}

/**
 * Refuses, before any route runs, a path parameter or query string value holding a NUL (`%00`; one
 * cannot come raw): it would reach the database as text PostgreSQL refuses. A lone surrogate cannot
 * come this way (percent-decoding refuses the bytes that would make one). Only URLs with `%00` are
 * looked at, so the check costs a cached read one substring search.
 */
export function refuseUnstorableUrls(app: FastifyInstance): void {
  app.addHook("onRequest", (req, _reply, done) => {
    // An unrouted URL (a 404, its path a wildcard parameter) is looked up nowhere.
    if (!req.url.includes("%00") || req.is404) return done();
    for (const [where, values] of [
      ["path", req.params],
      ["query", req.query],
    ] as const) {
      const field = unstorableField(values);
      if (field !== undefined) return done(badRequest(`${where}/${field} ${UNSTORABLE.NUL}`));
    }
    done();
  });
}

/** The first name whose value (or one of its repeated values) holds a NUL, echoable, if any. */
function unstorableField(values: unknown): string | undefined {
  if (typeof values !== "object" || values === null) return undefined;
  for (const [name, value] of Object.entries(values)) {
    const all: unknown[] = Array.isArray(value) ? value : [value];
    if (unstorable(name) === undefined && all.every((v) => typeof v !== "string" || !v.includes("\0")))
      continue;
    return name.length <= 64 && unstorable(name) === undefined ? name : "a parameter";
  }
  return undefined;
}
