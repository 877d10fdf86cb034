// What each thread loads at start-up, read from the sources: the service answers /v1/health only
// when both threads have loaded their modules, so a package one of them does not need lengthens
// every start (README, Start-up). TypeBox alone is 373 modules; one constant imported from the
// contract's index once put all of it on the ingest thread (DELIVERY_LOG_LIMIT, 2026-12-08). Dynamic
// `import()`s are not followed: they load when used (service.ts loads app.ts after spawning the thread).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The imports a file keeps in its build: not `import type`, not `export type`, not dynamic `import()`. */
function loadedSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  for (const node of source.statements) {
    if (
      ts.isImportDeclaration(node) &&
      !node.importClause?.isTypeOnly &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specifiers.push(node.moduleSpecifier.text);
    if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specifiers.push(node.moduleSpecifier.text);
  }
  return specifiers;
}

/** Every package the file's static imports load, each with the chain of files that brings it in. */
function packagesLoadedBy(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const via = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  const chain = (file: string) => {
    const files: string[] = [];
    for (let f: string | undefined = file; f; f = via.get(f)) files.push(path.relative(ROOT, f));
    return files;
  };
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const spec of loadedSpecifiers(file)) {
      if (!spec.startsWith(".")) {
        const name = spec.startsWith("@")
          ? spec.split("/").slice(0, 2).join("/")
          : (spec.split("/")[0] ?? spec);
        if (!packages.has(name)) packages.set(name, chain(file));
        continue;
      }
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts");
      if (!existsSync(target)) throw new Error(`${path.relative(ROOT, file)} imports ${spec}, not found`);
      if (!via.has(target)) {
        via.set(target, file);
        queue.push(target);
      }
    }
  }
  return packages;
}

describe("what the threads load at start-up", () => {
  it("finds a package behind a chain of files (the walk itself works)", () => {
    const loaded = packagesLoadedBy(path.join(ROOT, "src/app.ts"));
    expect(loaded.get("fastify")).toEqual(["src/app.ts"]);
    expect(loaded.has("typebox")).toBe(true);
  });

  it("the ingest thread loads neither TypeBox nor Fastify nor the web server's plugins", () => {
    const loaded = packagesLoadedBy(path.join(ROOT, "src/ingest/thread.ts"));
    const unwanted = [...loaded].filter(([name]) => /^(typebox|fastify|@fastify\/)/.test(name));
    expect(unwanted.map(([name, files]) => `${name} <- ${files.join(" <- ")}`)).toEqual([]);
    expect(loaded.has("better-sqlite3")).toBe(true);
  });

  it("the HTTP thread loads neither the SQLite driver nor Kysely (the ingest thread owns the database)", () => {
    // main.ts's own imports, then the web server's, which service.ts loads once the ingest thread runs.
    for (const entry of ["src/main.ts", "src/app.ts"]) {
      const loaded = packagesLoadedBy(path.join(ROOT, entry));
      const unwanted = [...loaded].filter(([name]) => ["better-sqlite3", "kysely", "pg"].includes(name));
      expect(unwanted.map(([name, files]) => `${name} <- ${files.join(" <- ")}`)).toEqual([]);
    }
  });

  it("the HTTP thread spawns the ingest thread before it loads the web server's modules", () => {
    const loaded = packagesLoadedBy(path.join(ROOT, "src/main.ts"));
    const web = [...loaded].filter(([name]) => /^(typebox|fastify|@fastify\/)/.test(name));
    expect(web.map(([name, files]) => `${name} <- ${files.join(" <- ")}`)).toEqual([]);
    expect(loaded.has("pino")).toBe(true);
  });
});
