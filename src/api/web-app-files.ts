import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/**
 * Serves the built dashboard at `/` with long caching for hashed assets; any other GET that is not an
 * API path gets index.html, so `/admin` and deep links load the app. API paths keep JSON 404s.
 * The build puts brotli and gzip copies beside the text files (web/precompress.ts): each file is sent
 * in the coding the client accepts best, with `Vary: Accept-Encoding`, and the copies are not routes
 * of their own.
 */
export async function registerWebApp(app: FastifyInstance, webRoot: string): Promise<boolean> {
  if (!existsSync(join(webRoot, "index.html"))) return false;
  await app.register(fastifyStatic, {
    root: webRoot,
    wildcard: false,
    preCompressed: true,
    globIgnore: ["**/*.br", "**/*.gz"],
    setHeaders(res, path) {
      if (path.includes(`${join(webRoot, "assets")}`)) {
        res.header("cache-control", "public, max-age=31536000, immutable");
      } else {
        res.header("cache-control", "no-cache");
      }
    },
  });
  return true;
}

/** The docs page's files (/docs/…) are not the app's either: an unknown one is a JSON 404. */
export function isAppPath(method: string, url: string): boolean {
  return (
    (method === "GET" || method === "HEAD") &&
    !url.startsWith("/v1/") &&
    url !== "/v1" &&
    !url.startsWith("/docs/")
  );
}
