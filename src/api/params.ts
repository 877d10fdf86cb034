import type { FastifyReply, FastifyRequest } from "fastify";
import { DurationError, parseDuration } from "../time/duration.js";
import { parseInstant } from "../time/instant.js";
import { badRequest } from "./errors.js";

/** `window`: a positive Go duration, or `all` (null). Returns the start of the window in epoch ms. */
export function windowStart(raw: string | undefined, fallback: string | null, now: number): number | null {
  const value = raw ?? fallback;
  if (value === null || value === "all") return null;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    throw badRequest(`invalid window ${JSON.stringify(value)}: use a duration like 5m, 1h, 24h, or "all"`);
  }
  if (ms <= 0) throw badRequest(`invalid window ${JSON.stringify(value)}: must be greater than 0`);
  return now - ms;
}

/**
 * `source` as the store takes it: undefined for every source (`all`, empty or absent), else the one
 * source's name. The route's schema has already refused anything that is not a source name.
 */
export function sourceFilter(raw: string | undefined): string | undefined {
  return raw === undefined || raw === "" || raw === "all" ? undefined : raw;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `since`: RFC 3339 with an offset (an instant, not a wall-clock time). */
export function parseSince(raw: string | undefined, fallbackMs: number): number {
  return raw === undefined ? fallbackMs : instantParam("since", raw);
}

/** A parameter naming an instant: RFC 3339 with an offset, else a 400 naming the parameter. */
export function instantParam(name: string, raw: string): number {
  const ms = RFC3339.test(raw) ? parseInstant(raw) : null;
  if (ms === null)
    throw badRequest(`invalid ${name} ${JSON.stringify(raw)}: use RFC 3339, e.g. 2025-11-10T00:00:00Z`);
  return ms;
}

/** `from` (inclusive) and `to` (exclusive), each optional; when both are given `from` comes first. */
export function timeRange(q: { from?: string | undefined; to?: string | undefined }): {
  fromMs: number | undefined;
  toMs: number | undefined;
} {
  const fromMs = q.from === undefined ? undefined : instantParam("from", q.from);
  const toMs = q.to === undefined ? undefined : instantParam("to", q.to);
  if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs)
    throw badRequest(`from ${JSON.stringify(q.from)} must be before to ${JSON.stringify(q.to)}`);
  return { fromMs, toMs };
}

/** `bucket`: a Go duration of at least one second, dividing the window into at most `maxBuckets`. */
export function parseBucket(raw: string | undefined, windowMs: number, maxBuckets: number): number {
  const value = raw ?? "1m";
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (e) {
    if (!(e instanceof DurationError)) throw e;
    throw badRequest(`invalid bucket ${JSON.stringify(value)}: use a duration like 10s, 1m or 1h`);
  }
  if (ms < 1000 || ms % 1000 !== 0) {
    throw badRequest(
      `invalid bucket ${JSON.stringify(value)}: must be a whole number of seconds, at least 1s`,
    );
  }
  if (ms > windowMs) throw badRequest(`invalid bucket ${JSON.stringify(value)}: longer than the window`);
  if (Math.ceil(windowMs / ms) > maxBuckets) {
    throw badRequest(`bucket ${JSON.stringify(value)} gives more than ${maxBuckets} buckets for this window`);
  }
  return ms;
}

/**
 * preHandler for routes with integer parameters. Ajv coerces the strings "1e400" and "Infinity" to
 * Infinity and then skips minimum/maximum for a non-finite number, so `limit=1e400` would reach SQL
 * (500) and a threshold of "1e400" would be stored. Nothing in this API is a non-finite number.
 */
export function rejectNonFiniteNumbers(
  req: FastifyRequest,
  _reply: FastifyReply,
  done: (err?: Error) => void,
): void {
  // Callback style and no allocation when there is nothing to check: this runs on every public read.
  const bad =
    nonFiniteField("querystring", req.query) ??
    nonFiniteField("params", req.params) ??
    nonFiniteField("body", req.body);
  done(bad === undefined ? undefined : badRequest(`${bad} must be a finite number`));
}

function nonFiniteField(part: string, value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === "number" && !Number.isFinite(v)) return `${part}/${key}`;
  }
  return undefined;
}

interface FieldSchema {
  type?: unknown;
  anyOf?: FieldSchema[];
}

/**
 * preValidation for routes with a JSON body: each field must already have the type its schema names.
 * Ajv's type coercion (Fastify's default, which query strings need) would otherwise turn a JSON null
 * into 0, false or "" (`"threshold": null`: a milestone at 0), `true` into 1, 5 into "5" and ["x"] into
 * "x". A null is refused unless the field's schema allows it (the event settings clear a field with
 * it), even in a field the route does not know.
 */
export async function rejectMistypedFields(req: FastifyRequest): Promise<void> {
  const body = req.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  const fields = (req.routeOptions.schema?.body as { properties?: Record<string, FieldSchema> } | undefined)
    ?.properties;
  for (const [key, v] of Object.entries(body)) {
    const field = fields && Object.hasOwn(fields, key) ? fields[key] : undefined;
    const union = field?.anyOf;
    if (union) {
      const types = union.map((s) => s.type).filter((t): t is string => typeof t === "string");
      if (types.length === union.length && !types.some((t) => hasJsonType(v, t)))
        throw badRequest(`body/${key} must be ${types.join(" or ")}`);
      continue;
    }
    if (v === null) throw badRequest(`body/${key} must not be null`);
    const type = field?.type;
    if (typeof type === "string" && !hasJsonType(v, type)) throw badRequest(`body/${key} must be ${type}`);
  }
}

function hasJsonType(v: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "string":
    case "boolean":
      return typeof v === type;
    case "null":
      return v === null;
    // Ajv would wrap a lone value in an array (coerceTypes "array"): `"sale"` is not `["sale"]`.
    case "array":
      return Array.isArray(v);
    default:
      return true;
  }
}
