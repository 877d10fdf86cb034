/**
 * nginx in front of several instances: deploy/nginx.conf, the one nginx configuration, with its
 * upstream's single server replaced by one line per instance. The multi-instance demo writes it
 * into a scratch folder; deploy/nginx.instances.conf (docker-compose.postgres.yml) is the same
 * output for two compose services, and test/deploy-files.test.ts checks it still is.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Debian's nginx; DEMO_NGINX names another binary (another layout, or a test of the missing case). */
export const NGINX = "/usr/sbin/nginx";
export const nginxBinary = (): string => process.env.DEMO_NGINX?.trim() || NGINX;
export const NGINX_INSTALL_HINT = "apt-get install nginx-light (Debian's nginx)";
/** The single server line of deploy/nginx.conf's upstream block. */
const UPSTREAM_SERVER = "        server 127.0.0.1:8080;\n";

export function readDeployNginxConf(): string {
  return readFileSync(new URL("../../deploy/nginx.conf", import.meta.url), "utf8");
}

/**
 * One `server` line per instance. After a failed connection an instance is left out for 5 s
 * (max_fails=1): requests and stream reconnects go to the others at once (proxy_next_upstream in
 * deploy/nginx.conf) instead of trying the dead one first each time.
 */
export function nginxForInstances(template: string, servers: readonly string[]): string {
  if (!template.includes(UPSTREAM_SERVER)) {
    throw new Error(`deploy/nginx.conf no longer has the line ${JSON.stringify(UPSTREAM_SERVER.trim())}`);
  }
  if (servers.length === 0) throw new Error("nginx needs at least one instance");
  const lines = servers.map((s) => `        server ${s} max_fails=1 fail_timeout=5s;\n`).join("");
  const header =
    "# GENERATED from deploy/nginx.conf by src/demo/multi-nginx.ts (nginxForInstances): edit that file.\n";
  return header + template.replace(UPSTREAM_SERVER, lines);
}

/** The Debian paths moved into `dir` and the port onto 127.0.0.1, as test/nginx-proxy.test.ts does. */
export function intoScratchDir(conf: string, dir: string, port: number): string {
  return conf
    .replace("listen 80;", `listen 127.0.0.1:${port};`)
    .replace("/run/nginx-live-pos.pid", join(dir, "nginx.pid"))
    .replaceAll("/var/log/nginx/", `${dir}/`)
    .replaceAll("/var/lib/nginx/", `${dir}/`)
    .replace("/var/cache/nginx/live-pos", join(dir, "cache"));
}

export interface DemoNginx {
  child: ChildProcess;
  exited: Promise<void>;
  confPath: string;
}

/** nginx (master and workers, not daemonized) on 127.0.0.1:port, its files in `dir`. */
export function startNginx(dir: string, port: number, instancePorts: readonly number[]): DemoNginx {
  mkdirSync(dir, { recursive: true });
  // nginx started as root runs its workers as nobody: they must reach the folder and write its caches.
  chmodSync(dir, 0o755);
  for (const sub of ["cache", "body", "proxy"]) {
    mkdirSync(join(dir, sub), { recursive: true });
    chmodSync(join(dir, sub), 0o777);
  }
  const servers = instancePorts.map((p) => `127.0.0.1:${p}`);
  const confPath = join(dir, "nginx.conf");
  writeFileSync(confPath, intoScratchDir(nginxForInstances(readDeployNginxConf(), servers), dir, port));
  const args = ["-p", dir, "-e", join(dir, "startup.log"), "-c", confPath, "-g", "daemon off;"];
  const child = spawn(nginxBinary(), args, { stdio: ["ignore", "inherit", "inherit"] });
  const exited = new Promise<void>((done) => {
    child.once("error", () => done());
    child.once("exit", () => done());
  });
  return { child, exited, confPath };
}

export const nginxInstalled = (): boolean => existsSync(nginxBinary());

/** What nginx said at start-up (a port taken, a bad directive), for the demo's error message. */
export function nginxStartupLog(dir: string): string {
  try {
    return readFileSync(join(dir, "startup.log"), "utf8").trim();
  } catch {
    return "";
  }
}
