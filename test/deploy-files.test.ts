/**
 * deploy/ cannot be run here (no Docker engine, no systemd): its files are checked to run the
 * install test/package-install.test.ts tests (deploy/install.sh) and to start what it installs.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

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
});
