import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AjvCompiler } from "@fastify/ajv-compiler";
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { RouteOptions } from "fastify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createService, type Service } from "../src/service.js";
import { testConfig } from "./support/app.js";

/*
 * The OpenAPI document is generated from the routes' own schemas: these tests build the service as
 * main.ts does (with a web app folder), collect every route Fastify registers, and check the document
 * against the OpenAPI 3.1 schema and against that list.
 */

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  tags?: string[];
  security?: Record<string, string[]>[];
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

let service: Service;
let webRoot: string;
const routes: RouteOptions[] = [];
let doc: OpenApi;

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), "openapi-web-"));
  mkdirSync(join(webRoot, "assets"));
  writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(webRoot, "assets", "app.js"), "console.log(1)");
  service = await createService(testConfig(), {
    log: pino({ level: "silent" }),
    ingest: "inline",
    webRoot,
    readCache: { maxStaleMs: 0, refreshAfterMs: 0 },
    appOptions: { onRoute: (r) => routes.push(r) },
  });
  const res = await service.app.inject({ url: "/openapi.json" });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await service.stop();
  rmSync(webRoot, { recursive: true, force: true });
});

const openApiPath = (url: string) => url.replace(/:([A-Za-z_]+)/g, "{$1}");
/** Routes the document leaves out on purpose: the web app's files, the docs page's, HEAD twins. */
const described = () =>
  routes.flatMap((r) =>
    [r.method]
      .flat()
      .filter((m) => m !== "HEAD" && !r.schema?.hide)
      .map((m) => ({ method: m.toLowerCase(), path: openApiPath(r.url), route: r })),
  );

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(doc) as unknown as Parameters<Validator["validate"]>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(doc.openapi).toBe("3.1.0");
  });

  it("has every registered route with its method, and nothing else", () => {
    const expected = described();
    // The API is all there (a route list that came back empty would pass the checks below).
    expect(expected.length).toBeGreaterThan(30);
    for (const { method, path } of expected)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const inDoc = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    expect(inDoc.sort()).toEqual(expected.map((e) => `${e.method} ${e.path}`).sort());
    for (const path of ["/v1/summary", "/v1/stream", "/v1/admin/merchants/{id}", "/metrics", "/openapi.json"])
      expect(doc.paths[path], path).toBeDefined();
  });

  it("leaves out only the web app's files, the docs page and CORS preflights", () => {
    const hidden = routes
      .filter((r) => r.schema?.hide)
      .flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url}`))
      .filter((r) => !r.startsWith("HEAD "));
    expect(hidden).toContain("GET /docs/json");
    expect(hidden).toContain("GET /assets/app.js");
    for (const route of hidden) expect(route).toMatch(/^GET \/(docs|index\.html$|assets\/|$)|^OPTIONS \*$/);
  });

  it("has each route's parameters, body and error statuses in the one error shape", () => {
    const merchant = doc.paths["/v1/admin/merchants/{id}"]?.put as Operation;
    expect(merchant.parameters?.map((p) => `${p.in}:${p.name}`)).toContain("path:id");
    expect(merchant.requestBody).toBeDefined();
    expect(Object.keys(merchant.responses).sort()).toEqual([
      "200",
      "400",
      "401",
      "404",
      "413",
      "415",
      "429",
      "500",
    ]);
    expect(merchant.security).toEqual([{ adminToken: [] }, { adminBearer: [] }]);
    const summary = doc.paths["/v1/summary"]?.get as Operation;
    expect(summary.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(["source", "merchant_id"]));
    expect(summary.security).toBeUndefined();
    for (const { method, path } of described()) {
      const op = doc.paths[path]?.[method] as Operation;
      expect(op.responses["500"], `${method} ${path}`).toBeDefined();
      for (const [status, answer] of Object.entries(op.responses)) {
        expect(answer.description, `${method} ${path} ${status}`).not.toBe("Default Response");
        if (Number(status) < 400) continue;
        const schema = answer.content?.["application/json"]?.schema as {
          properties?: object;
          required?: string[];
        };
        expect(schema?.required, `${method} ${path} ${status}`).toEqual(["error"]);
        expect(Object.keys(schema?.properties ?? {})).toEqual(["error"]);
      }
    }
  });

  it("describes the stream's events as a text/event-stream answer", () => {
    const stream = doc.paths["/v1/stream"]?.get as Operation;
    const schema = stream.responses["200"]?.content?.["text/event-stream"]?.schema as {
      anyOf: { properties: { event: { enum?: string[]; const?: string }; data: object } }[];
    };
    const names = schema.anyOf.map(({ properties: { event } }) => event.const ?? event.enum?.[0]);
    expect(names.sort()).toEqual([
      "event",
      "merchant",
      "milestone",
      "ping",
      "reset",
      "sale",
      "scenes",
      "summary",
    ]);
    expect(stream.responses["503"]).toBeDefined();
    expect(stream.parameters?.map((p) => `${p.in}:${p.name}`)).toContain("header:last-event-id");
  });

  it("is answered to other origins too (CORS), without the admin token", async () => {
    const res = await service.app.inject({ url: "/openapi.json", headers: { origin: "https://x.example" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
  });
});

describe("GET /docs", () => {
  it("serves Swagger UI with its assets from this server, none from a CDN", async () => {
    const page = await service.app.inject({ url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(asset, asset).not.toMatch(/^(https?:)?\/\//);
    const css = await service.app.inject({ url: "/docs/static/swagger-ui.css" });
    expect(css.statusCode).toBe(200);
    const bundle = await service.app.inject({ url: "/docs/static/swagger-ui-bundle.js" });
    expect(bundle.statusCode).toBe(200);
    expect((await service.app.inject({ url: "/docs" })).statusCode).toBeLessThan(400);
  });

  it("leaves the web app's fallback and the JSON 404s as they were", async () => {
    const app = await service.app.inject({ url: "/admin" });
    expect(app.statusCode).toBe(200);
    expect(app.body).toContain("<title>app</title>");
    for (const url of ["/v1/nope", "/docs/nope", "/docs/static/nope.js", "/openapi.yaml.json"]) {
      const res = await service.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toEqual({ error: expect.any(String) });
    }
  });
});

describe("route schemas", () => {
  // They are compiled on each route's first request (api/lazy-schemas.ts), so a schema that cannot
  // compile would fail there rather than at start-up: every one is compiled here instead.
  it("every route's request and response schemas compile with Fastify's own compilers", () => {
    // The options Fastify gives its compilers when the app sets none (fastify.js), as app.ts does.
    const validator = AjvCompiler()({}, { customOptions: {}, plugins: [] });
    const serializer = SerializerSelector()({}, undefined);
    let compiled = 0;
    for (const { method, url, schema } of routes) {
      if (!schema) continue;
      for (const httpPart of ["body", "querystring", "params", "headers"] as const) {
        const part = schema[httpPart];
        if (part === undefined || part === null) continue;
        expect(typeof validator({ schema: part, method: String(method), url, httpPart })).toBe("function");
        compiled++;
      }
      for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, object>)) {
        const httpStatus = status;
        expect(typeof serializer({ schema: response, method: String(method), url, httpStatus })).toBe(
          "function",
        );
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(100);
  });
});
