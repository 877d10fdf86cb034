/**
 * Route schemas compiled on each route's first request instead of while the app readies: Fastify's
 * own compilers (Ajv for what comes in, fast-json-stringify for what goes out), each compiled function
 * made when it is first needed. Compiling all ~90 routes' schemas up front was about a third of the
 * HTTP thread's start-up, on the way to the first /v1/health answer, for routes most starts never
 * see (README, Start-up, 2026-12-08 figures). The compiled functions are the same ones Fastify would
 * have made; a route's first request pays its own compilation, a few milliseconds.
 */
import { AjvCompiler } from "@fastify/ajv-compiler";
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";

type Compiled = ((...args: never[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteCompiler = (route: never) => Compiled;
type CompilerFactory = (...args: never[]) => RouteCompiler;

/** A function that compiles on its first call (or first look at what Fastify reads off it), then is that function. */
function onFirstUse(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined;
  const get = () => {
    compiled ??= compile();
    return compiled;
  };
  const lazy = function (this: unknown, ...args: never[]) {
    return get().apply(this, args);
  };
  // Fastify reads these off a validator: `errors` after a failed check, and `schemaEnv` (Ajv's) before
  // each check, to let Ajv replace a coerced root value.
  Object.defineProperties(lazy, {
    errors: { get: () => compiled?.errors },
    schemaEnv: { get: () => get().schemaEnv },
  });
  return lazy;
}

/** The factory whose route compilers each hand out a function compiled on first use. */
export function lazily<F extends CompilerFactory>(factory: F): F {
  const lazyFactory = (...args: never[]) => {
    const compileRoute = factory(...args);
    return (route: never) => onFirstUse(() => compileRoute(route));
  };
  return lazyFactory as F;
}

/**
 * Fastify's `schemaController` option: its default compilers, each route's made on first use. Fastify
 * counts a compilersFactory as custom, and passes a custom compiler's `headers` schema as it is rather
 * than with its keys lower-cased: header schemas here name their keys in lower case (contract/stream.ts).
 */
export function lazySchemaController() {
  return {
    compilersFactory: {
      buildValidator: lazily(AjvCompiler()),
      buildSerializer: lazily(SerializerSelector()),
    },
  };
}
