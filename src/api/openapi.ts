import { readFileSync } from "node:fs";
import { STATUS_CODES } from "node:http";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance, RouteOptions } from "fastify";
import * as S from "../contract/index.js";

/**
 * The API's description: an OpenAPI 3.1 document generated from the routes' own schemas (the contract
 * module), served at /openapi.json, and Swagger UI at /docs with its assets served from the package
 * (no CDN). describeApi goes before the routes (it sees each one as it is added), serveApiDocs after.
 */

/** What each error status of the one error shape means, wherever it is answered. */
const ERROR_MEANINGS: Record<number, string> = {
  400: "Bad input; `error` names the parameter or field",
  401: "Missing or wrong token",
  404: "Unknown id (or merchant filter)",
  409: "Conflict with what is stored; `error` says which",
  413: "Request body too large",
  415: "Request body of a type the route does not take",
  429: "Too many failed authentication attempts from this address; Retry-After says when to retry",
  500: "Internal error (nothing internal is said)",
  503: "Not available right now; Retry-After, when sent, says when to retry",
};

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
const ADMIN_SECURITY: Record<string, string[]>[] = [{ adminToken: [] }, { adminBearer: [] }];

/**
 * Completes a route's schema as it is added: the error statuses every route can answer (500; 400 where
 * it takes input; 413 and 415 where it takes a body) in the one error shape, a description for every
 * status, a tag and, behind the admin token, its security. Fastify serialises errors with these too.
 * Routes without an answer schema (the web app's files) or hidden ones (the docs page) are left alone.
 */
export function describeRoute(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema?.response || schema.hide) return;
  const methods = [route.method].flat();
  const takesBody = methods.some((m) => BODY_METHODS.has(m));
  const takesInput =
    takesBody || [schema.querystring, schema.params, schema.body, schema.headers].some(Boolean);
  const response: Record<string, unknown> = { ...(schema.response as Record<string, unknown>) };
  for (const status of [500, ...(takesInput ? [400] : []), ...(takesBody ? [413, 415] : [])])
    response[status] ??= S.ErrorBody;
  for (const [status, answer] of Object.entries(response))
    response[status] = described(Number(status), answer);
  const url = route.url;
  const admin = url.startsWith("/v1/admin/") && url !== "/v1/admin/auth/login";
  route.schema = { ...schema, response, tags: [tagOf(url)], ...(admin ? { security: ADMIN_SECURITY } : {}) };
}

function described(status: number, answer: unknown): unknown {
  const a = answer as { description?: string };
  if (typeof a !== "object" || a === null || a.description !== undefined) return answer;
  return { ...a, description: ERROR_MEANINGS[status] ?? STATUS_CODES[status] ?? `HTTP ${status}` };
}

function tagOf(url: string): string {
  if (url.startsWith("/v1/admin/")) return "admin";
  if (url === "/v1/stream") return "stream";
  if (url.startsWith("/v1/webhooks/")) return "webhooks";
  if (!url.startsWith("/v1/")) return "operations";
  return "dashboard";
}

/** Registers the document's generator; routes added after it are described. */
export async function describeApi(app: FastifyInstance): Promise<void> {
  app.addHook("onRoute", describeRoute);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Live POS Dashboard API",
        version: packageVersion(),
        description:
          'Sales of point-of-sale merchants, live. Times are RFC 3339 UTC. Every error is `{"error": "message"}`; ' +
          "besides the statuses listed per route, any request may be answered 404 (no such route), 408 (sent " +
          "too slowly) or 400 (a URL that cannot be routed). `GET /v1/stream` is Server-Sent Events.",
      },
      tags: [
        { name: "dashboard", description: "Public reads for screens" },
        { name: "stream", description: "Live events (Server-Sent Events)" },
        { name: "admin", description: "Behind ADMIN_TOKEN" },
        { name: "webhooks", description: "Sales pushed by sources" },
        { name: "operations", description: "This document and the Prometheus metrics" },
      ],
      components: {
        securitySchemes: {
          adminToken: { type: "apiKey", in: "header", name: "X-Admin-Token" },
          adminBearer: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN" },
          metricsBearer: { type: "http", scheme: "bearer", description: "METRICS_TOKEN, when it is set" },
        },
      },
    },
  });
}

/** `GET /openapi.json` and the docs page at /docs (its routes hidden from the document). */
export async function serveApiDocs(app: FastifyInstance): Promise<void> {
  app.get("/openapi.json", { schema: { response: { 200: S.OpenApiDocument } } }, async (_req, reply) =>
    reply.header("cache-control", "no-cache").send(app.swagger()),
  );
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: true,
    uiConfig: { deepLinking: true },
  });
}

/** The package's version (src/api and dist/api are both two folders below package.json). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
