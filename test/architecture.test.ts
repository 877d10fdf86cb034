// Architecture rules for the whole repo (server src/, bench/, test/ and the web app web/src/):
// no import cycle between files, none between folders, no source file over 300 lines.
// Imports are read with TypeScript's own scanner (ts.preProcessFile), which sees static imports,
// `import type`, re-exports and dynamic `import()` alike: a type-only edge still ties two folders together.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCANNED_ROOTS = ["src", "bench", "test", "web/src"];
const SOURCE_FILE = /\.(ts|tsx|mts|mjs)$/;
const TEST_FILE = /\.test\.tsx?$/;
const MAX_FILE_LINES = 300;

/** Data tables that stay one file for good: splitting a catalogue would help no reader. */
const DATA_TABLES = new Set(["src/mock/catalogue.ts"]);

type Graph = Map<string, Set<string>>;

interface Violation {
  /** What a reader needs to fix it. */
  message: string;
}

// ---- pure graph logic ----

/** Strongly connected components with more than one node (Tarjan), members sorted, components sorted. */
function cyclicGroups(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return groups.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** A shortest import chain from the group's first member back to itself, staying inside the group. */
function cycleChain(graph: Graph, group: string[]): string[] {
  const start = group[0] as string;
  const inGroup = new Set(group);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (next === start) {
        const chain = [node];
        while (chain[0] !== start) chain.unshift(cameFrom.get(chain[0] as string) as string);
        return [...chain, start];
      }
      if (inGroup.has(next) && !cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return [...group, start];
}

/** File edges collapsed to their folders; an import inside one folder is no edge. */
function folderGraph(files: Graph): Graph {
  const folders: Graph = new Map();
  for (const [from, targets] of files) {
    const source = path.posix.dirname(from);
    if (!folders.has(source)) folders.set(source, new Set());
    for (const to of targets) {
      const target = path.posix.dirname(to);
      if (target !== source) folders.get(source)?.add(target);
    }
  }
  return folders;
}

/** Each group as one violation: the shortest chain round it, then every other import inside the group. */
function cycleViolations(kind: "file" | "folder", graph: Graph, explain: (a: string, b: string) => string) {
  return cyclicGroups(graph).map((group): Violation => {
    const chain = cycleChain(graph, group);
    const inChain = new Set(chain.slice(1).map((to, i) => `${chain[i]} → ${to}`));
    const inGroup = group.flatMap((from) =>
      [...(graph.get(from) ?? [])].filter((to) => group.includes(to)).map((to) => `${from} → ${to}`),
    );
    const line = (edge: string) => {
      const [from, to] = edge.split(" → ") as [string, string];
      return `    ${edge}${explain(from, to)}`;
    };
    const others = inGroup.filter((edge) => !inChain.has(edge)).sort();
    const rest = others.length > 0 ? `\n  other imports inside it:\n${others.map(line).join("\n")}` : "";
    return {
      message: `${kind} import cycle among ${group.join(", ")}:\n${[...inChain].map(line).join("\n")}${rest}`,
    };
  });
}

// ---- reading the repo ----

function listSources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : listSources(rel);
    return SOURCE_FILE.test(entry.name) && !entry.name.endsWith(".d.ts") ? [rel] : [];
  });
}

