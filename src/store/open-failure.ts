/**
 * Why the database could not be opened, as far as the file system tells: SQLite says only "unable to
 * open database file" or "attempt to write a readonly database", not that the directory is on a
 * read-only mount or belongs to someone else, which is what an operator has to fix.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";

const WORDS: Record<string, string> = {
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
};

/** `e` with the reason the file or its directory cannot be written added to its message, when there is one. */
export function explainOpenFailure(path: string, e: unknown): unknown {
  if (path === ":memory:" || !(e instanceof Error)) return e;
  const reason = unwritable(path);
  if (reason === undefined) return e;
  return Object.assign(new Error(`${e.message} (${reason})`, { cause: e }), {
    code: (e as { code?: unknown }).code,
  });
}

function unwritable(path: string): string | undefined {
  const file = resolve(path);
  // SQLite writes its WAL and shared-memory files beside the database: the directory must be writable too.
  const targets: [string, string][] = [
    [file, "the file"],
    [dirname(file), "its directory"],
  ];
  for (const [target, what] of targets) {
    if (!existsSync(target)) continue;
    try {
      accessSync(target, constants.R_OK | constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "";
      return `${what} ${target} is not writable: ${WORDS[code] ?? code}`;
    }
  }
  return undefined;
}
