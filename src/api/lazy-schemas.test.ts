import Fastify, { type FastifyInstance } from "fastify";
import { Type } from "typebox";
import { afterEach, describe, expect, it } from "vitest";
import { lazily, lazySchemaController } from "./lazy-schemas.js";

describe("lazily", () => {
  it("compiles a route's function on its first call, once, and passes on what Fastify reads off it", () => {
    let compiled = 0;
    const validate = Object.assign((value: number) => value > 0, {
      errors: null as unknown,
      schemaEnv: { env: 1 },
    });
    const factory = lazily((() => () => {
      compiled++;
      return validate;
    }) as (...args: never[]) => (route: never) => typeof validate);
    const lazy = factory()(undefined as never) as unknown as typeof validate;
    expect(compiled).toBe(0);
    expect(lazy(2)).toBe(true);
    validate.errors = ["must be positive"];
    expect(lazy(-1)).toBe(false);
    expect(lazy.errors).toEqual(["must be positive"]);
    expect(lazy.schemaEnv).toEqual({ env: 1 });
    expect(compiled).toBe(1);
  });
});

describe("routes with lazily compiled schemas", () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  /** One route with every kind of schema, under Fastify's default compilers or the lazy ones. */
  async function app(lazy: boolean): Promise<FastifyInstance> {
    const a = Fastify(lazy ? { schemaController: lazySchemaController() } : {});
    apps.push(a);
    a.post(
      "/things/:id",
      {
        schema: {
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ maximum: 10 })) }),
          headers: Type.Object({ "x-kind": Type.Optional(Type.Literal("a")) }),
          body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
          response: { 200: Type.Object({ id: Type.Integer(), limit: Type.Integer(), name: Type.String() }) },
        },
      },
      async (req) => {
        const { id } = req.params as { id: number };
        const { limit = 5 } = req.query as { limit?: number };
        return { id, limit, name: (req.body as { name: string }).name, secret: "never sent" };
      },
    );
    await a.ready();
    return a;
  }

  it("answers every request as Fastify's own compilers do: coercion, each part's 400, the response schema", async () => {
    const [plain, lazy] = [await app(false), await app(true)];
    const requests = [
      { url: "/things/3?limit=7", body: { name: "x" } },
      { url: "/things/0", body: { name: "x" } },
      { url: "/things/3?limit=11", body: { name: "x" } },
      { url: "/things/3", body: { name: "x" }, headers: { "x-kind": "b" } },
      { url: "/things/3", body: { name: "" } },
      { url: "/things/3", body: { name: "x", extra: 1 } },
      { url: "/things/abc", body: { name: "x" } },
    ];
    for (const r of requests) {
      const [a, b] = await Promise.all(
        [plain, lazy].map((x) =>
          x.inject({ method: "POST", url: r.url, payload: r.body, headers: r.headers }),
        ),
      );
      expect({ url: r.url, status: b?.statusCode, body: b?.json() }).toEqual({
        url: r.url,
        status: a?.statusCode,
        body: a?.json(),
      });
    }
    const ok = await lazy.inject({ method: "POST", url: "/things/3?limit=7", payload: { name: "x" } });
    expect(ok.json()).toEqual({ id: 3, limit: 7, name: "x" });
  });
});
