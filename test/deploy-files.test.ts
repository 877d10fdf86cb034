/**
 * deploy/ cannot be run here (no Docker engine, no systemd): its files are checked to run the
 * install test/package-install.test.ts tests (deploy/install.sh) and to start what it installs.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { intoScratchDir, NGINX, nginxForInstances, readDeployNginxConf } from "../src/demo/multi-nginx.js";

const read = (file: string) => readFileSync(new URL(`../deploy/${file}`, import.meta.url), "utf8");
const BIN = "/opt/live-pos-dashboard/node_modules/.bin/live-pos-dashboard";

describe("deploy/", () => {
  it("the Dockerfile installs the packed build with the tested script and runs it as a non-root user", () => {
    const docker = read("Dockerfile");
    expect(docker).toMatch(/npm pack --ignore-scripts --pack-destination \/pkg/);
    expect(docker).toMatch(
      /sh deploy\/install\.sh \/pkg\/live-pos-dashboard-\*\.tgz \/opt\/live-pos-dashboard/,
    );
    expect(docker).toMatch(/^USER dashboard$/m);
    expect(docker).toMatch(/^VOLUME \/data$/m);
    expect(docker).toMatch(/DB_PATH=\/data\/dashboard\.db/);
    expect(docker).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD [^\n]*\/v1\/health/m);
    expect(docker).toContain(`ENTRYPOINT ["${BIN}"]`);
    // Two stages: the build's compilers and dev dependencies stay out of the image.
    expect(docker.match(/^FROM /gm)).toHaveLength(2);
  });

  it("the systemd unit starts the installed bin with the seed's hardening", () => {
    const unit = read("live-pos-dashboard.service");
    expect(unit).toContain(`ExecStart=${BIN}`);
    for (const line of [
      "User=dashboard",
      "NoNewPrivileges=true",
      "PrivateTmp=true",
      "ProtectSystem=strict",
      "ProtectHome=true",
      "ReadWritePaths=/var/lib/live-pos-dashboard",
      'Environment="DB_PATH=/var/lib/live-pos-dashboard/dashboard.db"',
    ])
      expect(unit.split("\n")).toContain(line);
  });

  it("compose builds that Dockerfile and keeps the database on a volume", () => {
    const compose = read("docker-compose.yml");
    expect(compose).toMatch(/dockerfile: deploy\/Dockerfile/);
    expect(compose).toMatch(/- dashboard-data:\/data/);
    expect(compose).toMatch(/ADMIN_TOKEN: \$\{ADMIN_TOKEN:\?/);
  });

  it("compose with PostgreSQL: two instances on one database, started once it is healthy, nginx in front", () => {
    const compose = read("docker-compose.postgres.yml");
    const configDir = new URL("../src/config/", import.meta.url);
    const config = readdirSync(configDir)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => readFileSync(new URL(f, configDir), "utf8"))
      .join("\n");
    // Every variable it sets is one the service reads (a typo would be ignored silently).
    const names = [...compose.matchAll(/^ {4}([A-Z_]+): /gm)].map((m) => m[1] as string);
    const dashboard = names.filter((n) => !n.startsWith("POSTGRES_"));
    expect(dashboard.sort()).toEqual(
      ["ADMIN_TOKEN", "CORS_ORIGINS", "DATABASE_URL", "MAX_CONNECTIONS_PER_IP", "POLL_INTERVAL"].sort(),
    );
    for (const name of dashboard) expect(config, name).toMatch(new RegExp(`(env\\.|")${name}\\b`));
    expect(compose).toMatch(
      /DATABASE_URL: postgres:\/\/pos:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/pos/,
    );
    expect(compose).toMatch(/MAX_CONNECTIONS_PER_IP: "0"/);
    expect(compose).toMatch(/image: postgres:15/);
    expect(compose).toMatch(/- postgres-data:\/var\/lib\/postgresql\/data/);
    expect(compose).toMatch(/healthcheck:\n\s+test: \["CMD-SHELL", "pg_isready/);
    expect(compose).toMatch(/depends_on:\n\s+postgres:\n\s+condition: service_healthy/);
    expect(compose).toMatch(/^ {2}dashboard-1: \*dashboard$/m);
    expect(compose).toMatch(/^ {2}dashboard-2: \*dashboard$/m);
    expect(compose).toMatch(/dockerfile: deploy\/Dockerfile/);
    expect(compose).toContain("- ./nginx.instances.conf:/etc/live-pos/nginx.conf:ro");
  });

  it("nginx.instances.conf is deploy/nginx.conf with the compose instances as upstream, and nginx -t passes", () => {
    const conf = read("nginx.instances.conf");
    const expected = nginxForInstances(readDeployNginxConf(), ["dashboard-1:8080", "dashboard-2:8080"]);
    expect(conf, "regenerate it with nginxForInstances (src/demo/multi-nginx.ts)").toBe(expected);
    const dir = mkdtempSync(join(tmpdir(), "nginx-instances-"));
    try {
      chmodSync(dir, 0o755);
      for (const sub of ["cache", "body", "proxy"]) mkdirSync(join(dir, sub));
      // Compose's service names resolve only inside its network; nginx -t resolves upstream names.
      const local = conf
        .replaceAll("dashboard-1:8080", "127.0.0.1:1")
        .replaceAll("dashboard-2:8080", "127.0.0.1:2");
      writeFileSync(join(dir, "nginx.conf"), intoScratchDir(local, dir, 1));
      const args = ["-t", "-p", dir, "-e", join(dir, "startup.log"), "-c", join(dir, "nginx.conf")];
      const out = execFileSync(NGINX, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(out).toBe("");
    } catch (e) {
      throw new Error(`nginx -t failed: ${(e as { stderr?: string }).stderr ?? e}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
