import type { FastifyInstance } from "fastify";
import type { TObject } from "typebox";
import { badRequest } from "./errors.js";

/**
 * JSON request bodies, parsed here rather than by Fastify's parser so that each refusal says what was
 * wrong. The API's bodies are flat objects: a deeper body is an attack or a mistake, and a value nested
 * thousands of levels deep overflows the stack of whatever walks it later (the structured clone to the
 * ingest thread did).
 */
export const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

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
    let body: unknown;
    try {
      body = parseJsonBody(raw);
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
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest("request body is not valid JSON");
  }
  if (typeof body === "string" && LONE_SURROGATE.test(body)) {
    throw badRequest("body is not valid Unicode (a lone surrogate)");
  }
  if (typeof body === "object" && body !== null) {
    for (const [key, value] of Object.entries(body)) {
      const why = refusal(key, value);
      if (why === "lone surrogate") {
        // The field is named when it is short enough to echo and echoes cleanly.
        const field = key.length <= 64 && !LONE_SURROGATE.test(key) ? `body/${key}` : "a body field";
        throw badRequest(`${field} is not valid Unicode (a lone surrogate)`);
      }
      if (why !== undefined) throw badRequest(`request body holds a "${why}" key, which is not allowed`);
    }
  }
  return body;
}

type Refusal = "lone surrogate" | "__proto__" | "constructor.prototype";

/**
 * Why a key and its value are refused, at any depth: a lone surrogate in a string or key (JSON's
 * `\ud800` escape can carry one, UTF-8 cannot store it: SQLite would keep three replacement
 * characters), or a key that pollutes prototypes once the value is merged into an object
 * (`__proto__`, `constructor.prototype`; refused as Fastify's own parser refuses them). Recursion is
 * bounded by MAX_JSON_DEPTH.
 */
function refusal(key: string, value: unknown): Refusal | undefined {
  if (LONE_SURROGATE.test(key)) return "lone surrogate";
  if (key === "__proto__") return "__proto__";
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? "lone surrogate" : undefined;
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
