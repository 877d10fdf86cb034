/**
 * What a throwaway PostgreSQL cluster needs from the machine: the server binaries, the OS user to
 * run them as, a free port, and the processes a killed postmaster leaves behind (Linux /proc).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const DEBIAN_ROOT = "/usr/lib/postgresql";
const SERVER_PROGRAMS = ["initdb", "postgres"];
const INSTALL_HINT = "install Debian's `postgresql` package (apt-get install postgresql; .ci/run does)";

/**
 * The bin directory of the highest PostgreSQL major under /usr/lib/postgresql/<major>/bin (Debian's
 * layout: several majors can sit side by side). Not `pg_config --bindir`: the pg_config on PATH may
 * be another package's, in /usr/local/bin, naming a directory without the server in it.
 * POSTGRES_BINDIR overrides it, for machines with another layout (e.g. Homebrew).
 */
export function findPostgresBinDir(root = DEBIAN_ROOT, override = process.env.POSTGRES_BINDIR): string {
  const complete = (dir: string) => SERVER_PROGRAMS.every((p) => existsSync(join(dir, p)));
  if (override) {
    if (complete(override)) return override;
    throw new Error(`POSTGRES_BINDIR=${override} holds no ${SERVER_PROGRAMS.join(" and ")}`);
  }
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = majors.map((m) => join(root, m, "bin")).find(complete);
  if (found) return found;
  throw new Error(
    `No PostgreSQL server binaries (${SERVER_PROGRAMS.join(", ")}) in ${root}/<major>/bin: ${INSTALL_HINT}`,
  );
}

export type RunAs = { uid: number; gid: number } | null;

/**
 * Who initdb and postgres run as: ourselves, unless we are root (as in CI), which both refuse;
 * then the `postgres` OS user that Debian's package creates. Passed as spawn()'s uid and gid rather
 * than through `runuser -u postgres --`: then the child is the postmaster itself, so its pid,
 * signals (fast shutdown, SIGKILL) and exit are its own, with no runuser process in between.
 */
export function postgresOsUser(): RunAs {
  if (process.getuid?.() !== 0) return null;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      `Running as root, so PostgreSQL must run as the \`postgres\` OS user, which does not exist: ${INSTALL_HINT}, or create the user (useradd --system postgres)`,
    );
  }
}

/** A port of 127.0.0.1 free right now: the kernel's pick for port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** The state letter and parent pid of a process, from /proc/<pid>/stat; null once it is gone. */
function procStat(pid: string | number): { state: string; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name in parentheses may itself hold spaces: fields start after the last ")".
    const [state = "", ppid = ""] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** The children of a process (a postmaster's backends), or none where there is no /proc. */
export function pidsWithParent(parent: number): number[] {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name) && procStat(name)?.ppid === parent)
    .map(Number);
}

/** Still running: present and not a zombie (a container's init may never reap an orphan). */
function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== "Z";
}

/**
 * Waits until these processes (a killed postmaster's backends) have exited: a new postmaster on
 * the same data directory refuses to start while any of them still holds the old shared memory.
 * They exit by themselves once they notice the postmaster is gone; SIGKILL after 10 s if not.
 */
export async function untilExited(pids: number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let left = pids.filter(isRunning); left.length > 0; left = left.filter(isRunning)) {
    if (Date.now() > deadline) {
      for (const pid of left) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // exited meanwhile
        }
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