/** The repo file a relative specifier names: `./x.js` is `./x.ts` on disk (NodeNext), `./x` may be `./x.tsx`. */
function resolveImport(from: string, specifier: string, known: Set<string>): string | null {
  if (!specifier.startsWith(".")) return null; // a package
  const base = path.posix.join(path.posix.dirname(from), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, "");
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${base}/index.ts`,
    `${base}/index.tsx`,
  ];
  return candidates.find((c) => known.has(c)) ?? null;
}

function readRepo(): { imports: Graph; lines: Map<string, number> } {
  const files = SCANNED_ROOTS.flatMap(listSources);
  const known = new Set(files);
  const imports: Graph = new Map();
  const lines = new Map<string, number>();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    lines.set(file, text.split("\n").length - (text.endsWith("\n") ? 1 : 0));
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = importedFiles.map((f) => resolveImport(file, f.fileName, known));
    imports.set(file, new Set(targets.filter((t): t is string => t !== null && t !== file)));
  }
  return { imports, lines };
}

function repoViolations(): Record<"files" | "folders" | "length", Violation[]> {
  const { imports, lines } = readRepo();
  const folders = folderGraph(imports);
  /** One file import behind a folder edge, so the fixer knows where to look. */
  const exampleEdge = (from: string, to: string) => {
    for (const [file, targets] of imports) {
      if (path.posix.dirname(file) !== from) continue;
      const target = [...targets].find((t) => path.posix.dirname(t) === to);
      if (target) return `   (${file} imports ${target})`;
    }
    return "";
  };
  const length = [...lines]
    .filter(([file, count]) => count > MAX_FILE_LINES && !TEST_FILE.test(file) && !DATA_TABLES.has(file))
    .map(([file, count]) => ({
      message: `${file} has ${count} lines (limit ${MAX_FILE_LINES})`,
    }));
  return {
    files: cycleViolations("file", imports, () => ""),
    folders: cycleViolations("folder", folders, exampleEdge),
    length,
  };
}

const messages = (found: Violation[]): string[] => found.map((v) => v.message);

// ---- the checks ----

describe("architecture check logic", () => {
  const graph = (edges: [string, string][]): Graph => {
    const g: Graph = new Map();
    for (const [a, b] of edges) {
      if (!g.has(a)) g.set(a, new Set());
      if (!g.has(b)) g.set(b, new Set());
      g.get(a)?.add(b);
    }
    return g;
  };

  it("finds a cycle and prints it as a chain back to its start", () => {
    const g = graph([
      ["a", "b"],
      ["b", "c"],
      ["c", "a"],
      ["c", "d"],
    ]);
    expect(cyclicGroups(g)).toEqual([["a", "b", "c"]]);
    expect(cycleChain(g, ["a", "b", "c"])).toEqual(["a", "b", "c", "a"]);
  });

  it("finds nothing in an import tree", () => {
    expect(
      cyclicGroups(
        graph([
          ["a", "b"],
          ["a", "c"],
          ["b", "c"],
        ]),
      ),
    ).toEqual([]);
  });

  it("collapses files to folders, so a folder and its subfolder importing each other is a cycle", () => {
    const files = graph([
      ["web/src/app/App.tsx", "web/src/app/admin/Panel.tsx"],
      ["web/src/app/admin/Panel.tsx", "web/src/app/hooks.ts"],
    ]);
    expect(cyclicGroups(files)).toEqual([]);
    expect(cyclicGroups(folderGraph(files))).toEqual([["web/src/app", "web/src/app/admin"]]);
  });

  it("resolves NodeNext `.js` specifiers and extensionless web imports to the files on disk", () => {
    const known = new Set(["src/store/db.ts", "web/src/admin/Dialog.tsx", "web/src/api/index.ts"]);
    expect(resolveImport("src/api/app.ts", "../store/db.js", known)).toBe("src/store/db.ts");
    expect(resolveImport("web/src/admin/Panel.tsx", "./Dialog", known)).toBe("web/src/admin/Dialog.tsx");
    expect(resolveImport("web/src/app/App.tsx", "../api", known)).toBe("web/src/api/index.ts");
    expect(resolveImport("src/log.ts", "pino", known)).toBeNull();
  });
});

describe("repo architecture", () => {
  const found = repoViolations();

  it("has no import cycle between files", () => {
    expect(messages(found.files), messages(found.files).join("\n")).toEqual([]);
  });

  it("has no import cycle between folders (import type counts)", () => {
    expect(messages(found.folders), messages(found.folders).join("\n")).toEqual([]);
  });

  it(`has no source file over ${MAX_FILE_LINES} lines (tests, CSS and data tables aside)`, () => {
    expect(messages(found.length), messages(found.length).join("\n")).toEqual([]);
  });
});
