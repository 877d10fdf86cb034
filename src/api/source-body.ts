/**
 * The request side of a BTCPay or LNbits merchant's settings (`"btcpay": {...}` / `"lnbits": {...}`
 * in merchant and test-connection bodies): refusals that name the field, as an operator reads them
 * (`btcpay.api_key is required`), instead of the validator's JSON paths and patterns.
 */
import type { FastifyRequest, FastifySchemaValidationError } from "fastify";
import { badRequest } from "./errors.js";

const SETTINGS_FIELDS = new Set(["btcpay", "lnbits"]);

/** What a refused settings value must be, by field name; anything unnamed is "must not be empty". */
const WHAT_IT_MUST_BE: Record<string, string> = {
  base_url: "must be an http(s) URL without query or fragment, e.g. https://btcpay.example.com",
  api_key: "must be the key alone, without spaces",
  store_id: "may hold only letters, digits, “_” and “-”",
  pos_app_id: "may hold only letters, digits, “_” and “-”",
};

/** One validation error in plain words when it concerns `source` or a source's settings. */
function plainWords(e: FastifySchemaValidationError): string | undefined {
  const path = e.instancePath.split("/").filter(Boolean);
  if (path.length === 1 && path[0] === "source" && e.keyword === "enum") {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `source must be one of ${allowed.join(", ")}`;
  }
  if (!SETTINGS_FIELDS.has(path[0] ?? "")) return undefined;
  if (e.keyword === "required") {
    return `${[...path, (e.params as { missingProperty: string }).missingProperty].join(".")} is required`;
  }
  const field = path.join(".");
  if (path.length === 1) return `${field} must be an object`;
  const name = path[path.length - 1] ?? "";
  switch (e.keyword) {
    case "type":
      return `${field} must be a string`;
    case "maxLength":
      return `${field} must be at most ${(e.params as { limit: number }).limit} characters`;
    case "minLength":
      return name === "base_url" ? `${field} ${WHAT_IT_MUST_BE.base_url}` : `${field} must not be empty`;
    case "pattern":
      return `${field} ${WHAT_IT_MUST_BE[name] ?? "is not valid"}`;
    default:
      return `${field} ${e.message ?? "is not valid"}`;
  }
}

/**
 * The routes' schemaErrorFormatter: Fastify's own wording (`body/alias must …`) for every other field,
 * so PayWithFlash merchants' refusals read as they always have.
 */
export function sourceSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const parts = errors.map((e) => plainWords(e) ?? `${dataVar}${e.instancePath} ${e.message ?? ""}`);
  return new Error(parts.join(", "));
}

/**
 * preValidation of those routes: every setting is a string as sent. The app's rejectMistypedFields
 * checks top-level fields only, and the validator would turn 5 into "5" or null into "".
 */
export async function rejectMistypedSettings(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | undefined;
  if (typeof body !== "object" || body === null) return;
  for (const source of SETTINGS_FIELDS) {
    const settings = body[source];
    if (settings === undefined) continue;
    if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
      throw badRequest(`${source} must be an object`);
    }
    for (const [key, value] of Object.entries(settings)) {
      if (typeof value !== "string") throw badRequest(`${source}.${key} must be a string`);
    }
  }
}
